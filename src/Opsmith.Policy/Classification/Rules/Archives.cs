using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>tar, unzip and the compressors: listing and writing to stdout read; extracting and compressing in place write.</summary>
internal static class Archives
{
    private static readonly string[] Compressors = ["gzip", "gunzip", "bzip2", "bunzip2", "xz", "unxz", "zstd", "unzstd", "lz4", "pigz", "unpigz", "compress", "uncompress"];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = BuildRules();

    private static Dictionary<string, Func<Invocation, Verdict>> BuildRules()
    {
        var rules = new Dictionary<string, Func<Invocation, Verdict>> { ["tar"] = Tar, ["unzip"] = Unzip, ["zip"] = Zip };
        foreach (var name in Compressors) rules[name] = Compress;
        return rules;
    }

    private static Verdict Tar(Invocation call)
    {
        // Old style "tar czf FILE": the first word is a cluster of letters without a dash.
        var first = call.Args.FirstOrDefault() ?? "";
        var oldStyle = first.Length > 0 && first[0] != '-' && first.All(char.IsAsciiLetter);
        var rest = oldStyle ? call.Args.Skip(1).ToList() : call.Args;
        var options = OptionSyntax.Parse(rest, "fCbHKNTVXg", ["--file", "--directory", "--exclude", "--files-from", "--transform", "--owner", "--group", "--mode", "--format"], stopAtPositional: false);
        var letters = (oldStyle ? first : "") + string.Concat(options.All.Where(o => o.Key.Length == 2 && o.Key[0] == '-').Select(o => o.Key[1]));
        // Options whose value is a program tar runs: judged as that command, and never read.
        var programs = call.Values("--to-command", "--use-compress-program", "--rsh-command", "--info-script", "--new-volume-script", "-I", "-F")
            .Concat(call.Values("--checkpoint-action").Where(a => a.StartsWith("exec=", StringComparison.Ordinal)).Select(a => a[5..])).ToList();
        if (programs.Count > 0)
        {
            foreach (var program in programs) call.Session.Script(program, [.. call.Via, "tar (program option)"]);
            return Verdict.Destructive("tar.runs-program", "tar is given a program to run (--to-command, -I, --checkpoint-action=exec, ...), judged on its own");
        }
        var archive = oldStyle && first.Contains('f') ? rest.FirstOrDefault() : options.Value("-f", "--file");

        if (letters.Contains('t') || letters.Contains('d') || call.Has("--list", "--diff", "--compare"))
            return Verdict.Read("tar.list", "lists or compares an archive");
        if (letters.Contains('x') || call.Has("--extract", "--get"))
        {
            if (letters.Contains('O') || call.Has("--to-stdout")) return Verdict.Read("tar.to-stdout", "extracts to standard output");
            var directory = options.Value("-C", "--directory") ?? ".";
            return Targets.Write(ShellWord.Literal(directory), "tar", replaces: true);
        }
        var verdicts = new List<Verdict>();
        if (archive is not null and not "-") verdicts.Add(Targets.Write(ShellWord.Literal(archive), "tar", replaces: true));
        if (call.Has("--remove-files"))
        {
            // What it archives is removed afterwards: judged like rm -r of each source.
            var sources = call.Positionals("-f", "--file", "-C", "--directory", "--exclude", "--files-from", "-T", "--transform", "--owner", "--group", "--mode", "--format", "-b", "-H", "-K", "-N", "-V", "-X", "-g")
                .Skip(oldStyle ? (first.Contains('f') ? 2 : 1) : 0).ToList();
            verdicts.Add(Verdict.Destructive("tar.remove-files", "removes the files it archives"));
            verdicts.AddRange(sources.Select(source => Targets.Remove(source, "tar-remove-files", recursive: true)));
        }
        if (call.Has("--delete")) verdicts.Add(Verdict.Service("tar.delete-member", "deletes members from an archive"));
        return Targets.Worst(verdicts, Verdict.Read("tar.to-stdout", "writes the archive to standard output"));
    }

    private static Verdict Unzip(Invocation call)
    {
        if (call.HasShort('l') || call.HasShort('v') || call.HasShort('t') || call.HasShort('p') || call.HasShort('Z') || call.HasShort('c'))
            return Verdict.Read("unzip.list", "lists, tests or prints an archive");
        return Targets.Write(ShellWord.Literal(call.Value("-d") ?? "."), "unzip", replaces: true);
    }

    private static Verdict Zip(Invocation call)
    {
        if (call.Value("-TT", "--unzip-command") is { } tester)
        {
            call.Session.Script(tester, [.. call.Via, "zip -TT"]);
            return Verdict.Destructive("zip.runs-program", "zip -TT runs a command to test the archive (judged on its own)");
        }
        var archive = call.Positionals("-b", "-n", "-t", "-x", "-i").FirstOrDefault();
        var verdict = archive is null ? Verdict.Read("zip.nothing", "no archive given") : Targets.Write(archive, "zip", replaces: false);
        return call.HasShort('m') ? Verdict.Max(verdict, Verdict.Destructive("zip.move", "removes the files it archives (-m)")) : verdict;
    }

    /// <summary>gzip FILE replaces FILE with FILE.gz; with -c, -l or -t it only reads.</summary>
    private static Verdict Compress(Invocation call)
    {
        if (call.HasShort('c') || call.HasShort('l') || call.HasShort('t') || call.Has("--stdout", "--to-stdout", "--list", "--test"))
            return Verdict.Read($"{call.Program}.stdout", "writes to standard output or only checks");
        var files = call.Positionals("-S", "--suffix", "-b", "-p", "-T", "--threads", "-o");
        return Targets.Worst(files.Select(file => Paths.Kind(file) switch
        {
            PathKind.Safe or PathKind.TempRoot => Verdict.PrivateTmp($"{call.Program}.temp-path", $"compresses the temporary file {file.Text}"),
            PathKind.Data or PathKind.DataAncestor => Verdict.Data($"{call.Program}.data-path", $"rewrites {file.Text}, where stored data lives"),
            PathKind.Unknown => Verdict.Destructive($"{call.Program}.unknown-path", $"rewrites {file.Text}, a path known only when it runs"),
            _ => Verdict.Service($"{call.Program}.in-place", $"replaces {file.Text} by its compressed or expanded form"),
        }), Verdict.Read($"{call.Program}.stdout", "compresses standard input to standard output"));
    }
}
