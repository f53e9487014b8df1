using System.Text.RegularExpressions;
using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Text tools that are read-only except for one feature: awk (system(), pipes, print &gt; file), sed (-i, w, e),
/// find (-delete, -exec, -fprint), yq -i, editors. Only that feature raises the tier.
/// </summary>
internal static partial class TextTools
{
    private static readonly string[] Editors = ["vi", "vim", "nvim", "nano", "emacs", "ed", "ex", "joe", "mcedit", "micro", "pico"];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = BuildRules();

    private static Dictionary<string, Func<Invocation, Verdict>> BuildRules()
    {
        var rules = new Dictionary<string, Func<Invocation, Verdict>>
        {
            ["sed"] = Sed,
            ["gsed"] = Sed,
            ["find"] = Find,
            ["yq"] = call => call.HasShort('i') || call.Has("--inplace") ? InPlace(call, "yq", call.Positionals().Skip(1)) : Verdict.Read("yq.read", "prints YAML"),
            ["xmlstarlet"] = call => call.Has("-L", "--inplace") ? InPlace(call, "xmlstarlet", call.Positionals().Skip(1).TakeLast(1)) : Verdict.Read("xmlstarlet.read", "prints XML"),
            ["dos2unix"] = call => call.HasShort('n') || call.HasShort('O') ? Verdict.Read("dos2unix.stdout", "writes a converted copy") : InPlace(call, "dos2unix", call.Positionals()),
            ["unix2dos"] = call => call.HasShort('n') || call.HasShort('O') ? Verdict.Read("unix2dos.stdout", "writes a converted copy") : InPlace(call, "unix2dos", call.Positionals()),
            ["sponge"] = call => Targets.Worst(call.Positionals().Select(f => Targets.Write(f, "sponge", replaces: !call.HasShort('a'))), Verdict.Read("sponge.stdout", "copies to standard output")),
            ["patch"] = call => call.Has("--dry-run", "-C", "--check") ? Verdict.Read("patch.dry-run", "only checks a patch")
                : Verdict.Max(Verdict.Service("patch.apply", "changes files as the patch says"), InPlace(call, "patch", call.Positionals("-p", "-i", "-d", "-o", "-r", "-F", "-z", "-B", "-V", "-Y").Take(1))),
            ["visudo"] = call => call.HasShort('c') || call.Has("--check") ? Verdict.Read("visudo.check", "checks sudoers syntax") : Verdict.Destructive("visudo.edit", "edits sudoers; a mistake locks everyone out of sudo"),
        };
        foreach (var name in new[] { "awk", "gawk", "mawk", "nawk", "busybox-awk" }) rules[name] = Awk;
        foreach (var name in Editors)
            rules[name] = call => Verdict.Max(Verdict.Max(Verdict.Service("editor.edit", $"{call.Program} changes whatever is typed into it"), EditorCommands(call)), InPlace(call, "editor", call.Positionals("-c", "-S", "-u", "-i", "--cmd")));
        return rules;
    }

    /// <summary>vim -c ':!cmd', +'!cmd', -S script: editor commands given on the command line run before anyone types.</summary>
    private static Verdict EditorCommands(Invocation call)
    {
        var commands = call.Values("-c", "--cmd").Concat(call.Args.Where(a => a.StartsWith('+') && a.Length > 1).Select(a => a[1..])).ToList();
        if (call.Has("-S") || call.Has("-u") && call.Value("-u") is not ("NONE" or "NORC" or null)) return Verdict.Unknown("editor.script", $"{call.Program} runs an editor script that is not read here");
        foreach (var command in commands)
        {
            var bang = command.IndexOf('!');
            if (bang < 0) continue;
            call.Session.Script(command[(bang + 1)..], [.. call.Via, $"{call.Program} :!"]);
            return Verdict.Destructive("editor.shell-command", $"{call.Program} runs a shell command given on its command line (judged on its own)");
        }
        return Verdict.Read("editor.no-commands", "no editor commands given");
    }

    private static Verdict InPlace(Invocation call, string family, IEnumerable<ShellWord> files) =>
        Targets.Worst(files.Select(f => Targets.Write(f, $"{family}-in-place", replaces: false)), Verdict.Read($"{family}.stdout", "no file is changed"));

