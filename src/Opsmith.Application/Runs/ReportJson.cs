using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Opsmith.Application.Runs;

/// <summary>
/// The JSON form of reports and every other document Opsmith prints: snake_case field names, enums by their
/// wire names. Field names are a contract (docs/report-format.md, docs/cli.md); renaming one is a breaking change.
/// </summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Reads a run report file of the current format, or says why it is not one (missing, a folder, not JSON, another format).</summary>
    public static async Task<Result<Execution.Runs.RunReport>> ReadAsync(string reportFile, CancellationToken ct)
    {
        if (Directory.Exists(reportFile)) return OpsmithError.BadRequest($"report '{reportFile}' is a folder, not a file");
        if (!File.Exists(reportFile)) return OpsmithError.NotFound($"report '{reportFile}' does not exist");
        Execution.Runs.RunReport? report;
        try
        {
            report = JsonSerializer.Deserialize<Execution.Runs.RunReport>(await File.ReadAllTextAsync(reportFile, ct), Options);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return OpsmithError.BadRequest($"{reportFile} is not an Opsmith run report: {e.Message}");
        }
        if (report is null || report.FormatVersion != Execution.Runs.RunReport.CurrentFormat || report.Inventory is null || report.SkillFile is null)
            return OpsmithError.BadRequest($"{reportFile} is not an Opsmith run report of format {Execution.Runs.RunReport.CurrentFormat}");
        return report;
    }
}
