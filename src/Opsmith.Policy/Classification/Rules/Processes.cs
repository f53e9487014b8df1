namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// kill, pkill, killall: signal 0 only probes; HUP/USR1/USR2/CONT/STOP ask a process to reload, reopen logs
/// or pause (service-mutation); every other signal ends processes, which cannot be undone (destructive).
/// </summary>
internal static class Processes
{
    private static readonly HashSet<string> GentleSignals = ["HUP", "1", "USR1", "10", "USR2", "12", "CONT", "18", "STOP", "19", "TSTP", "20", "WINCH", "28"];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new()
    {
        ["kill"] = call => Signal(call, "kill"),
        ["pkill"] = call => Signal(call, "pkill"),
        ["killall"] = call => Signal(call, "killall"),
        ["skill"] = call => Signal(call, "skill"),
        ["killall5"] = call => Verdict.Destructive("kill.all-processes", "killall5 signals every process on the machine"),
        ["renice"] = call => Verdict.Service("renice.priority", "changes the priority of running processes"),
    };

    private static Verdict Signal(Invocation call, string program)
    {
        if (call.Args.Any(a => a is "-l" or "-L" or "--list" or "--table" or "-V" or "--version"))
            return Verdict.Read($"{program}.list", "lists signals or prints the version");
        var signal = SignalName(call);
        var targets = call.Positionals("-s", "-n", "--signal", "-u", "-g", "-G", "-P", "-t", "-U", "--euid", "--uid", "--parent", "--session", "--terminal", "--pgroup", "--group", "-o", "-y", "--older-than", "--younger-than", "--ns", "--nslist")
            .Select(w => w.Text).Where(t => !IsSignalOption(t)).ToList();
        var what = targets.Count == 0 ? "the matched processes" : string.Join(' ', targets);
        if (signal is "0") return Verdict.Read($"{program}.probe", $"signal 0 only checks that {what} exist");
        if (GentleSignals.Contains(signal))
            return Verdict.Service($"{program}.signal-{signal.ToLowerInvariant()}", $"sends {signal} to {what}, asking it to reload, reopen files or pause");
        if (targets.Contains("-1") && program == "kill")
            return Verdict.Destructive("kill.all-processes", "kill -1 signals every process the user may signal");
        return Verdict.Destructive($"{program}.terminate", $"sends {signal} to {what}, ending the process; its in-memory state is lost");
    }

    /// <summary>-9, -KILL, -SIGKILL, -s KILL, -n 9, --signal KILL, --signal=KILL; TERM when none is given.</summary>
    private static string SignalName(Invocation call)
    {
        var named = call.Value("-s", "-n", "--signal") ?? call.Args.FirstOrDefault(IsSignalOption)?[1..];
        if (named is null) return "TERM";
        var upper = named.ToUpperInvariant();
        return upper.StartsWith("SIG", StringComparison.Ordinal) ? upper[3..] : upper;
    }

    private static bool IsSignalOption(string arg) =>
        arg.Length > 1 && arg[0] == '-' && arg[1] != '-' && (arg[1..].All(char.IsAsciiDigit) || arg[1..].All(char.IsAsciiLetterUpper) && arg.Length > 2);
}
