using Opsmith.Policy.Classification.Rules;

namespace Opsmith.Policy.Classification;

/// <summary>
/// Shells and what they run: <c>sh -c TEXT</c> and <c>eval</c> are read recursively, a here-document or
/// <c>echo 'literal' |</c> fed to a shell is read as its script, anything else piped into a shell cannot be
/// read (<c>curl ... | sh</c>). <c>ssh HOST CMD</c> runs CMD through the remote shell, so it is read the same way.
/// </summary>
internal static class Shells
{
    public static readonly HashSet<string> Names = ["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "yash", "rbash", "posh", "oksh", "loksh", "busybox-sh"];

    /// <summary>File names that are the standard input: a script read from them is whatever is piped in.</summary>
    public static bool IsStdinFile(string text) => text is "-" or "/dev/stdin" or "/dev/fd/0" or "/proc/self/fd/0" or "/dev/tty";

    public static Unwrapped? Unwrap(Invocation call) => call.Program switch
    {
        _ when Names.Contains(call.Program) => Shell(call),
        "eval" => Eval(call),
        "source" or "." => Source(call),
        "trap" => Trap(call),
        "alias" => Alias(call),
        "ssh" => Ssh(call),
        _ => null,
    };

    private static Unwrapped Shell(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "oO", ["--rcfile", "--init-file"]);
        var positional = call.Words.Skip(options.FirstPositional).ToList();
        if (options.Has("-c", "+c"))
        {
            if (positional.Count == 0) return new Unwrapped(call.Program, Own: Verdict.Read("shell.empty", "no script text"));
            var body = positional[0];
            return new Unwrapped($"{call.Program} -c", Script: body.Text, Own: body.IsLiteral ? null : Opaque.DynamicScript(body));
        }
        if (options.Has("-n")) return new Unwrapped(call.Program, Own: Verdict.Read("shell.syntax-check", "only checks the syntax of a script (-n)"));
        if (positional.Count > 0 && IsStdinFile(positional[0].Text)) return FromStdin(call, call.Program);
        if (positional.Count > 0 && !options.Has("-s"))
        {
            return positional[0].IsLiteral
                ? new Unwrapped(call.Program, Own: Verdict.Unknown("shell.script-file", $"runs the script {positional[0].Text}, whose content is not read here"))
                : new Unwrapped(call.Program, Own: Opaque.DynamicScript(positional[0]));
        }
        return FromStdin(call, call.Program);
    }

    /// <summary>A shell (or ssh without a command) runs whatever arrives on its standard input.</summary>
    private static Unwrapped FromStdin(Invocation call, string name) => call.Stdin.Kind switch
    {
        StdinKind.HereDoc => new Unwrapped($"{name} <<here-document", Script: call.Stdin.Text ?? ""),
        StdinKind.Pipe when call.Stdin.Text is { } text => new Unwrapped($"echo | {name}", Script: text),
        StdinKind.Pipe => new Unwrapped(name, Own: Opaque.PipeToShell(call.Stdin, name)),
        StdinKind.File => new Unwrapped(name, Own: Verdict.Unknown("shell.script-file", $"runs the script {call.Stdin.File?.Text}, whose content is not read here")),
        _ => new Unwrapped(name, Own: Opaque.InteractiveShell(name)),
    };

    private static Unwrapped Eval(Invocation call)
    {
        var text = string.Join(' ', call.Words.Select(w => w.Text));
        return new Unwrapped("eval", Script: text, Own: Opaque.Eval(call.Words));
    }

    private static Unwrapped Source(Invocation call)
    {
        var file = call.Args.FirstOrDefault() ?? "";
        if (call.Words.Count > 0 && !call.Words[0].IsLiteral) return new Unwrapped(call.Program, Own: Opaque.DynamicScript(call.Words[0]));
        if (IsStdinFile(file)) return FromStdin(call, call.Program);
        if (file is "/etc/os-release" or "/usr/lib/os-release" or "/etc/lsb-release")
            return new Unwrapped(call.Program, Own: Verdict.Read("source.os-release", "reads the distribution's identification variables"));
        return new Unwrapped(call.Program, Own: Verdict.Unknown("shell.source-file", $"runs the script {file} in this shell; its content is not read here"));
    }

