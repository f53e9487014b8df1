using System.Text;
using System.Text.Json;

using Opsmith.Core.Inventories;

namespace Opsmith.Execution.Runs;

/// <summary>Who engaged the kill switch, when and why.</summary>
public sealed record KillSwitchState(string By, DateTimeOffset Since, string Reason)
{
    /// <summary>Who and why when the file does not say: the switch is on, by someone Opsmith cannot name.</summary>
    public const string Unknown = "unknown";

    public override string ToString() => $"switched on by {By} at {Since:u}{(Reason is { Length: > 0 } ? $": {Reason}" : "")}";
}

/// <summary>
/// Stops every new mutating step at once, in every Opsmith process on this machine: a file in the data folder
/// that the executor reads before each step above <c>read</c>. Reads keep running, so diagnosis still works.
/// Fails closed: anything at the path that is not a complete state (not a file, unreadable, too large, not
/// JSON, a field missing or of the wrong type) counts as on, with a reason that says what is wrong.
/// </summary>
public sealed class KillSwitch(string dataDirectory) : IKillSwitch
{
    /// <summary>A state is a few hundred bytes; more is not a state (and a device would never end).</summary>
    private const int MaxBytes = 64 * 1024;

    public string FilePath { get; } = Path.Combine(dataDirectory, "kill-switch");

    public KillSwitchState? Read()
    {
        if (!Path.Exists(FilePath) && !IsLink(FilePath)) return null;
        try
        {
            // Asked without opening it: opening a FIFO blocks every mutating step until someone writes to it.
            var kind = FileKinds.Of(FilePath);
            if (kind is not (FileKind.RegularFile or FileKind.Missing))
                return Unreadable($"the kill-switch path is {FileKinds.Describe(kind)}, not a file");
            if (!ReadBounded(FilePath, out var text)) return Unreadable($"the kill-switch file is larger than {MaxBytes} bytes");
            return Parse(text);
        }
        catch (Exception e)
        {
            return Unreadable($"the kill-switch file cannot be read ({e.GetType().Name}: {e.Message})");
        }
    }

    /// <summary>
    /// The state a file's text holds, read field by field: every missing or malformed part makes the switch on,
    /// by <see cref="KillSwitchState.Unknown"/>, saying what was wrong (an empty object, <c>{}</c>, included).
    /// </summary>
    public static KillSwitchState Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Unreadable("the kill-switch file is empty");
        JsonDocument document;
        try { document = JsonDocument.Parse(text); }
        catch (JsonException e) { return Unreadable($"the kill-switch file is not JSON ({e.Message})"); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return Unreadable("the kill-switch file does not hold a JSON object");
            var problems = new List<string>();
            var by = Text(document.RootElement, "By", problems);
            var reason = Text(document.RootElement, "Reason", problems, emptyAllowed: true);
            var since = DateTimeOffset.MinValue;
            if (!Field(document.RootElement, "Since", out var sinceElement)) problems.Add("no 'Since'");
            else if (sinceElement.ValueKind != JsonValueKind.String || !sinceElement.TryGetDateTimeOffset(out since)) problems.Add("'Since' is not a time");
            if (problems.Count == 0) return new KillSwitchState(by!, since, reason!);
            return new KillSwitchState(by ?? KillSwitchState.Unknown, since,
                $"the kill-switch file is incomplete ({string.Join(", ", problems)}){(reason is { Length: > 0 } ? $"; its reason: {reason}" : "")}");
        }
    }

    public void TurnOn(KillSwitchState state)
    {
        Directory.CreateDirectory(dataDirectory);
        var temporary = $"{FilePath}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state));
        File.Move(temporary, FilePath, overwrite: true);
    }

    public bool TurnOff()
    {
        if (!File.Exists(FilePath)) return false;
        File.Delete(FilePath);
        return true;
    }

    private static KillSwitchState Unreadable(string reason) => new(KillSwitchState.Unknown, DateTimeOffset.MinValue, reason);

    /// <summary>A link whose target is gone still says someone put a switch there: read it (and fail) rather than ignore it.</summary>
    private static bool IsLink(string path)
    {
        try { return new FileInfo(path).LinkTarget is not null; }
        catch (IOException) { return false; }
    }

    private static bool ReadBounded(string path, out string text)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[MaxBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0) total += read;
        text = total > MaxBytes ? "" : Encoding.UTF8.GetString(buffer, 0, total);
        return total <= MaxBytes;
    }

    private static bool Field(JsonElement root, string name, out JsonElement value)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (!string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) continue;
            value = property.Value;
            return true;
        }
        value = default;
        return false;
    }

    private static string? Text(JsonElement root, string name, List<string> problems, bool emptyAllowed = false)
    {
        if (!Field(root, name, out var element)) { problems.Add($"no '{name}'"); return null; }
        if (element.ValueKind != JsonValueKind.String) { problems.Add($"'{name}' is not text"); return null; }
        var text = element.GetString()!;
        if (text.Length == 0 && !emptyAllowed) { problems.Add($"'{name}' is empty"); return null; }
        return text;
    }
}
