using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Opsmith.Cli.Output;

public enum OutputFormat { Text, Json }

/// <summary>
/// JSON output: one document per command, snake_case field names, enums as strings. Field names are part
/// of the CLI's contract (docs/cli.md); renaming one is a breaking change.
/// </summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static void Write<T>(TextWriter writer, T document) =>
        writer.WriteLine(JsonSerializer.Serialize(document, Options));
}
