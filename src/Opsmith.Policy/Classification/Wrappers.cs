using Opsmith.Policy.Classification.Rules;
using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification;

/// <summary>
/// What a wrapper program runs: another command (<see cref="Argv"/>), shell text (<see cref="Script"/>),
/// and/or a verdict of its own (<see cref="Own"/>, e.g. <c>sudo -i</c> with no command opens a root shell).
/// </summary>
internal sealed record Unwrapped(string Via, IReadOnlyList<ShellWord>? Argv = null, string? Script = null, Verdict? Own = null, Stdin? Stdin = null);

/// <summary>
/// Programs that run another program: privilege (<c>sudo</c>, <c>doas</c>, <c>su -c</c>), environment
/// (<c>env</c>, <c>nice</c>, <c>timeout</c>, <c>xargs</c>, ...) and shells (<c>sh -c</c>, <c>eval</c>, here-documents fed
/// to a shell). Each is peeled to what it runs, so <c>sudo -u postgres psql -c 'DROP ...'</c> is judged as psql.
/// </summary>
internal static class Wrappers
{
    private static readonly Dictionary<string, Func<Invocation, Unwrapped?>> Table = new()
    {
        ["sudo"] = Sudo,
        ["doas"] = call => Simple(call, "uC", [], "doas", noCommand: call.Has("-s") ? Opaque.InteractiveShell("doas -s") : null),
        ["env"] = Env,
        ["nice"] = call => Simple(call, "n", ["--adjustment"], "nice"),
        ["ionice"] = call => call.Has("-p", "-P", "-u", "--pid", "--pgid", "--uid")
            ? new Unwrapped("ionice", Own: Verdict.Service("ionice.existing-process", "changes the I/O priority of running processes"))
            : Simple(call, "cnt", ["--class", "--classdata"], "ionice"),
        ["timeout"] = Timeout,
        ["xargs"] = Xargs,
        ["nohup"] = call => Simple(call, "", [], "nohup"),
        ["stdbuf"] = call => Simple(call, "ioe", ["--input", "--output", "--error"], "stdbuf"),
        ["chroot"] = call => AfterPositionals(call, "", ["--userspec", "--groups"], 1, "chroot", Opaque.InteractiveShell("chroot")),
        ["flock"] = Flock,
        ["watch"] = Watch,
        ["exec"] = call => Simple(call, "a", [], "exec", noCommand: Verdict.Read("exec.redirect-only", "exec without a command only changes this shell's descriptors")),
        ["command"] = call => call.Has("-v", "-V") ? new Unwrapped("command", Own: Verdict.Read("command.lookup", "only looks a command up")) : Simple(call, "", [], "command"),
        ["builtin"] = call => Simple(call, "", [], "builtin"),
        ["time"] = call => WithOutputFile(call, Simple(call, "fo", ["--format", "--output"], "time"), "-o", "--output"),
        ["busybox"] = call => Simple(call, "", [], "busybox"),
        ["toybox"] = call => Simple(call, "", [], "toybox"),
        ["unbuffer"] = call => Simple(call, "", [], "unbuffer"),
        ["setsid"] = call => Simple(call, "", [], "setsid"),
        ["dumb-init"] = call => Simple(call, "", [], "dumb-init"),
        ["tini"] = call => Simple(call, "ep", [], "tini"),
        ["gosu"] = call => AfterPositionals(call, "", [], 1, "gosu", Verdict.Read("gosu.no-command", "no command")),
        ["su-exec"] = call => AfterPositionals(call, "", [], 1, "su-exec", Verdict.Read("su-exec.no-command", "no command")),
        ["pkexec"] = call => Simple(call, "", ["--user"], "pkexec", noCommand: Opaque.InteractiveShell("pkexec")),
        ["cgexec"] = call => Simple(call, "g", [], "cgexec"),
        ["setpriv"] = call => Simple(call, "", [], "setpriv"),
        ["nsenter"] = call => Simple(call, "tSGwr", ["--target", "--setuid", "--setgid", "--wd", "--root"], "nsenter", noCommand: Opaque.InteractiveShell("nsenter")),
        ["numactl"] = call => call.Has("-H", "--hardware", "-s", "--show")
            ? new Unwrapped("numactl", Own: Verdict.Read("numactl.show", "shows the NUMA layout"))
            : Simple(call, "NmCipP", ["--cpunodebind", "--membind", "--physcpubind", "--interleave", "--preferred"], "numactl"),
        ["taskset"] = Taskset,
        ["strace"] = call => WithOutputFile(call, Simple(call, "eopsuaEIPSXb", ["--output"], "strace", noCommand: Verdict.Read("strace.attach", "watches a running process's system calls")), "-o", "--output"),
        ["ltrace"] = call => WithOutputFile(call, Simple(call, "eopsuaEIPSXb", ["--output"], "ltrace", noCommand: Verdict.Read("ltrace.attach", "watches a running process's library calls")), "-o", "--output"),
        ["systemd-run"] = SystemdRun,
        ["su"] = call => SwitchUser(call, "su"),
        ["runuser"] = call => call.Has("-u", "--user") ? Simple(call, "ugGs", ["--user", "--group", "--supp-group", "--shell"], "runuser") : SwitchUser(call, "runuser"),
        ["sg"] = call => call.Value("-c") is { } script ? new Unwrapped("sg -c", Script: script) : AfterPositionals(call, "", [], 1, "sg", Opaque.InteractiveShell("sg")),
    };

