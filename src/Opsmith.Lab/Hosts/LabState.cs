using System.Text.Json;
using System.Text.Json.Serialization;

namespace Opsmith.Lab.Hosts;

/// <summary>
/// What a lab records about itself in its machine-wide folder (<c>state.json</c>): its host count, when it was
/// made and by whom. Labs are machine-wide (their namespaces and addresses are), so this tells a second user or
/// another OPSMITH_HOME that the lab already exists, whose it is, and how many hosts it has.
/// </summary>
/// <param name="MadeBy">The person (SUDO_USER when run through sudo) and the Opsmith data folder that made it.</param>
public sealed record LabState(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("hosts")] int Hosts,
    [property: JsonPropertyName("created")] DateTimeOffset Created,
    [property: JsonPropertyName("made_by")] string MadeBy)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The state of a lab, or null when it has none or it cannot be read (then the lab counts as not up).</summary>
    public static LabState? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<LabState>(File.ReadAllText(path), Options);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    public Task WriteAsync(string path, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(path, JsonSerializer.Serialize(this, Options), cancellationToken);

    /// <summary>Who is making a lab now: the person behind sudo when there is one, and their Opsmith data folder.</summary>
    public static string Maker(string dataDirectory)
    {
        var person = Environment.GetEnvironmentVariable("SUDO_USER") is { Length: > 0 } sudoUser ? sudoUser : Environment.UserName;
        return $"{person} (data folder {dataDirectory})";
    }
}
