using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Removing, moving, copying and writing files: rm, mv, cp, install, ln, touch, mkdir, truncate, tee, rsync, scp.
/// Temporary paths are free; data directories are data-mutation; removing anything else cannot be undone.
/// </summary>
internal static class Files
{
    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new()
    {
        ["rm"] = Rm,
        ["unlink"] = call => Targets.Worst(call.Positionals().Select(t => Targets.Remove(t, "rm", recursive: false)), Nothing("unlink")),
        ["rmdir"] = call => Targets.Worst(call.Positionals().Select(t => Paths.Kind(t) == PathKind.Safe
            ? Verdict.PrivateTmp("rmdir.temp-path", $"removes the empty temporary directory {t.Text}")
            : Verdict.Service("rmdir.empty-directory", $"removes the directory {t.Text} (only when it is empty)")), Nothing("rmdir")),
        ["mv"] = Mv,
        ["cp"] = call => Copy(call, "cp", "tSb", ["--target-directory", "--suffix", "--backup"]),
        ["install"] = call => Verdict.Max(call.Has("-d", "--directory") ? Create(call) : Copy(call, "install", "tSmogZ", ["--target-directory", "--suffix", "--mode", "--owner", "--group"]),
            call.Value("-m", "--mode") is { } mode && Permissions.IsSetUid(mode) ? Verdict.Destructive("install.setuid", $"mode {mode} makes the installed program run with its owner's rights") : Verdict.Read("install.mode", "no set-user-ID mode")),
        ["ln"] = call => Copy(call, "ln", "tS", ["--target-directory", "--suffix"]),
        ["touch"] = Create,
        ["mkdir"] = Create,
        ["truncate"] = call => Targets.Worst(call.Positionals("-s", "--size", "-r", "--reference").Select(t => Targets.Write(t, "truncate", replaces: true)), Nothing("truncate")),
        ["tee"] = call => Targets.Worst(call.Positionals("--output-error").Select(t => Targets.Write(t, "tee", replaces: !call.Has("-a", "--append") && !call.HasShort('a'))),
            Verdict.Read("tee.stdout", "copies its input to standard output only")),
        ["rsync"] = Rsync,
        ["scp"] = Scp,
        ["sort"] = Sort,
        ["uniq"] = Uniq,
        ["split"] = call => Targets.Write(call.Positionals("-l", "-b", "-C", "-n", "-a", "-t", "--lines", "--bytes", "--number", "--suffix-length", "--additional-suffix") is { Count: >= 2 } p ? p[1] : ShellWord.Literal("x"), "split", replaces: true),
        ["csplit"] = call => Targets.Write(ShellWord.Literal(call.Value("-f", "--prefix") ?? "xx"), "csplit", replaces: true),
    };

    /// <summary>uniq [OPTION]... [INPUT [OUTPUT]]: a second file name is written. Option values (-f 2, -cf2) are not file names.</summary>
    private static Verdict Uniq(Invocation call)
    {
        var positionals = new List<ShellWord>();
        for (var i = 0; i < call.Words.Count; i++)
        {
            var arg = call.Args[i];
            if (arg == "--") { positionals.AddRange(call.Words.Skip(i + 1)); break; }
            if (arg.Length > 1 && arg[0] == '-')
            {
                var takesValue = arg is "--skip-fields" or "--skip-chars" or "--check-chars"
                    || !arg.StartsWith("--", StringComparison.Ordinal) && arg[^1] is 'f' or 's' or 'w' && arg[1..].All(char.IsAsciiLetter);
                if (takesValue) i++;
                continue;
            }
            positionals.Add(call.Words[i]);
        }
        return positionals.Count >= 2 ? Targets.Write(positionals[1], "uniq", replaces: true) : Verdict.Read("uniq.stdout", "filters to standard output");
    }

    /// <summary>A program written, copied or linked here is no longer the one its name says (cp /bin/rm ./ls; ./ls).</summary>
    private static void NoteWritten(Invocation call, ShellWord destination, IEnumerable<ShellWord> sources)
    {
        call.Session.NoteWritten(destination);
        foreach (var source in sources) call.Session.NoteWritten(ShellWord.Literal(destination.Text.TrimEnd('/') + "/" + ClassificationSession.ProgramName(source.Text)));
    }

