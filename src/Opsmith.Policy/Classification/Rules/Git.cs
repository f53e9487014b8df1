namespace Opsmith.Policy.Classification.Rules;

/// <summary>git: inspecting reads; fetching and committing change a working copy; discarding work or rewriting remote history cannot be undone.</summary>
internal static class Git
{
    private static readonly HashSet<string> ReadVerbs =
    [
        "status", "log", "diff", "show", "rev-parse", "describe", "ls-files", "ls-remote", "ls-tree", "blame", "grep", "shortlog", "cat-file",
        "rev-list", "for-each-ref", "show-ref", "name-rev", "whatchanged", "version", "help", "fsck", "count-objects", "show-branch", "cherry",
        "merge-base", "var", "check-ignore", "check-attr", "verify-commit", "verify-tag", "--version", "range-diff", "ls-files", "annotate", "describe", "--help", "-h",
    ];

    /// <summary>Configuration keys that only change how output looks or who commits.</summary>
    private static readonly string[] HarmlessConfig =
        ["color.", "core.quotepath", "core.abbrev", "log.", "user.", "advice.", "safe.directory", "column.", "i18n.", "format.pretty", "pretty.", "core.autocrlf", "diff.renames", "diff.algorithm", "status.", "blame.", "grep.", "init.defaultbranch", "protocol.version", "http.sslverify", "gc.auto", "maintenance.auto", "feature.", "versionsort."];

    /// <summary>Configuration keys whose value is a command git runs: judged as that command.</summary>
    private static readonly string[] CommandConfig = ["core.pager", "core.editor", "core.sshcommand", "sequence.editor", "diff.external", "core.fsmonitor", "pager.", "alias."];

    private static readonly HashSet<string> ServiceVerbs =
    [
        "fetch", "pull", "commit", "add", "checkout", "switch", "merge", "rebase", "cherry-pick", "revert", "stash", "tag", "branch", "remote", "config",
        "init", "clone", "mv", "rm", "am", "apply", "bisect", "notes", "submodule", "worktree", "gc", "maintenance", "sparse-checkout", "update-index",
        "push", "reset", "restore", "clean", "reflog", "format-patch", "archive", "bundle", "lfs", "update-ref", "symbolic-ref", "commit-tree", "mktag",
        "hash-object", "read-tree", "write-tree", "pack-refs", "fast-import", "replace", "rerere", "mergetool", "difftool", "citool", "gui", "request-pull", "send-email",
    ];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new() { ["git"] = Judge };

    private static Verdict Judge(Invocation call)
    {
        var global = GlobalOptions(call);
        var verdict = Verb(call);
        return global is { } g ? Verdict.Max(verdict, g) : verdict;
    }

    /// <summary>
    /// git's options before the verb: <c>-c</c> and <c>--config-env</c> set configuration that can run programs
    /// (core.fsmonitor, core.pager, alias.x=!cmd), <c>--exec-path</c> chooses where git's own programs come from,
    /// and <c>-C</c>, <c>--git-dir</c>, <c>--work-tree</c> point git at a repository whose configuration and hooks can run programs.
    /// </summary>
    private static Verdict? GlobalOptions(Invocation call)
    {
        var verdicts = new List<Verdict>();
        for (var i = 0; i < call.Args.Count; i++)
        {
            var arg = call.Args[i];
            if (arg.Length < 2 || arg[0] != '-') break;
            string? Next() => arg.Contains('=') ? arg[(arg.IndexOf('=') + 1)..] : i + 1 < call.Args.Count ? call.Args[++i] : null;
            var name = arg.Contains('=') ? arg[..arg.IndexOf('=')] : arg;
            if (name.StartsWith("-c", StringComparison.Ordinal) && name.Length > 2 && name[2] != '-' && name != "-C")
            {
                verdicts.Add(Config(call, arg[2..])); // -ccore.pager=cat: the value glued to the option
                continue;
            }
            switch (name)
            {
                case "-c":
                    verdicts.Add(Config(call, Next() ?? ""));
                    break;
                case "--config-env":
                    Next();
                    verdicts.Add(Verdict.Unknown("git.config-env", "sets git configuration from an environment variable the classifier cannot see; configuration can run programs"));
                    break;
                case "--exec-path":
                    if (arg.Contains('=') || i + 1 < call.Args.Count && !ReadVerbs.Contains(call.Args[i + 1]) && call.Args[i + 1].StartsWith('/'))
                    {
                        Next();
                        verdicts.Add(Verdict.Unknown("git.exec-path", "makes git run its sub-commands from another directory"));
                    }
                    break;
                case "-C" or "--git-dir" or "--work-tree":
                    var where = Next();
                    if (name == "-C" && where is "." or "./") break; // the working directory: the same repository git would use anyway
                    verdicts.Add(Verdict.Unknown($"git.{name.TrimStart('-')}", $"points git at {where}, a repository whose configuration and hooks (core.fsmonitor, core.pager, aliases) can run programs"));
                    break;
                case "-p" or "--paginate":
                    verdicts.Add(Verdict.Unknown("git.paginate", "pipes git's output into the pager the repository's configuration or $PAGER names"));
                    break;
                case "--namespace" or "--super-prefix" or "--list-cmds" or "--attr-source":
                    Next();
                    break;
            }
        }
        return verdicts.Count == 0 ? null : Verdict.Max(verdicts.Skip(1), verdicts[0]);
    }