    private static Verdict Awk(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "Fvf", ["--field-separator", "--assign", "--file", "--include", "--source"]);
        if (options.Value("-f", "--file") is { } file) return Verdict.Unknown("awk.script-file", $"runs the awk program in {file}, which is not read here");
        var program = options.Value("--source") ?? call.Args.ElementAtOrDefault(options.FirstPositional) ?? "";
        if (RunsCommands().IsMatch(program))
            return Paths.MentionsData(program)
                ? Verdict.Data("awk.runs-commands", "the awk program runs shell commands (system(), pipes) and names a data path")
                : Verdict.Destructive("awk.runs-commands", "the awk program runs shell commands (system(), pipes to commands); they are not read here");
        var flat = program;
        for (var i = 0; i < 5; i++) flat = Parenthesised().Replace(flat, "()");
        var output = PrintRedirect().Match(flat);
        if (!output.Success) return Verdict.Read("awk.read", "the awk program only reads and prints");
        var literal = Regex.Match(flat[output.Index..], ">>?\\s*\"([^\"]*)\"");
        return literal.Success
            ? Targets.Write(ShellWord.Literal(literal.Groups[1].Value), "awk", replaces: !literal.Value.StartsWith(">>"))
            : Verdict.Service("awk.writes-file", "the awk program writes to a file named at run time");
    }

    private static Verdict Sed(Invocation call)
    {
        var inPlace = call.Args.TakeWhile(a => a != "--").Any(a => OptionSyntax.Matches(a, "--in-place")
            || a.Length > 1 && a[0] == '-' && a[1] != '-' && a[1..].TakeWhile(char.IsAsciiLetter).Contains('i'));
        var scripts = call.Values("-e", "--expression").ToList();
        var positionals = call.Positionals("-e", "--expression", "-f", "--file", "-l", "--line-length");
        if (scripts.Count == 0 && call.Value("-f", "--file") is null && positionals.Count > 0)
        {
            scripts.Add(positionals[0].Text);
            positionals = positionals.Skip(1).ToList();
        }
        var verdicts = new List<Verdict>();
        foreach (var script in scripts)
        {
            if (SedExecute().IsMatch(script)) verdicts.Add(Verdict.Destructive("sed.execute", "the sed script runs shell commands (e)"));
            foreach (Match write in SedWrite().Matches(script))
                verdicts.Add(Targets.Write(ShellWord.Literal(write.Groups["file"].Value), "sed-w", replaces: true));
        }
        if (call.Value("-f", "--file") is { } scriptFile) verdicts.Add(Verdict.Unknown("sed.script-file", $"runs the sed script in {scriptFile}, which is not read here"));
        if (inPlace) verdicts.Add(positionals.Count == 0 ? Verdict.Service("sed-in-place.no-file", "edits files in place; which files is not on the command line") : InPlace(call, "sed", positionals));
        return Targets.Worst(verdicts, Verdict.Read("sed.stdout", "sed without -i only prints"));
    }

    /// <summary>find's actions: -delete removes what matches under each root; -exec runs a command judged on its own.</summary>
    private static Verdict Find(Invocation call)
    {
        var words = call.Words;
        var start = 0;
        while (start < words.Count)
        {
            var option = words[start].Text;
            if (option is "-H" or "-L" or "-P" || option.StartsWith("-O", StringComparison.Ordinal)) start++;
            else if (option == "-D") start += 2;
            else break;
        }
        var roots = new List<string>();
        while (start < words.Count && !words[start].Text.StartsWith('-') && words[start].Text is not "(" and not "!" and not "\\(")
            roots.Add(words[start++].Text);
        if (roots.Count == 0) roots.Add(".");
        var verdicts = new List<Verdict>();
        for (var i = start; i < words.Count; i++)
        {
            var text = words[i].Text;
            if (text == "-delete")
                verdicts.AddRange(roots.Select(root => Targets.Remove(Below(root), "find-delete", recursive: true)));
            else if (text is "-fprint" or "-fprint0" or "-fprintf" or "-fls" && i + 1 < words.Count)
                verdicts.Add(Targets.Write(words[++i], "find", replaces: true));
            else if (text is "-exec" or "-execdir" or "-ok" or "-okdir")
            {
                var end = i + 1;
                while (end < words.Count && words[end].Text is not ";" and not "+") end++;
                var command = words.Skip(i + 1).Take(end - i - 1).SelectMany(w => w.Text == "{}" ? roots.Select(Below) : [w]).ToList();
                call.Session.Run(command, [], Stdin.None, [.. call.Via, $"find {string.Join(' ', roots)} {text}"]);
                verdicts.Add(Verdict.Read("find.exec", "runs a command on each match (judged on its own)"));
                i = end;
            }
        }
        return Targets.Worst(verdicts, Verdict.Read("find.read", "find without -delete or -exec only lists"));
    }

    /// <summary>A file somewhere below <paramref name="root"/>: known directory, unknown name.</summary>
    private static ShellWord Below(string root) =>
        new([new LiteralPart(root.TrimEnd('/') + "/", true, root), new RuntimePart("{}")], root.TrimEnd('/') + "/{}");

    [GeneratedRegex(@"\bsystem\s*\(|\|\s*getline|\|&|\b(print|printf)\b[^;}\n]*\|\s*""")]
    private static partial Regex RunsCommands();

    [GeneratedRegex(@"\([^()]*\)")]
    private static partial Regex Parenthesised();

    [GeneratedRegex(@"\b(print|printf)\b[^;}\n]*>")]
    private static partial Regex PrintRedirect();

    [GeneratedRegex(@"(^|[;\n{}])\s*([0-9$,!]+|/[^/]*/)?\s*e(\s|;|$)|s(.)(?:(?!\4).)*\4(?:(?!\4).)*\4[gpiIm0-9]*e")]
    private static partial Regex SedExecute();

    [GeneratedRegex(@"(?:(?:^|[;\n{}])\s*(?:(?:\d+|\$|/(?:[^/\\]|\\.)*/[IM]?)\s*(?:,\s*(?:\d+|\$|/(?:[^/\\]|\\.)*/[IM]?))?\s*!?\s*)?[wW]|s(.)(?:(?!\1).)*\1(?:(?!\1).)*\1[gpiIme0-9]*[wW])\s+(?<file>[^;\n}]+)")]
    private static partial Regex SedWrite();
}