    private static Verdict Nothing(string program) => Verdict.Read($"{program}.nothing", "no path given");

    private static Verdict Rm(Invocation call)
    {
        var recursive = call.HasShort('r') || call.HasShort('R') || call.Has("--recursive");
        var targets = call.Positionals();
        var verdict = Targets.Worst(targets.Select(t => Targets.Remove(t, "rm", recursive)), Nothing("rm"));
        if (call.Has("--no-preserve-root")) verdict = Verdict.Max(verdict, Verdict.Data("rm.no-preserve-root", "--no-preserve-root allows removing / itself"));
        return verdict;
    }

    private static Verdict Mv(Invocation call)
    {
        var positionals = call.Positionals("-t", "--target-directory", "-S", "--suffix");
        if (positionals.Count == 0) return Nothing("mv");
        var targetDirectory = call.Value("-t", "--target-directory");
        var destination = targetDirectory is not null ? ShellWord.Literal(targetDirectory) : positionals[^1];
        var sources = targetDirectory is not null ? positionals : positionals.Take(positionals.Count - 1);
        var moved = sources.Select(source => Paths.Kind(source) switch
        {
            PathKind.Safe => Verdict.PrivateTmp("mv.temp-path", $"moves the temporary path {source.Text}"),
            PathKind.Data or PathKind.DataAncestor => Verdict.Data("mv.data-path", $"moves {source.Text} away from where its data store expects it"),
            PathKind.Critical or PathKind.Disk => Verdict.Destructive("mv.critical-system-file", $"moves {source.Text}, which the system depends on"),
            _ => Verdict.Service("mv.move", $"moves {source.Text} (it can be moved back)"),
        });
        NoteWritten(call, destination, sources);
        var landing = Targets.Write(destination, "mv", replaces: true);
        return Targets.Worst(moved.Append(landing), Nothing("mv"));
    }

    /// <summary>cp, install and ln: what matters is where they write.</summary>
    private static Verdict Copy(Invocation call, string family, string shortWithValue, string[] longWithValue)
    {
        var valueOptions = shortWithValue.Select(c => "-" + c).Concat(longWithValue).ToArray();
        var positionals = call.Positionals(valueOptions);
        var targetDirectory = call.Value("-t", "--target-directory");
        if (targetDirectory is not null) return Targets.Write(ShellWord.Literal(targetDirectory), family, replaces: true);
        if (positionals.Count < 2 && family != "ln") return Nothing(family);
        var destination = positionals.Count >= 2 ? positionals[^1] : ShellWord.Literal(".");
        NoteWritten(call, destination, positionals.Take(Math.Max(positionals.Count - 1, 1)));
        return Targets.Write(destination, family, replaces: family != "ln" || call.HasShort('f') || call.Has("--force"));
    }

    /// <summary>touch, mkdir, install -d: creating something new only changes the system a little.</summary>
    private static Verdict Create(Invocation call)
    {
        var targets = call.Positionals("-m", "--mode", "-d", "--date", "-r", "--reference", "-t", "-Z", "--context");
        return Targets.Worst(targets.Select(t => Paths.Kind(t) is PathKind.Safe or PathKind.TempRoot
            ? Verdict.PrivateTmp($"{call.Program}.temp-path", $"creates {t.Text} in a temporary directory")
            : Verdict.Service($"{call.Program}.create", $"creates or updates {t.Text}")), Nothing(call.Program));
    }