    private static Verdict Config(Invocation call, string setting)
    {
        var eq = setting.IndexOf('=');
        var key = (eq < 0 ? setting : setting[..eq]).ToLowerInvariant();
        var value = eq < 0 ? "" : setting[(eq + 1)..];
        if (HarmlessConfig.Any(h => h.EndsWith('.') ? key.StartsWith(h, StringComparison.Ordinal) : key == h))
            return Verdict.Read("git.config-harmless", $"-c {key} only changes how git prints");
        if (CommandConfig.Any(c => c.EndsWith('.') ? key.StartsWith(c, StringComparison.Ordinal) : key == c))
        {
            if (key.StartsWith("alias.", StringComparison.Ordinal) && !value.StartsWith('!'))
                return Verdict.Unknown("git.config-alias", $"-c {key} makes a git alias; what it runs depends on how it is used");
            if (key == "core.fsmonitor" && value is "true" or "false" or "") return Verdict.Read("git.config-fsmonitor-builtin", "uses git's built-in file monitor");
            call.Session.Script(value.TrimStart('!'), [.. call.Via, $"git -c {key}"]);
            return Verdict.Unknown("git.config-command", $"-c {key} makes git run a command (also judged on its own); when and with what input git runs it is not visible here");
        }
        return Verdict.Unknown("git.config-unknown", $"-c {key}: a configuration setting the classifier does not know to be harmless (settings can run programs)");
    }

    /// <summary>The key <c>git config KEY VALUE</c> sets when it is one whose value git runs (or an unknown key), else null.</summary>
    private static string? ConfigSetsProgram(IReadOnlyList<string> rest)
    {
        var words = rest.Where(w => !w.StartsWith('-')).ToList();
        if (words.Count < 2 || words[0] is "get" or "list" or "get-all" or "get-regexp" or "get-urlmatch") return null;
        var key = (words[0] is "set" && words.Count >= 3 ? words[1] : words[0]).ToLowerInvariant();
        if (HarmlessConfig.Any(h => h.EndsWith('.') ? key.StartsWith(h, StringComparison.Ordinal) : key == h)) return null;
        return key;
    }

