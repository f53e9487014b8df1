using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Programs that print, except for one feature that writes, connects or runs: xxd's output file, dc's <c>!</c>,
/// jc's command, dasel put, mktemp's file, telnet's input, resolver and monitoring tools' change verbs.
/// </summary>
internal static class Listers
{
    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new()
    {
        ["xxd"] = Xxd,
        ["dc"] = Dc,
        ["jc"] = Jc,
        ["dasel"] = call => call.PositionalTexts("-f", "--file", "-r", "--read", "-w", "--write", "-s", "--selector").FirstOrDefault() is "put" or "delete"
            ? Verdict.Service("dasel.write", "changes a file in place") : Verdict.Read("dasel.select", "prints a selection"),
        ["mktemp"] = Mktemp,
        ["telnet"] = call => RawProtocol.Judge("telnet", call.Stdin.Text, call.Stdin.Kind, call.PositionalTexts("-l", "-e", "-n", "-b").ElementAtOrDefault(1) is { } port && int.TryParse(port, out var p) ? p : 23),
        ["systemd-resolve"] = call => call.Args.Any(a => a.StartsWith("--set", StringComparison.Ordinal) || a.StartsWith("--revert", StringComparison.Ordinal) || a.StartsWith("--flush", StringComparison.Ordinal) || a.StartsWith("--reset", StringComparison.Ordinal))
            ? Verdict.Service("systemd-resolve.change", "changes DNS settings or flushes caches") : Verdict.Read("systemd-resolve.query", "resolves names or shows DNS state"),
        ["promtool"] = new VerbTable("promtool", [], Read: ["check*", "query*", "test*", "debug*", "tsdb list", "tsdb analyze", "tsdb dump", "tsdb dump-openmetrics"],
            Service: ["push*", "tsdb create-blocks-from*"], Destructive: [], Data: []).Judge,
        ["amtool"] = new VerbTable("amtool", ["--alertmanager.url", "-o", "--output"], Read: ["alert", "alert query", "silence", "silence query", "check-config", "config*", "cluster*", "template*"],
            Service: ["alert add", "silence add", "silence expire", "silence import", "silence update"], Destructive: [], Data: []).Judge,
        ["systemd-analyze"] = call => call.PositionalTexts().FirstOrDefault() is "set-log-level" or "set-log-target" or "service-watchdogs" && call.PositionalTexts().Count > 1
            ? Verdict.Service("systemd-analyze.set", "changes the service manager's settings") : Verdict.Read("systemd-analyze.read", "analyses boot and unit files"),
        ["httpstat"] = call => Http.Rules["curl"](call),
        ["delta"] = call => Verdict.Read("delta.read", "shows a diff"),
        ["ssh-agent"] = call => call.HasShort('k') ? Verdict.Service("ssh-agent.kill", "stops the ssh agent") : Verdict.Service("ssh-agent.start", "starts an ssh agent"),
        ["ssh-add"] = call => call.HasShort('l') || call.HasShort('L') || call.HasShort('T') ? Verdict.Read("ssh-add.list", "lists loaded keys")
            : call.HasShort('D') || call.HasShort('d') ? Verdict.Service("ssh-add.remove", "removes keys from the agent") : Verdict.Service("ssh-add.add", "adds keys to the agent"),
        ["ssh-keyscan"] = call => Verdict.Read("ssh-keyscan.read", "fetches host keys"),
    };

    /// <summary>xxd IN OUT writes OUT (with -r, binary made from a dump: a way to write any file).</summary>
    private static Verdict Xxd(Invocation call)
    {
        var positionals = call.Positionals("-c", "-cols", "-g", "-groupsize", "-l", "-len", "-o", "-offset", "-s", "-seek", "-n", "-name", "-R");
        return positionals.Count >= 2 ? Targets.Write(positionals[1], "xxd", replaces: true) : Verdict.Read("xxd.stdout", "prints a hex dump");
    }

    /// <summary>dc's <c>!</c> command runs the rest of the line in a shell.</summary>
    private static Verdict Dc(Invocation call)
    {
        var scripts = call.Values("-e", "--expression").ToList();
        if (call.Values("-f", "--file").Count > 0 || call.Positionals("-e", "--expression", "-f", "--file").Count > 0)
            return Verdict.Unknown("dc.script-file", "runs a dc script from a file; dc's ! command runs shell commands");
        if (call.Stdin.Kind != StdinKind.None) scripts.Add(call.Stdin.Text ?? "!unknown");
        foreach (var script in scripts)
        {
            var bang = script.IndexOf('!');
            if (bang < 0 || bang + 1 < script.Length && script[bang + 1] is '=' or '<' or '>') continue;
            var command = script[(bang + 1)..].Split('\n')[0];
            call.Session.Script(command, [.. call.Via, "dc !"]);
            return Verdict.Destructive("dc.shell", "the dc program runs a shell command (!)");
        }
        return Verdict.Read("dc.calculate", "calculates");
    }

    /// <summary><c>jc COMMAND ARGS</c> ("magic" syntax) runs COMMAND and parses its output.</summary>
    private static Verdict Jc(Invocation call)
    {
        var first = call.Words.Select((w, i) => (w, i)).FirstOrDefault(x => !x.w.Text.StartsWith('-'));
        if (first.w is null) return Verdict.Read("jc.parse", "parses its input");
        call.Session.Run(call.Words.Skip(first.i).ToList(), [], Stdin.None, [.. call.Via, "jc"]);
        return Verdict.Read("jc.run", "runs a command and parses its output (the command is judged on its own)");
    }

    private static Verdict Mktemp(Invocation call)
    {
        if (call.HasShort('u') || call.Has("--dry-run")) return Verdict.Read("mktemp.name", "only prints a name");
        var directory = call.Value("-p", "--tmpdir");
        var template = call.Positionals("-p", "--tmpdir", "--suffix").FirstOrDefault()?.Text;
        var where = directory ?? (template is not null && template.Contains('/') ? template : "/tmp/x");
        return Paths.Kind(where, exact: false) is PathKind.Safe or PathKind.TempRoot
            ? Verdict.PrivateTmp("mktemp.temp-path", "creates an empty file or directory under /tmp")
            : Targets.Write(ShellWord.Literal(where), "mktemp", replaces: false);
    }
}