    /// <summary><c>trap 'TEXT' SIGNALS</c>: TEXT runs later, on the signal, so it is judged like any other command.</summary>
    private static Unwrapped Trap(Invocation call)
    {
        var handler = call.Words.FirstOrDefault();
        if (handler is null || call.Args[0] is "-p" or "-l" or "-" or "") return new Unwrapped("trap", Own: Verdict.Read("trap.list", "lists or resets signal handlers"));
        return new Unwrapped("trap", Script: handler.Text);
    }

    /// <summary><c>alias x='rm -rf /'</c>: the text runs wherever x is used later (sh expands aliases in scripts too).</summary>
    private static Unwrapped Alias(Invocation call)
    {
        var bodies = call.Args.Where(a => a.Contains('=')).Select(a => a[(a.IndexOf('=') + 1)..]).ToList();
        return bodies.Count == 0
            ? new Unwrapped("alias", Own: Verdict.Read("alias.list", "lists aliases"))
            : new Unwrapped("alias", Script: string.Join("\n", bodies));
    }

    private const string SshValueLetters = "bcDEeFIiJLlmOopQRSWwB";

    /// <summary>
    /// ssh [OPTIONS] HOST [OPTIONS] [COMMAND...]: OpenSSH reads options after the host too, so <c>ssh host -p 2222 CMD</c>
    /// runs CMD. The command runs through the remote shell. <c>-o ProxyCommand=</c>, <c>LocalCommand</c> and
    /// <c>KnownHostsCommand</c> run commands here; another configuration file (<c>-F</c>) can hold them too.
    /// </summary>
    private static Unwrapped Ssh(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, SshValueLetters);
        var positional = call.Words.Skip(options.FirstPositional).ToList();
        if (options.Has("-V", "-G") || options.Value("-O") is "check") return new Unwrapped("ssh", Own: Verdict.Read("ssh.info", "prints ssh's version, configuration or connection state"));
        if (positional.Count == 0) return new Unwrapped("ssh", Own: Verdict.Read("ssh.no-host", "connects nowhere"));
        var after = OptionSyntax.Parse(call.Args.Skip(options.FirstPositional + 1).ToList(), SshValueLetters);
        var all = options.All.Concat(after.All).ToList();
        var command = call.Words.Skip(options.FirstPositional + 1 + after.FirstPositional).ToList();
        Verdict? own = null;
        foreach (var setting in all.Where(o => o.Key == "-o" && o.Value is not null).Select(o => o.Value!))
        {
            var split = setting.IndexOfAny(['=', ' ']);
            var key = (split < 0 ? setting : setting[..split]).ToLowerInvariant();
            var value = split < 0 ? "" : setting[(split + 1)..].TrimStart('=', ' ');
            if (key is "proxycommand" or "localcommand" or "knownhostscommand" or "remotecommand" && value is not "none" and not "")
                call.Session.Script(key == "remotecommand" ? value : value.Replace("%h", "host").Replace("%p", "22"), [.. call.Via, $"ssh -o {key}"]);
        }
        if (all.Any(o => o.Key == "-F" && o.Value is not "/dev/null" and not null))
            own = Verdict.Unknown("ssh.config-file", "reads another ssh configuration, which can run local commands (ProxyCommand, LocalCommand)");
        var via = $"ssh {positional[0].Text}";
        if (command.Count > 0) return new Unwrapped(via, Script: string.Join(' ', command.Select(w => w.Text)), Own: own);
        if (all.Any(o => o.Key == "-N")) return new Unwrapped(via, Own: own ?? Verdict.Read("ssh.tunnel", "only forwards ports (-N); runs no remote command"));
        var fromStdin = FromStdin(call, via);
        return own is { } o2 ? fromStdin with { Own = fromStdin.Own is { } existing ? Verdict.Max(existing, o2) : o2 } : fromStdin;
    }
}