    private static Verdict Verb(Invocation call)
    {
        var words = call.PositionalTexts("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--exec-path", "--super-prefix", "--attr-source");
        var verb = words.FirstOrDefault() ?? call.Args.FirstOrDefault() ?? "help";
        var rest = words.Skip(1).ToList();
        var programs = call.Values("--upload-pack", "--receive-pack", "--exec").Concat(verb == "clone" ? call.Values("-u") : []).ToList();
        if (programs.Count > 0)
        {
            foreach (var program in programs) call.Session.Script(program, [.. call.Via, $"git {verb} (program option)"]);
            return Verdict.Destructive($"git.{verb}-runs-program", $"git {verb} is given a program to run (--upload-pack, --receive-pack, --exec), judged on its own");
        }
        if (ReadVerbs.Contains(verb))
        {
            if (call.Value("--output") is { } output) return Targets.Write(Shell.ShellWord.Literal(output), $"git-{verb}-output", replaces: true);
            if (call.Has("--ext-diff", "--textconv", "--paginate"))
                return Verdict.Unknown($"git.{verb}-external-program", $"git {verb} --ext-diff/--textconv runs the programs the repository's configuration names");
            if (call.Has("--upload-pack", "--exec", "--receive-pack") || verb == "grep" && (call.Has("--open-files-in-pager") || call.Args.Any(a => a == "-O" || a.StartsWith("-O", StringComparison.Ordinal) && a.Length > 2 && !a.StartsWith("--", StringComparison.Ordinal))))
                return Verdict.Unknown($"git.{verb}-runs-program", $"git {verb} is given a program to run (--upload-pack, --exec, -O)");
            return Verdict.Read($"git.{verb.TrimStart('-')}", $"git {verb} only reads");
        }
        if (call.Args.Contains("--dry-run") || verb == "clean" && call.Args.Any(a => a is "-n" or "--dry-run")) return Verdict.Read($"git.{verb}-dry-run", "only shows what it would do");
        bool Flag(params string[] flags) => call.Args.Any(flags.Contains);
        if (verb == "config" && ConfigSetsProgram(rest) is { } programKey)
            return Verdict.Unknown("git.config-program", $"git config sets {programKey}, a setting whose value git runs as a program");
        if (verb is "submodule" && rest.FirstOrDefault() == "foreach" || verb is "bisect" && rest.FirstOrDefault() == "run"
            || verb is "rebase" && (call.Has("--exec") || call.Args.Contains("-x")))
        {
            var text = verb == "rebase" ? call.Value("--exec", "-x") : string.Join(" ", rest.Skip(1));
            if (text is { Length: > 0 }) call.Session.Script(text, [.. call.Via, $"git {verb}"]);
            return Verdict.Unknown($"git.{verb}-runs-command", $"git {verb} runs a command (judged on its own) in places the classifier cannot see");
        }
        return verb switch
        {
            "update-ref" when Flag("-d", "--stdin") => Verdict.Destructive("git.update-ref-delete", "deletes or rewrites references directly"),
            "branch" when Flag("-D", "--delete", "-d") => Verdict.Destructive("git.branch-delete", "deletes branches"),
            "stash" when rest.Count > 0 && rest[0] is "list" or "show" => Verdict.Read("git.stash-list", "lists stashed changes"),
            "stash" when rest.Count > 0 && rest[0] is "drop" or "clear" => Verdict.Destructive("git.stash-drop", "throws stashed changes away"),
            "branch" or "tag" or "remote" or "worktree" or "reflog" or "config" or "submodule" when rest.Count == 0 || rest[0] is "list" or "show" or "-v" or "get-url" || Flag("--list", "-l", "--get", "--get-all", "-v", "--show-current", "--get-regexp")
                => Verdict.Read($"git.{verb}-list", $"lists {verb} entries"),
            "reset" when Flag("--hard", "--merge", "--keep") => Verdict.Destructive("git.reset-hard", "discards uncommitted changes"),
            "clean" when Flag("-f", "--force") || call.Args.Any(a => a.StartsWith('-') && !a.StartsWith("--") && a.Contains('f')) => Verdict.Destructive("git.clean", "deletes untracked files"),
            "checkout" or "restore" when Flag("--", ".", "-f", "--force", "--worktree", "-W") || verb == "restore" => Verdict.Destructive($"git.{verb}-discard", "overwrites uncommitted changes in the working tree"),
            "push" when Flag("-f", "--force", "--force-with-lease", "--delete", "-d", "--mirror", "--prune") || rest.Any(r => r.StartsWith(':') || r.StartsWith('+'))
                => Verdict.Destructive("git.push-force", "rewrites or deletes history on the remote"),
            "reflog" when rest.FirstOrDefault() is "expire" or "delete" => Verdict.Destructive("git.reflog-expire", "drops the record that lets lost commits be recovered"),
            "filter-branch" or "filter-repo" => Verdict.Destructive("git.rewrite-history", "rewrites every commit"),
            "gc" when call.Args.Any(a => a.StartsWith("--prune", StringComparison.Ordinal)) => Verdict.Destructive("git.gc-prune", "deletes unreachable commits now"),
            "rm" when Flag("-r", "-rf", "-fr") || call.Args.Any(a => a.StartsWith('-') && !a.StartsWith("--") && a.Contains('r')) => Verdict.Destructive("git.rm-recursive", "removes tracked files and directories from the working tree"),
            "prune" or "repack" when Flag("-d", "-a", "-A") && verb == "repack" || verb == "prune" => Verdict.Destructive($"git.{verb}", "deletes unreachable objects"),
            _ when ServiceVerbs.Contains(verb) => Verdict.Service($"git.{verb}", $"git {verb} changes the working copy or repository in a way that can be put back"),
            _ => Verdict.Unknown("git.unknown-verb", $"git {verb} is not a git command the classifier knows (it may be an alias or a git-{verb} program)"),
        };
    }
}
