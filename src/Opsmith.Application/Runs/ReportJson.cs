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
}
