using Opsmith.Execution;
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

    /// <summary>A report is a few hundred KiB at most (step output is capped); past this it is not one of ours.</summary>
    public const int MaxReportBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Reads a run report file of the current format, or says why it is not one (missing, a folder, a FIFO or device,
    /// too large, not JSON, another format). A FIFO or device is refused before it is opened, and at most one byte past
    /// <see cref="MaxReportBytes"/> is read.
    /// </summary>
    public static async Task<Result<Execution.Runs.RunReport>> ReadAsync(string reportFile, CancellationToken ct)
    {
        switch (FileKinds.Of(reportFile))
        {
            case Core.Inventories.FileKind.Missing: return OpsmithError.NotFound($"report '{reportFile}' does not exist");
            case Core.Inventories.FileKind.Directory: return OpsmithError.BadRequest($"report '{reportFile}' is a folder, not a file");
            case Core.Inventories.FileKind.RegularFile: break;
            case var kind: return OpsmithError.BadRequest($"report '{reportFile}' is {FileKinds.Describe(kind)}, not a regular file");
        }
        Execution.Runs.RunReport? report;
        try
        {
            var (bytes, length) = await Validation.DocumentValidation.ReadBoundedAsync(reportFile, ct, MaxReportBytes);
            if (bytes is null) return OpsmithError.BadRequest($"{reportFile} is {length} bytes, larger than any Opsmith run report ({MaxReportBytes} bytes at most)");
            report = JsonSerializer.Deserialize<Execution.Runs.RunReport>(bytes, Options);
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