    public static Unwrapped? Unwrap(Invocation call) =>
        Table.TryGetValue(call.Program, out var unwrap) ? unwrap(call)
        : RemoteExecution.Table.TryGetValue(call.Program, out var remote) ? remote(call)
        : Shells.Unwrap(call);

    /// <summary>For wrappers defined elsewhere: options first, then the command.</summary>
    public static Unwrapped SimpleCommand(Invocation call, string shortWithValue, string[] longWithValue, string via, Verdict? noCommand = null) =>
        Simple(call, shortWithValue, longWithValue, via, noCommand);

    /// <summary>For wrappers defined elsewhere: the command starts at <paramref name="start"/>.</summary>
    public static Unwrapped After(Invocation call, int start, string via, Verdict? noCommand) => Rest(call, start, via, noCommand);

    /// <summary>time -o FILE, strace -o FILE: the wrapper itself writes FILE.</summary>
    private static Unwrapped WithOutputFile(Invocation call, Unwrapped unwrapped, params string[] names)
    {
        var options = OptionSyntax.Parse(call.Args, "eopsuaEIPSXbf", ["--output", "--format"]);
        var file = options.Value(names);
        if (file is null) return unwrapped;
        // strace/ltrace -o '|CMD' or '!CMD' pipe the trace into a command: judged as that command, never read.
        if (file.Length > 1 && file[0] is '|' or '!')
        {
            call.Session.Script(file[1..], [.. call.Via, $"{call.Program} -o"]);
            return unwrapped with { Own = Verdict.Unknown($"{call.Program}.output-command", $"{call.Program} -o {file} pipes its output into a command (judged on its own)") };
        }
        var write = Targets.Write(ShellWord.Literal(file), call.Program, replaces: true);
        return unwrapped with { Own = unwrapped.Own is { } own ? Verdict.Max(own, write) : write };
    }

    /// <summary>A wrapper whose options come first and whose first positional word is the command.</summary>
    private static Unwrapped Simple(Invocation call, string shortWithValue, string[] longWithValue, string via, Verdict? noCommand = null)
    {
        var options = OptionSyntax.Parse(call.Args, shortWithValue, longWithValue);
        return Rest(call, options.FirstPositional, via, noCommand);
    }

    /// <summary>A wrapper whose command follows <paramref name="positionals"/> positional words (chroot DIR, gosu USER).</summary>
    private static Unwrapped AfterPositionals(Invocation call, string shortWithValue, string[] longWithValue, int positionals, string via, Verdict noCommand)
    {
        var options = OptionSyntax.Parse(call.Args, shortWithValue, longWithValue);
        var start = options.FirstPositional + positionals;
        return Rest(call, start, $"{via} {string.Join(' ', call.Args.Skip(options.FirstPositional).Take(positionals))}", noCommand);
    }

    private static Unwrapped Rest(Invocation call, int start, string via, Verdict? noCommand)
    {
        if (start >= call.Words.Count)
            return new Unwrapped(via, Own: noCommand ?? Verdict.Read($"{call.Program}.no-command", $"{call.Program} without a command runs nothing"));
        return new Unwrapped(via, Argv: call.Words.Skip(start).ToList());
    }