    private static Verdict Rsync(Invocation call)
    {
        foreach (var shell in call.Values("-e", "--rsh")) call.Session.Script(shell, [.. call.Via, "rsync -e"]);
        if (call.Value("--rsync-path") is { } rsyncPath)
        {
            call.Session.Script(rsyncPath, [.. call.Via, "rsync --rsync-path (on the remote host)"]);
            return Verdict.Destructive("rsync.remote-program", "rsync --rsync-path runs a command of its choice on the other host");
        }
        if (call.HasShort('n') || call.Has("--dry-run", "--list-only")) return Verdict.Read("rsync.dry-run", "only lists what it would transfer");
        var positionals = call.Positionals("-e", "--rsh", "-f", "--filter", "-T", "--temp-dir", "-B", "--block-size", "-M", "--remote-option");
        if (positionals.Count < 2) return Verdict.Read("rsync.list", "lists a source");
        var destination = positionals[^1];
        var remote = IsRemote(destination.Text);
        var deletes = call.Args.Any(a => a.StartsWith("--del", StringComparison.Ordinal));
        var target = remote ? RemotePath(destination) : destination;
        var verdicts = new List<Verdict> { Targets.Write(target, remote ? "rsync-remote" : "rsync", replaces: true) };
        if (deletes)
        {
            verdicts.Add(Paths.Kind(target) is PathKind.Data or PathKind.DataAncestor
                ? Verdict.Data("rsync.delete-data", $"deletes files in {destination.Text}, where stored data lives")
                : Verdict.Destructive("rsync.delete", $"deletes files in {destination.Text} that the source does not have"));
        }
        if (call.Has("--remove-source-files"))
            verdicts.AddRange(positionals.Take(positionals.Count - 1).Select(s => Targets.Remove(s, "rsync", recursive: true)));
        return Targets.Worst(verdicts, Nothing("rsync"));
    }

    /// <summary>sort -o FILE writes FILE; -T DIR writes its temporary files into DIR (read only with a private /tmp when DIR is /tmp).</summary>
    private static Verdict Sort(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "kStTo", ["--key", "--field-separator", "--buffer-size", "--temporary-directory", "--parallel", "--output", "--sort", "--random-source", "--files0-from", "--batch-size"], stopAtPositional: false);
        var verdicts = new List<Verdict>();
        if (options.Value("-o", "--output") is { } file) verdicts.Add(Targets.Write(ShellWord.Literal(file), "sort", replaces: true));
        foreach (var directory in options.Values("-T", "--temporary-directory"))
            verdicts.Add(directory.Length == 0 ? Verdict.Service("sort-temporary-directory.write-file", "writes temporary files into the current directory") : Targets.Write(ShellWord.Literal(directory.TrimEnd('/') + "/sortXXXXXX"), "sort-temporary-directory", replaces: false));
        return Targets.Worst(verdicts, Verdict.Read("sort.stdout", "sorts to standard output"));
    }

    private static Verdict Scp(Invocation call)
    {
        var positionals = call.Positionals("-P", "-i", "-o", "-F", "-c", "-l", "-S", "-J");
        if (call.Value("-S") is { } program)
        {
            call.Session.Run([ShellWord.Literal(program)], [], Stdin.None, [.. call.Via, "scp -S"]);
            return Verdict.Unknown("scp.program", $"scp -S {program}: copies through a program of its own choosing (judged on its own)");
        }
        if (call.Values("-o").FirstOrDefault(o => o.StartsWith("ProxyCommand", StringComparison.OrdinalIgnoreCase) || o.StartsWith("LocalCommand", StringComparison.OrdinalIgnoreCase)) is { } option)
            return Verdict.Unknown("scp.ssh-command-option", $"scp -o {option} runs a command the classifier does not follow");
        if (positionals.Count < 2) return Nothing("scp");
        var destination = positionals[^1];
        return IsRemote(destination.Text)
            ? Targets.Write(RemotePath(destination), "scp-remote", replaces: true)
            : Targets.Write(destination, "scp", replaces: true);
    }

    /// <summary>Editing files in place (sudoedit, sed -i): the old content is changed, not replaced wholesale.</summary>
    public static Verdict Edit(IEnumerable<ShellWord> files) =>
        Targets.Worst(files.Select(f => Targets.Write(f, "edit", replaces: false)), Verdict.Read("edit.nothing", "no file given"));

    /// <summary>host:/var/lib/mysql is judged as /var/lib/mysql on that host; host:relative as a relative path.</summary>
    private static ShellWord RemotePath(ShellWord destination)
    {
        var path = destination.Text[(destination.Text.IndexOf(':') + 1)..];
        return destination.IsLiteral ? ShellWord.Literal(path) : new ShellWord([new LiteralPart(path, true, path), new RuntimePart("")], path);
    }

    private static bool IsRemote(string path)
    {
        var colon = path.IndexOf(':');
        var slash = path.IndexOf('/');
        return colon > 0 && (slash < 0 || colon < slash);
    }
}
