using System.Text.Json;

namespace Opsmith.Cli.Output;

public enum OutputFormat { Text, Json }

/// <summary>
/// JSON output: one document per command, snake_case field names, enums as strings. Field names are part
/// of the CLI's contract (docs/cli.md); renaming one is a breaking change.
/// </summary>
public static class JsonOutput
{
    public static JsonSerializerOptions Options => Opsmith.Application.Runs.ReportJson.Options;

    public static void Write<T>(TextWriter writer, T document) =>
        writer.WriteLine(JsonSerializer.Serialize(document, Options));
}
