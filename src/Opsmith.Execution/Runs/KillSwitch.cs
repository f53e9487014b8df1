using System.Text.Json;

namespace Opsmith.Execution.Runs;

/// <summary>Who engaged the kill switch, when and why.</summary>
public sealed record KillSwitchState(string By, DateTimeOffset Since, string Reason)
{
    public override string ToString() => $"switched on by {By} at {Since:u}{(Reason.Length > 0 ? $": {Reason}" : "")}";
}

/// <summary>
/// Stops every new mutating step at once, in every Opsmith process on this machine: a file in the data folder
/// that the executor reads before each step above <c>read</c>. Reads keep running, so diagnosis still works.
/// A file that cannot be read counts as on: when in doubt, stop.
/// </summary>
public sealed class KillSwitch(string dataDirectory) : IKillSwitch
{
    public string FilePath { get; } = Path.Combine(dataDirectory, "kill-switch");

    public KillSwitchState? Read()
    {
        if (!File.Exists(FilePath)) return null;
        try
        {
            return JsonSerializer.Deserialize<KillSwitchState>(File.ReadAllText(FilePath))
                   ?? new KillSwitchState("unknown", File.GetLastWriteTimeUtc(FilePath), "the kill-switch file is empty");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return new KillSwitchState("unknown", DateTimeOffset.MinValue, $"the kill-switch file cannot be read ({e.Message})");
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
}
