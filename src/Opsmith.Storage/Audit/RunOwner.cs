using System.Globalization;

namespace Opsmith.Storage.Audit;

/// <summary>
/// The process that started a run, recorded on its run-started record so a later Opsmith can tell whether
/// that process is still alive. A process id alone is not enough — ids are reused and reset at boot — so
/// the owner is (machine, kernel boot id, process id, process start time in clock ticks since boot), which
/// names one process on one boot of one machine.
/// </summary>
public sealed record RunOwner(string Machine, int ProcessId, string BootId, long StartTicks)
{
    private const string BootIdFile = "/proc/sys/kernel/random/boot_id";

    public static RunOwner OfCurrentProcess()
    {
        var pid = Environment.ProcessId;
        var stat = ProcessStat.Read(pid) ?? throw new InvalidOperationException($"cannot read /proc/{pid}/stat of this process");
        return new RunOwner(Environment.MachineName, pid, CurrentBootId(), stat.StartTicks);
    }

    /// <summary>Whether the owning process still runs, judged from this machine's /proc.</summary>
    public RunOwnerState Probe()
    {
        if (!string.Equals(Machine, Environment.MachineName, StringComparison.Ordinal))
            return new RunOwnerState(RunOwnerStatus.Unknown, $"the run belongs to a process on {Machine}; only that machine can tell whether it still runs");
        if (!string.Equals(BootId, CurrentBootId(), StringComparison.Ordinal))
            return new RunOwnerState(RunOwnerStatus.Gone, $"{Machine} has restarted since process {ProcessId} started the run");
        var stat = ProcessStat.Read(ProcessId);
        if (stat is null)
            return new RunOwnerState(RunOwnerStatus.Gone, $"process {ProcessId} on {Machine} no longer exists");
        if (stat.StartTicks != StartTicks)
            return new RunOwnerState(RunOwnerStatus.Gone, $"process {ProcessId} on {Machine} has ended (its id now belongs to another process)");
        if (stat.State is 'Z' or 'X')
            return new RunOwnerState(RunOwnerStatus.Gone, $"process {ProcessId} on {Machine} has ended (it is a zombie awaiting its parent)");
        return new RunOwnerState(RunOwnerStatus.Alive, $"process {ProcessId} on {Machine} is still running");
    }

    private static string CurrentBootId() => File.Exists(BootIdFile) ? File.ReadAllText(BootIdFile).Trim() : "";
}

public enum RunOwnerStatus
{
    Alive,
    Gone,
    /// <summary>The owner ran on another machine (a shared PostgreSQL trail): this machine cannot tell.</summary>
    Unknown,
}

public sealed record RunOwnerState(RunOwnerStatus Status, string Reason);

/// <summary>The two fields of <c>/proc/PID/stat</c> that identify a live process (see proc(5)).</summary>
internal sealed record ProcessStat(char State, long StartTicks)
{
    public static ProcessStat? Read(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; } // gone, or not ours to see
        return Parse(text);
    }

    /// <summary>Fields after the command name, which is in parentheses and may itself hold spaces and ')'.</summary>
    internal static ProcessStat? Parse(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        if (fields.Length < 20 || fields[0].Length != 1) return null;
        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new ProcessStat(fields[0][0], start)
            : null;
    }
}
