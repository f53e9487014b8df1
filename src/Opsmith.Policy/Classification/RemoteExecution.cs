using Opsmith.Policy.Classification.Rules;
using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification;

/// <summary>
/// Programs that run a command somewhere else or later: sshpass, chrt, unshare, script, screen, tmux, parallel,
/// pdsh/clush, ansible, salt. The command is judged as if it ran here; what cannot be seen (typing into a
/// session, an interactive shell, a remote module the classifier does not know) is opaque.
/// </summary>
internal static class RemoteExecution
{
    public static readonly Dictionary<string, Func<Invocation, Unwrapped?>> Table = new()
    {
        ["sshpass"] = call => Wrappers.SimpleCommand(call, "pfdP", [], "sshpass"),
        ["chrt"] = Chrt,
        ["unshare"] = call => Wrappers.SimpleCommand(call, "SGRwl", ["--setuid", "--setgid", "--root", "--wd", "--propagation", "--map-user", "--map-group", "--map-users", "--map-groups", "--kill-child"], "unshare", Opaque.InteractiveShell("unshare")),
        ["script"] = Script,
        ["screen"] = Screen,
        ["tmux"] = Tmux,
        ["parallel"] = Parallel,
        ["pdsh"] = call => Remote(call, "wxgXlRtufN", "pdsh"),
        ["clush"] = call => Remote(call, "wxgXlRtufoO", "clush"),
        ["ansible"] = Ansible,
        ["salt"] = Salt,
        ["salt-ssh"] = Salt,
        ["firejail"] = call => Wrappers.SimpleCommand(call, "", [], "firejail", Opaque.InteractiveShell("firejail")),
        ["bwrap"] = call => Wrappers.SimpleCommand(call, "", ["--bind", "--ro-bind", "--dev-bind", "--chdir", "--setenv", "--unsetenv", "--uid", "--gid", "--hostname", "--proc", "--dev", "--tmpfs", "--dir", "--symlink", "--file", "--bind-data", "--ro-bind-data", "--remount-ro", "--exec-label", "--file-label", "--seccomp", "--args", "--cap-add", "--cap-drop", "--perms"], "bwrap"),
        ["run-one"] = call => Wrappers.SimpleCommand(call, "", [], "run-one"),
        ["with-lock-ex"] = call => Wrappers.SimpleCommand(call, "", [], "with-lock-ex"),
        ["caffeinate"] = call => Wrappers.SimpleCommand(call, "t", [], "caffeinate"),
        ["catchsegv"] = call => Wrappers.SimpleCommand(call, "", [], "catchsegv"),
        ["valgrind"] = call => Wrappers.SimpleCommand(call, "", [], "valgrind"),
        ["perf"] = Perf,
    };

    /// <summary>
    /// perf stat/record/trace [COMMAND]: the command is judged; record writes perf.data (or -o FILE), stat -o writes its file.
    /// report, list, top, annotate, diff and script without a script of its own only read; any other sub-command is unknown.
    /// </summary>
    private static Unwrapped Perf(Invocation call)
    {
        var sub = call.Args.FirstOrDefault();
        if (sub is "stat" or "record" or "trace")
        {
            var rest = call.WithWords(call.Words.Skip(1));
            var unwrapped = Wrappers.SimpleCommand(rest, "eopECFc", ["--event", "--output", "--pid", "--cpu", "--freq"], "perf " + sub, Verdict.Read("perf.attach", "samples running processes"));
            var output = OptionSyntax.Parse(rest.Args, "eopECFc", ["--event", "--output", "--pid", "--cpu", "--freq"]).Value("-o", "--output") ?? (sub == "record" ? "perf.data" : null);
            if (output is null) return unwrapped;
            var write = Targets.Write(ShellWord.Literal(output), "perf", replaces: true);
            return unwrapped with { Own = unwrapped.Own is { } own ? Verdict.Max(own, write) : write };
        }
        if (sub is null or "report" or "list" or "top" or "annotate" or "diff" or "evlist" or "version" or "--version" or "help" or "--help" or "buildid-list" or "kallsyms"
            || sub == "script" && !call.Has("-s", "--script", "-g", "--gen-script"))
            return new Unwrapped("perf", Own: Verdict.Read("perf.report", "reports performance data"));
        return new Unwrapped("perf", Own: Verdict.Unknown("perf.unknown-subcommand", $"perf {sub} is a sub-command the classifier does not know (some record, probe or run scripts)"));
    }