    private static Unwrapped Sudo(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "ughpCDrtTU",
            ["--user", "--group", "--host", "--prompt", "--close-from", "--chdir", "--role", "--type", "--command-timeout", "--other-user"]);
        if (options.Has("-e", "--edit"))
            return new Unwrapped("sudoedit", Own: Files.Edit(call.Words.Skip(options.FirstPositional)));
        var start = options.FirstPositional;
        while (start < call.Words.Count && ShellParser.AsAssignment(call.Words[start]) is not null) start++;
        var user = options.Value("-u", "--user");
        var via = user is null ? "sudo" : $"sudo -u {user}";
        var interactive = options.Has("-i", "-s", "--login", "--shell");
        if (start >= call.Words.Count)
            return new Unwrapped(via, Own: interactive ? Opaque.InteractiveShell("sudo -i") : Verdict.Read("sudo.no-command", "lists or refreshes sudo rights; runs nothing"));
        return new Unwrapped(via, Argv: call.Words.Skip(start).ToList());
    }

    private static Unwrapped Env(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "uCS", ["--unset", "--chdir", "--split-string"]);
        var start = options.FirstPositional;
        Verdict? own = null;
        while (start < call.Words.Count && ShellParser.AsAssignment(call.Words[start]) is { } assignment)
        {
            switch (EnvironmentVariables.Of(assignment))
            {
                case EnvironmentVariables.Effect.LoadsCode or EnvironmentVariables.Effect.ChangesPath:
                    own = Verdict.Unknown("opaque.environment", $"{assignment.Name} makes the program load code, configuration or programs that are not on the command line");
                    break;
                case EnvironmentVariables.Effect.RunsCommand:
                    call.Session.Script(EnvironmentVariables.CommandText(assignment), [.. call.Via, "env " + assignment.Name]);
                    break;
            }
            start++;
        }
        if (options.Value("-S", "--split-string") is { } split)
            return new Unwrapped("env -S", Script: split + " " + string.Join(' ', call.Words.Skip(start).Select(w => w.Raw)), Own: own);
        if (start >= call.Words.Count)
            return new Unwrapped("env", Own: own ?? Verdict.Read("env.print", "prints the environment"));
        return new Unwrapped("env", Argv: call.Words.Skip(start).ToList(), Own: own);
    }

    private static Unwrapped Timeout(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "sk", ["--signal", "--kill-after"]);
        return Rest(call, options.FirstPositional + 1, "timeout", null);
    }

    /// <summary>xargs appends what it reads to the command: those arguments are unknown until it runs.</summary>
    private static Unwrapped Xargs(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "adELnPsIie", ["--arg-file", "--delimiter", "--max-lines", "--max-args", "--max-procs", "--max-chars", "--replace", "--eof", "--process-slot-var"]);
        var start = options.FirstPositional;
        if (start >= call.Words.Count)
            return new Unwrapped("xargs", Own: Verdict.Read("xargs.echo", "xargs without a command only prints its input"));
        var replace = options.Value("-I", "--replace") ?? (options.Has("-i") ? options.Value("-i") ?? "{}" : null);
        var command = call.Words.Skip(start).ToList();
        var argv = replace is null
            ? [.. command, ShellWord.Runtime("{input}")]
            : command.Select(w => w.Text.Contains(replace) ? new ShellWord([new LiteralPart(w.Text[..w.Text.IndexOf(replace, StringComparison.Ordinal)], true, w.Raw), new RuntimePart(replace)], w.Raw) : w).ToList();
        return new Unwrapped("xargs", Argv: argv, Stdin: Stdin.None);
    }

    private static Unwrapped Flock(Invocation call)
    {
        // flock [OPTIONS] FILE -c TEXT | flock [OPTIONS] FILE COMMAND...: -c may come before or right after the file.
        var options = OptionSyntax.Parse(call.Args, "wWEc", ["--timeout", "--conflict-exit-code", "--command"]);
        var afterFile = options.FirstPositional + 1;
        if (options.Value("-c", "--command") is { } script) return new Unwrapped("flock -c", Script: script);
        if (afterFile + 1 < call.Args.Count && call.Args[afterFile] is "-c" or "--command") return new Unwrapped("flock -c", Script: call.Args[afterFile + 1]);
        return Rest(call, afterFile, "flock", Verdict.Read("flock.lock-only", "only takes a lock"));
    }

    /// <summary>watch runs its arguments through <c>sh -c</c> (joined by spaces) unless given -x.</summary>
    private static Unwrapped Watch(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "nq", ["--interval"]);
        if (options.Has("-x", "--exec")) return Rest(call, options.FirstPositional, "watch -x", null);
        var text = string.Join(' ', call.Args.Skip(options.FirstPositional));
        return text.Length == 0 ? Rest(call, call.Words.Count, "watch", null) : new Unwrapped("watch", Script: text);
    }

    private static Unwrapped Taskset(Invocation call)
    {
        if (call.Has("-p", "--pid")) return new Unwrapped("taskset", Own: Verdict.Service("taskset.existing-process", "changes the CPU affinity of a running process"));
        // taskset MASK CMD and taskset -c LIST CMD: the first positional is the CPU set.
        var options = OptionSyntax.Parse(call.Args, "", []);
        return Rest(call, options.FirstPositional + 1, "taskset", null);
    }

    private static Unwrapped SystemdRun(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "upEMH", ["--unit", "--property", "--description", "--slice", "--setenv", "--uid", "--gid", "--working-directory", "--on-active", "--on-calendar", "--machine", "--host", "--nice"]);
        var own = Verdict.Service("systemd-run.transient-unit", "starts a transient systemd unit");
        if (options.FirstPositional >= call.Words.Count) return new Unwrapped("systemd-run", Own: own);
        return new Unwrapped("systemd-run", Argv: call.Words.Skip(options.FirstPositional).ToList(), Own: own);
    }

    /// <summary>su and runuser: <c>-c TEXT</c> is shell text; without it they open an interactive shell.</summary>
    private static Unwrapped SwitchUser(Invocation call, string program)
    {
        var options = OptionSyntax.Parse(call.Args, "csgGw", ["--command", "--shell", "--group", "--supp-group", "--whitelist-environment", "--session-command"], stopAtPositional: false);
        var user = call.PositionalTexts("-c", "-s", "-g", "-G", "-w", "--command", "--shell", "--group").FirstOrDefault(a => a != "-") ?? "root";
        if (options.Value("-c", "--command", "--session-command") is { } script) return new Unwrapped($"{program} {user} -c", Script: script);
        return new Unwrapped($"{program} {user}", Own: Opaque.InteractiveShell(program));
    }
}
