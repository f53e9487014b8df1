using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Other languages: python, perl, ruby, node, php, lua, pwsh, ... Code given inline (-c, -e) or fed on
/// standard input is not read, so it is at least destructive (data-mutation when it names a data path).
/// A script file is an unknown program (service-mutation). Version queries and a few modules read.
/// </summary>
internal static class Interpreters
{
    private sealed record Language(string Name, string[] CodeOptions, string[] ValueOptions);

    private static readonly Dictionary<string, Language> Languages = new()
    {
        ["python"] = new("python", ["-c"], ["-m", "-W", "-X", "-Q"]),
        ["perl"] = new("perl", ["-e", "-E"], ["-I", "-M", "-m", "-x", "-l", "-0", "-i"]),
        ["ruby"] = new("ruby", ["-e"], ["-I", "-r", "-C", "-E", "-x"]),
        ["node"] = new("node", ["-e", "--eval", "-p", "--print"], ["-r", "--require", "--import", "--loader"]),
        ["deno"] = new("deno", ["eval"], []),
        ["bun"] = new("bun", ["-e", "--eval", "-p", "--print"], []),
        ["php"] = new("php", ["-r"], ["-c", "-d", "-f"]),
        ["lua"] = new("lua", ["-e"], ["-l"]),
        ["Rscript"] = new("R", ["-e"], []),
        ["pwsh"] = new("PowerShell", ["-c", "-Command", "-command", "-EncodedCommand", "-e", "-ec", "-enc"], ["-File", "-f"]),
        ["powershell"] = new("PowerShell", ["-c", "-Command", "-command", "-EncodedCommand", "-e", "-ec", "-enc"], ["-File", "-f"]),
        ["tclsh"] = new("Tcl", [], []),
        ["osascript"] = new("AppleScript", ["-e"], []),
        ["jshell"] = new("Java", [], []),
        ["java"] = new("Java", [], ["-cp", "-classpath", "--class-path", "-jar", "--module-path", "-p", "-m", "--module"]),
        ["groovy"] = new("Groovy", ["-e"], []),
        ["expect"] = new("expect", ["-c"], ["-f"]),
    };

    private static readonly HashSet<string> ReadModules = ["json.tool", "pydoc", "platform", "sysconfig", "site", "this", "tabnanny", "pip._internal.cli.main list", "ensurepip --version", "timeit", "calendar", "tokenize", "ast", "dis", "pyclbr", "mimetypes", "uuid", "base64", "zipfile -l", "tarfile -l"];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = BuildRules();

    private static Dictionary<string, Func<Invocation, Verdict>> BuildRules()
    {
        var rules = new Dictionary<string, Func<Invocation, Verdict>>();
        foreach (var (name, language) in Languages) rules[name] = call => Judge(call, language);
        foreach (var alias in new[] { "python2", "python3", "pypy", "pypy3" }) rules[alias] = rules["python"];
        rules["nodejs"] = rules["node"];
        return rules;
    }

    /// <summary>python3.11 → python3, perl5.36 → perl: the name a versioned interpreter is looked up by.</summary>
    public static string Canonical(string program)
    {
        foreach (var name in new[] { "python3", "python2", "python", "pypy3", "perl", "ruby", "php", "lua", "node", "pip3", "pip" })
        {
            if (program.StartsWith(name, StringComparison.Ordinal) && program.Length > name.Length && program[name.Length..].All(c => char.IsAsciiDigit(c) || c == '.'))
                return name;
        }
        return program;
    }

    private static Verdict Judge(Invocation call, Language language)
    {
        if (call.Args.Count > 0 && call.Args.All(a => a is "-V" or "--version" or "-v" or "-version" or "--help" or "-h" or "-VV"))
            return Verdict.Read($"{language.Name.ToLowerInvariant()}.version", "prints the version");
        for (var i = 0; i < call.Args.Count; i++)
        {
            var arg = call.Args[i];
            if (arg == "--") break;
            if (language.CodeOptions.Contains(arg) || ClusterEndsWithCode(arg, language))
            {
                var code = i + 1 < call.Args.Count ? call.Args[i + 1] : "";
                return language.Name == "PowerShell" && (arg.Contains("enc", StringComparison.OrdinalIgnoreCase) || arg is "-e" or "-ec")
                    ? Verdict.Destructive("opaque.encoded-command", $"{language.Name} runs base64-encoded code that is not read here")
                    : Opaque.Code(language.Name, code);
            }
            if (language.Name == "python" && arg == "-m" && i + 1 < call.Args.Count) return PythonModule(call, i + 1);
            if (language.ValueOptions.Contains(arg)) { i++; continue; }
            if (arg.StartsWith('-') && arg != "-") continue;
            if (Shells.IsStdinFile(arg)) break;
            return Verdict.Unknown($"{language.Name.ToLowerInvariant()}.script-file", $"runs the {language.Name} script {arg}, which is not read here");
        }
        return call.Stdin switch
        {
            { Text: { } text } => Opaque.Code(language.Name, text),
            { Kind: StdinKind.Pipe } => Opaque.PipeToShell(call.Stdin, language.Name),
            { Kind: StdinKind.File } => Verdict.Unknown($"{language.Name.ToLowerInvariant()}.script-file", $"runs the {language.Name} script {call.Stdin.File?.Text}, which is not read here"),
            _ => Opaque.InteractiveShell(language.Name),
        };
    }

    /// <summary>perl -ne 'CODE', perl -pi -e 'CODE', ruby -ne 'CODE': the code option may end a cluster.</summary>
    private static bool ClusterEndsWithCode(string arg, Language language) =>
        arg.Length > 2 && arg[0] == '-' && arg[1] != '-' && arg.Skip(1).All(char.IsAsciiLetter)
        && language.CodeOptions.Any(o => o.Length == 2 && arg.EndsWith(o[1]));

    private static Verdict PythonModule(Invocation call, int moduleIndex)
    {
        var module = call.Args[moduleIndex];
        var rest = call.Words.Skip(moduleIndex + 1).ToList();
        if (module is "pip" or "pip3")
        {
            call.Session.Run([ShellWord.Literal("pip"), .. rest], call.Redirections, call.Stdin, [.. call.Via, "python -m"]);
            return Verdict.Read("python.module-pip", "runs pip (judged on its own)");
        }
        var withFirstArg = rest.Count > 0 ? $"{module} {rest[0].Text}" : module;
        if (ReadModules.Contains(module) || ReadModules.Contains(withFirstArg))
            return Verdict.Read("python.read-module", $"python -m {module} only reads or prints");
        return Verdict.Unknown("python.module", $"runs the python module {module}, which is not read here");
    }
}