    /// <summary>chrt [OPTIONS] PRIORITY COMMAND; -p changes a running process; -m only shows the limits.</summary>
    private static Unwrapped Chrt(Invocation call)
    {
        if (call.Has("-m", "--max")) return new Unwrapped("chrt", Own: Verdict.Read("chrt.show", "shows scheduling limits"));
        if (call.Has("-p", "--pid")) return new Unwrapped("chrt", Own: Verdict.Service("chrt.existing-process", "changes the scheduling policy of a running process"));
        var options = OptionSyntax.Parse(call.Args, "TPD", ["--sched-runtime", "--sched-period", "--sched-deadline"]);
        return Wrappers.After(call, options.FirstPositional + 1, "chrt", null);
    }

    /// <summary>script -c COMMAND [FILE]: runs COMMAND (or a shell) and records it into FILE.</summary>
    private static Unwrapped Script(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "cEIOBTm", ["--command", "--echo", "--log-in", "--log-out", "--log-io", "--log-timing", "--logging-format", "--output-limit"], stopAtPositional: false);
        var file = call.Positionals("-c", "--command", "-E", "--echo", "-I", "--log-in", "-O", "--log-out", "-B", "--log-io", "-T", "--log-timing", "-m", "--logging-format", "--output-limit").FirstOrDefault() ?? ShellWord.Literal("typescript");
        var log = Targets.Write(file, "script", replaces: !options.Has("-a", "--append"));
        return options.Value("-c", "--command") is { } command
            ? new Unwrapped("script -c", Script: command, Own: log)
            : new Unwrapped("script", Own: Verdict.Max(log, Opaque.InteractiveShell("script")));
    }

    private static Unwrapped Screen(Invocation call)
    {
        var args = call.Args;
        if (args.Any(a => a is "-ls" or "-list" or "-v" or "--version" or "-h" or "--help")) return new Unwrapped("screen", Own: Verdict.Read("screen.list", "lists sessions"));
        if (args.Contains("-X")) return new Unwrapped("screen -X", Own: Verdict.Unknown("screen.send-command", "sends a command (or typed text) into a running session; what it does there is not read here"));
        if (args.Any(a => a is "-r" or "-x" or "-R" or "-RR" or "-D" or "-d" && !args.Contains("-m") && !args.Contains("-dm") && !args.Contains("-dmS")))
            return new Unwrapped("screen", Own: Verdict.Unknown("screen.attach", "attaches to a session; what is typed there is not on the command line"));
        var i = 0;
        while (i < args.Count && args[i].StartsWith('-'))
        {
            if (args[i] is "-S" or "-c" or "-e" or "-h" or "-p" or "-T" or "-Logfile" or "-t" || args[i].EndsWith('S') && args[i].Length > 2) i++;
            i++;
        }
        return Wrappers.After(call, i, "screen", Opaque.InteractiveShell("screen"));
    }

    /// <summary>tmux [-L/-S/-f] SUBCOMMAND [OPTIONS] [SHELL-COMMAND]: new-session, new-window, split-window, respawn-*, run-shell and if-shell run shell text.</summary>
    private static Unwrapped Tmux(Invocation call)
    {
        var global = OptionSyntax.Parse(call.Args, "LSfTc", []);
        if (global.Value("-c") is { } direct) return new Unwrapped("tmux -c", Script: direct);
        var sub = call.Args.ElementAtOrDefault(global.FirstPositional) ?? "new-session";
        var rest = call.Words.Skip(global.FirstPositional + 1).ToList();
        var options = OptionSyntax.Parse(rest.Select(w => w.Text).ToList(), "tsncFxyeplbSTEiBwd", []);
        var text = string.Join(' ', rest.Skip(options.FirstPositional).Select(w => w.Text));
        switch (sub)
        {
            case "new-session" or "new" or "new-window" or "neww" or "split-window" or "splitw" or "respawn-pane" or "respawnp" or "respawn-window" or "respawnw" or "run-shell" or "run" or "if-shell" or "if" or "pipe-pane" or "pipep" or "display-popup" or "popup":
                return text.Length > 0 ? new Unwrapped($"tmux {sub}", Script: text)
                    : new Unwrapped($"tmux {sub}", Own: Verdict.Unknown("tmux.shell", "starts a shell in a session; what is typed there is not on the command line"));
            case "ls" or "list-sessions" or "list-windows" or "lsw" or "list-panes" or "lsp" or "has-session" or "has" or "display-message" or "display" or "show-options" or "show" or "capture-pane" or "capturep" or "list-clients" or "lsc" or "list-keys" or "lsk" or "list-buffers" or "lsb" or "show-buffer" or "showb" or "info" or "start-server" or "start":
                return new Unwrapped("tmux", Own: Verdict.Read($"tmux.{sub}", "shows sessions, windows or panes"));
            case "kill-server" or "kill-session" or "kill-window" or "killw" or "kill-pane" or "killp":
                return new Unwrapped("tmux", Own: Verdict.Destructive($"tmux.{sub}", "ends sessions and the programs running in them"));
            default:
                return new Unwrapped("tmux", Own: Verdict.Unknown($"tmux.{sub}", $"tmux {sub} can type into or attach to a session; what happens there is not read here"));
        }
    }

    /// <summary>parallel [OPTIONS] COMMAND ::: ARGS: the command runs once per argument ({} stands for it; otherwise it is appended).</summary>
    private static Unwrapped Parallel(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "jSadIEnNLlsxXm", ["--jobs", "--sshlogin", "--arg-file", "--delimiter", "--colsep", "--joblog", "--results", "--tmpdir", "--timeout", "--retries", "--delay", "--memfree", "--load", "--shebang-wrap"]);
        var words = call.Words.Skip(options.FirstPositional).ToList();
        var separator = words.FindIndex(w => w.Text is ":::" or "::::" or ":::+" or "::::+");
        var command = separator < 0 ? words : words.Take(separator).ToList();
        var values = separator < 0 ? [ShellWord.Runtime("{input}")] : words.Skip(separator + 1).Where(w => !w.Text.StartsWith(":::", StringComparison.Ordinal)).ToList();
        if (command.Count == 0)
            return new Unwrapped("parallel", Own: Verdict.Unknown("parallel.commands-from-input", "runs command lines read from its input or argument list; they are not read here"));
        var argv = command.Any(w => w.Text.Contains("{}"))
            ? command.Select(w => w.Text.Contains("{}") ? values.FirstOrDefault() ?? ShellWord.Runtime("{}") : w).ToList()
            : [.. command, .. values];
        // A single word with spaces is a shell command line (parallel runs it through a shell).
        return command.Count == 1 && command[0].Text.Contains(' ')
            ? new Unwrapped("parallel", Script: command[0].Text + " " + string.Join(' ', values.Select(v => v.Text)))
            : new Unwrapped("parallel", Argv: argv, Stdin: Stdin.None);
    }

    /// <summary>pdsh/clush -w HOSTS COMMAND...: the command runs through each host's shell.</summary>
    private static Unwrapped Remote(Invocation call, string valueLetters, string program)
    {
        var options = OptionSyntax.Parse(call.Args, valueLetters, []);
        var text = string.Join(' ', call.Args.Skip(options.FirstPositional));
        return text.Length == 0
            ? new Unwrapped(program, Own: Verdict.Unknown($"{program}.interactive", $"{program} without a command reads commands interactively"))
            : new Unwrapped($"{program} {options.Value("-w") ?? ""}".TrimEnd(), Script: text);
    }

    private static readonly HashSet<string> AnsibleReadModules =
        ["ping", "setup", "stat", "debug", "service_facts", "package_facts", "gather_facts", "command_facts", "find", "uri", "wait_for", "assert", "getent", "listen_ports_facts", "mount_facts"];

    /// <summary>ansible PATTERN [-m MODULE] [-a ARGS]: command, shell and raw run ARGS as a command; other modules change what they manage.</summary>
    private static Unwrapped Ansible(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "maiuefMlbtBPkKcTCDv", ["--module-name", "--args", "--inventory", "--user", "--extra-vars", "--forks", "--limit", "--become-user", "--become-method", "--timeout", "--connection", "--private-key", "--vault-password-file", "--module-path", "--background", "--poll"], stopAtPositional: false);
        var module = options.Value("-m", "--module-name") ?? "command";
        var moduleArgs = options.Value("-a", "--args") ?? "";
        var check = options.Has("-C", "--check");
        var short_ = module.Split('.').Last();
        if (call.Has("--list-hosts")) return new Unwrapped("ansible", Own: Verdict.Read("ansible.list-hosts", "lists matching hosts"));
        if (short_ is "command" or "shell" or "raw" or "win_shell" or "win_command")
            return new Unwrapped($"ansible -m {short_}", Script: StripFreeFormOptions(moduleArgs));
        if (short_ == "script") return new Unwrapped("ansible -m script", Own: Verdict.Unknown("ansible.script", "runs a local script on the hosts; its content is not read here"));
        if (AnsibleReadModules.Contains(short_) || check) return new Unwrapped("ansible", Own: Verdict.Read($"ansible.{short_}", $"the {short_} module only gathers or checks"));
        if (short_ is "slurp" or "fetch") return new Unwrapped("ansible", Own: Verdict.Sensitive($"ansible.{short_}", "copies file contents from the hosts"));
        if (short_ is "file" && moduleArgs.Contains("state=absent") || short_ is "reboot" or "shutdown")
            return new Unwrapped("ansible", Own: Verdict.Destructive($"ansible.{short_}", $"the {short_} module removes files or restarts machines"));
        if (short_ is "copy" or "template" or "lineinfile" or "blockinfile" or "file" or "service" or "systemd" or "systemd_service" or "apt" or "yum" or "dnf" or "package" or "user" or "group" or "cron" or "sysctl" or "mount" or "git" or "pip" or "unarchive" or "get_url" or "replace" or "docker_container" or "k8s")
            return new Unwrapped("ansible", Own: Verdict.Service($"ansible.{short_}", $"the {short_} module changes what it manages on the hosts"));
        return new Unwrapped("ansible", Own: Verdict.Unknown($"ansible.{short_}", $"the {short_} module is not known to the classifier"));
    }

    /// <summary>Free-form command arguments may start with chdir=/creates=/removes= settings.</summary>
    private static string StripFreeFormOptions(string args)
    {
        var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        while (words.Count > 0 && words[0].Contains('=') && words[0].Split('=')[0] is "chdir" or "creates" or "removes" or "executable" or "warn" or "stdin") words.RemoveAt(0);
        return string.Join(' ', words);
    }

    /// <summary>salt TARGET FUNCTION [ARGS]: cmd.run and friends run ARGS as shell text; read functions read; others change minions.</summary>
    private static Unwrapped Salt(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "tbcsdo", ["--out", "--timeout", "--batch-size", "--config-dir", "--return", "--output", "--tgt-type", "--out-file"], stopAtPositional: false);
        var positionals = call.Positionals("-t", "-b", "-c", "--out", "--timeout", "--batch-size", "--config-dir", "--return", "--output", "--tgt-type", "--out-file");
        var function = positionals.ElementAtOrDefault(1)?.Text ?? "";
        var rest = positionals.Skip(2).Select(w => w.Text).ToList();
        var test = rest.Any(r => r is "test=True" or "test=true");
        if (function is "cmd.run" or "cmd.run_all" or "cmd.shell" or "cmd.run_stdout" or "cmd.run_stderr" or "cmd.exec_code" or "cmd.powershell")
            return new Unwrapped($"salt {function}", Script: string.Join(' ', rest.Where(r => !r.Contains('=') || r.Contains(' '))));
        if (function.StartsWith("cmd.", StringComparison.Ordinal) && function != "cmd.which")
            return new Unwrapped("salt", Own: Verdict.Unknown($"salt.{function}", "runs a script or command the classifier cannot read"));
        var module = function.Split('.')[0];
        var name = function.Contains('.') ? function[(function.IndexOf('.') + 1)..] : "";
        if (function is "pillar.items" or "pillar.get" or "pillar.raw" or "config.get")
            return new Unwrapped("salt", Own: Verdict.Sensitive($"salt.{function}", "prints pillar data, which usually holds secrets"));
        if (module is "test" or "grains" or "status" or "network" or "disk" or "sys" || module == "cmd" && name == "which" || test
            || name.StartsWith("list", StringComparison.Ordinal) || name.StartsWith("get", StringComparison.Ordinal) || name.StartsWith("show", StringComparison.Ordinal) || name is "status" or "info" or "version" or "available" or "usage" or "stats" or "ping" or "exists" or "running" or "enabled" or "disabled")
            return new Unwrapped("salt", Own: Verdict.Read($"salt.{function}", $"{function} only reports"));
        if (module is "state" or "pkg" or "service" or "file" or "user" or "group" or "cron" or "saltutil" or "mount" or "sysctl")
            return new Unwrapped("salt", Own: name is "remove" or "purge" or "absent" || module == "file" && name is "remove" or "delete"
                ? Verdict.Destructive($"salt.{function}", $"{function} removes what it names on the minions")
                : Verdict.Service($"salt.{function}", $"{function} changes the minions"));
        return new Unwrapped("salt", Own: Verdict.Unknown($"salt.{function}", $"{function} is not a salt function the classifier knows"));
    }
}
