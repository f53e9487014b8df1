using Opsmith.Core.Skills;
using Opsmith.Policy.Classification.Rules;
using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification;

/// <summary>
/// One classification in progress: walks the parsed commands, peels wrappers (<c>sudo</c>, <c>sh -c</c>, ...),
/// asks the program rules and collects every finding. Rules call back into it for commands nested in
/// their arguments (<c>kubectl exec ... -- CMD</c>, <c>find -exec</c>, <c>ssh host CMD</c>).
/// </summary>
internal sealed class ClassificationSession(ClassifierOptions options)
{
    private const int MaxNesting = 10;
    private const int MaxUnwraps = 16;

    private static readonly HashSet<string> DeclaringBuiltins = ["export", "local", "declare", "typeset", "readonly"];

    /// <summary>Directories whose programs are the system's own: /usr/bin/rm is rm, /tmp/rm is not.</summary>
    private static readonly HashSet<string> TrustedDirectories = ["/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/snap/bin", "/usr/libexec", "/usr/lib/postgresql"];

    /// <summary>Shell builtins: found before PATH is searched, so a changed PATH does not change them.</summary>
    private static readonly HashSet<string> Builtins =
    [
        "cd", "echo", "printf", "test", "[", "[[", "true", "false", ":", "read", "set", "unset", "export", "local", "declare", "typeset", "readonly",
        "shift", "return", "exit", "break", "continue", "eval", "exec", "source", ".", "trap", "wait", "type", "hash", "alias", "unalias",
        "command", "builtin", "let", "shopt", "pushd", "popd", "dirs", "ulimit", "umask", "jobs", "getopts", "mapfile", "readarray", "history", "enable",
    ];

    private readonly Dictionary<string, string> variables = new() { ["IFS"] = " " };
    private readonly HashSet<string> functions = [];
    private readonly HashSet<string> recursiveFunctions = [];

    /// <summary>Program names and paths written, linked or hashed earlier on the line: what they run is no longer the system's program.</summary>
    private readonly HashSet<string> redefined = [];
    private bool pathChanged;
    private int nesting;

    public ClassifierOptions Options => options;

    public List<ProgramFinding> Findings { get; } = [];

    public List<string> Problems { get; } = [];

    /// <summary>Reads <paramref name="text"/> as shell and judges every command in it. Returns the highest tier found.</summary>
    public RiskTier Script(string text, IReadOnlyList<string> via)
    {
        var start = Findings.Count;
        if (nesting >= MaxNesting)
        {
            Add("(parser)", text, via, Verdict.Destructive("opaque.too-deep", "commands are nested too deeply to read"));
            return MaxSince(start);
        }
        nesting++;
        var parsed = ShellParser.Parse(text);
        functions.UnionWith(parsed.FunctionNames);
        if (parsed.RecursiveFunctions is { } recursive) recursiveFunctions.UnionWith(recursive);
        foreach (var problem in parsed.Problems.Distinct())
        {
            Problems.Add(problem);
            Add("(parser)", text, via, Verdict.Destructive("opaque.unparsable", $"the shell text cannot be read completely: {problem}"));
        }
        foreach (var command in parsed.Commands) Command(command, command.InSubstitution ? [.. via, "$(...)"] : via);
        nesting--;
        return MaxSince(start);
    }

    private void Command(SimpleCommand command, IReadOnlyList<string> via)
    {
        var programName = command.Words.Count > 0 ? command.Words[0].Text : ":";
        foreach (var assignment in command.Assignments)
        {
            if (command.Words.Count == 0) Remember(assignment);
            Environment(programName, assignment, via, standalone: command.Words.Count == 0);
        }
        foreach (var redirection in command.Redirections.Where(r => r.WritesFile))
        {
            Add(programName, redirection.Operator + " " + redirection.Target?.Text, via, Redirections.Judge(redirection, command));
            if (redirection.Target is { } target) NoteWritten(target);
        }
        foreach (var redirection in command.Redirections.Where(r => r.Target is not null && !r.WritesFile && r.FeedsStdin && r.Operator == "<"))
        {
            if (Secrets.IsSecretPath(redirection.Target!)) Add(programName, "< " + redirection.Target!.Text, via, Verdict.Sensitive("secret-file", $"reads {redirection.Target.Text}, which holds secrets"));
        }
        ArithmeticSubstitutions(command, via);
        if (command.Words.Count == 0) return;
        if (DeclaringBuiltins.Contains(command.Words[0].Text))
        {
            foreach (var assignment in command.Words.Skip(1).Select(ShellParser.AsAssignment).OfType<Assignment>())
            {
                Remember(assignment);
                Environment(programName, assignment, via, standalone: true);
            }
        }
        if (command.Words[0].Text is "cd" or "pushd" && command.Words[0].IsLiteral)
        {
            var target = command.Words.Skip(1).FirstOrDefault(w => !w.Text.StartsWith('-') || w.Text == "-");
            PathContext.ChangeDirectory(target is { IsExact: true } && target.Text != "-" && !target.Text.StartsWith('~') ? target.Text : null);
        }
        else if (command.Words[0].Text == "popd") PathContext.ChangeDirectory(null);
        ReadWithKnownVariables(command, via);
        Run(command.Words, command.Redirections, Stdin.Of(command), via, inThisShell: true);
    }

    /// <summary>
    /// <c>LD_PRELOAD=x prog</c>, <c>GIT_SSH_COMMAND='...' git</c>, <c>PATH=/tmp:$PATH</c>: the environment changes what runs.
    /// A command held in a variable is judged as a command; code loaded from elsewhere cannot be read.
    /// </summary>
    private void Environment(string program, Assignment assignment, IReadOnlyList<string> via, bool standalone)
    {
        switch (EnvironmentVariables.Of(assignment))
        {
            case EnvironmentVariables.Effect.LoadsCode:
                Add(program, assignment.Name + "=" + assignment.Value.Text, via,
                    Verdict.Unknown("opaque.environment", $"{assignment.Name} makes programs load code or configuration that is not on the command line"));
                break;
            case EnvironmentVariables.Effect.RunsCommand:
                var text = EnvironmentVariables.CommandText(assignment);
                if (!assignment.Value.IsLiteral)
                    Add(program, assignment.Name + "=" + assignment.Value.Text, via, Verdict.Unknown("opaque.environment-command", $"{assignment.Name} holds a command known only at run time"));
                else if (text.Length > 0) Script(text, [.. via, assignment.Name]);
                break;
            case EnvironmentVariables.Effect.ChangesPath:
                if (standalone) pathChanged = true;
                else Add(program, assignment.Name + "=" + assignment.Value.Text, via, Verdict.Unknown("opaque.path", $"PATH={assignment.Value.Text} decides which file {program} is"));
                break;
        }
    }

    /// <summary><c>$(( $(cmd) + 1 ))</c> and <c>(( a[$(cmd)] ))</c>: arithmetic runs the commands substituted into it.</summary>
    private void ArithmeticSubstitutions(SimpleCommand command, IReadOnlyList<string> via)
    {
        foreach (var word in command.Words.Concat(command.Assignments.Select(a => a.Value)))
        {
            foreach (var part in word.Parts)
            {
                var raw = part switch
                {
                    ArithmeticPart a => a.Raw,
                    LiteralPart l when command.Words.Count > 0 && command.Words[0].Text is "let" or "[[" or "test" or "[" or "declare" or "typeset" or "local" or "printf" or "read" or "unset" or "export" => l.Text,
                    _ => null,
                };
                if (raw is null || raw.IndexOf("$(", StringComparison.Ordinal) < 0 && raw.IndexOf('`') < 0) continue;
                var inner = part is ArithmeticPart && raw.StartsWith("$((", StringComparison.Ordinal) ? raw[3..^Math.Min(2, raw.Length - 3)] : raw;
                foreach (var body in Substitutions(inner)) Script(body, [.. via, "$((...))"]);
                if (part is LiteralPart)
                    Add(command.Words[0].Text, raw, via, Verdict.Unknown("opaque.arithmetic-substitution", "the shell evaluates this text as arithmetic and runs the commands substituted into it"));
            }
        }
    }

    /// <summary>The bodies of $(...) and `...` in <paramref name="text"/>, balanced by parentheses.</summary>
    private static IEnumerable<string> Substitutions(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '`')
            {
                var end = text.IndexOf('`', i + 1);
                if (end < 0) { yield return text[(i + 1)..]; yield break; }
                yield return text[(i + 1)..end];
                i = end;
            }
            else if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '(' && !(i + 2 < text.Length && text[i + 2] == '('))
            {
                var depth = 0;
                var j = i + 1;
                for (; j < text.Length; j++)
                {
                    if (text[j] == '(') depth++;
                    else if (text[j] == ')' && --depth == 0) break;
                }
                yield return text[(i + 2)..Math.Min(j, text.Length)];
                i = j;
            }
        }
    }

    /// <summary>Remembers a path written earlier on the line: a program of that name or path no longer is what it was.</summary>
    public void NoteWritten(ShellWord target)
    {
        var text = target.Text;
        if (text.Length == 0 || text.EndsWith('/') || text is "." or ".." or "/dev/null" || text.StartsWith("/dev/", StringComparison.Ordinal)) return;
        redefined.Add(text);
        if (ProgramName(text) is { Length: > 0 } name and not "." and not "..") redefined.Add(name);
    }

    /// <summary><c>hash -p /tmp/x ls</c>, <c>alias ls=...</c>: the name now runs something else.</summary>
    public void NoteRedefined(string name) => redefined.Add(name);

    /// <summary>
    /// Judges a command given as words (after a wrapper, or nested in another program's arguments).
    /// Returns the highest tier found for it. Functions defined on the line are only seen by commands the
    /// shell itself runs (<paramref name="inThisShell"/>), and never behind a wrapper: <c>command rm</c> is rm.
    /// </summary>
    public RiskTier Run(IReadOnlyList<ShellWord> words, IReadOnlyList<Redirection> redirections, Stdin stdin, IReadOnlyList<string> via, bool inThisShell = false)
    {
        var start = Findings.Count;
        for (var unwraps = 0; unwraps < MaxUnwraps && words.Count > 0; unwraps++)
        {
            var program = words[0];
            if (!program.IsLiteral)
            {
                Add(program.Text, Summary(words.Skip(1)), via, Opaque.DynamicProgram(program));
                break;
            }
            if (program.HasGlob && program.Text is not "[" and not "[[")
            {
                Add(program.Text, Summary(words.Skip(1)), via, Verdict.Unknown("opaque.glob-program", $"the program name {program.Text} is a pattern the shell expands into other words when it runs"));
                break;
            }
            if (inThisShell && unwraps == 0 && functions.Contains(program.Text))
            {
                Add(program.Text, Summary(words.Skip(1)), via, recursiveFunctions.Contains(program.Text)
                    ? Verdict.Destructive("shell.recursive-function", $"calls {program.Text}, a function that calls itself: without a limit it exhausts the machine's processes (a fork bomb)")
                    : Verdict.Read("shell.function-call", "calls a function defined on this line; its body is judged where it is defined"));
                break;
            }
            if (Untrusted(program.Text) is { } untrusted)
            {
                Add(program.Text, Summary(words.Skip(1)), via, untrusted);
                break;
            }
            var call = new Invocation(ProgramName(program.Text), words.Skip(1).ToList(), redirections, stdin, this, via);
            var unwrapped = Wrappers.Unwrap(call);
            if (unwrapped is null)
            {
                Add(call, ProgramRules.Judge(call, options));
                break;
            }
            if (unwrapped.Own is { } own) Add(call, own);
            if (unwrapped.Script is { } script) Script(script, [.. via, unwrapped.Via]);
            if (unwrapped.Argv is not { } argv) break;
            words = argv;
            stdin = unwrapped.Stdin ?? stdin;
            via = [.. via, unwrapped.Via];
        }
        return MaxSince(start);
    }

    /// <summary>
    /// <c>X=rm; $X -rf /</c> and <c>rm${IFS}-rf${IFS}/</c>: when every variable a command uses has a value
    /// assigned literally earlier on the line, the command is judged a second time with the values put in.
    /// </summary>
    private void ReadWithKnownVariables(SimpleCommand command, IReadOnlyList<string> via)
    {
        var parameters = command.Words.SelectMany(w => w.Parts).OfType<ParameterPart>().ToList();
        if (parameters.Count == 0 || !parameters.All(p => variables.ContainsKey(p.Name))) return;
        var text = command.Raw;
        foreach (var parameter in parameters.OrderByDescending(p => p.Raw.Length))
        {
            var value = variables[parameter.Name];
            text = text.Replace(parameter.Raw, parameter.Quoted ? EscapeForDoubleQuotes(value) : value);
        }
        if (text != command.Raw) Script(text, [.. via, "variables"]);
    }

    /// <summary>
    /// A program name cannot be trusted when it is a path outside the system's program directories (<c>/tmp/ls</c>,
    /// <c>./cat</c>), when it was written, linked or hashed earlier on the line, or when PATH was changed.
    /// </summary>
    private Verdict? Untrusted(string text)
    {
        if (options.DeclaredReason(text) is not null) return null;
        var name = ProgramName(text);
        if (redefined.Contains(text) || !text.Contains('/') && redefined.Contains(name))
            return Verdict.Unknown("opaque.redefined-program", $"{text} was written, linked or redefined earlier in this command, so it is not the system's {name}");
        if (text.Contains('/'))
        {
            var directory = text.TrimEnd('/');
            directory = directory.LastIndexOf('/') <= 0 ? "/" : Paths.Normalize(directory[..directory.LastIndexOf('/')], out _);
            if (!TrustedDirectories.Contains(directory) && !TrustedDirectories.Any(d => directory.StartsWith(d + "/", StringComparison.Ordinal)))
                return Verdict.Unknown("opaque.untrusted-program-path", $"{text} is a program file outside the system's program directories; its name says nothing about what it does");
        }
        else if (pathChanged && !Builtins.Contains(name))
            return Verdict.Unknown("opaque.path-changed", $"PATH was changed earlier in this command, so {name} may not be the system's {name}");
        return null;
    }

    private void Remember(Assignment assignment)
    {
        if (assignment.Value.IsLiteral) variables[assignment.Name] = assignment.Value.Text;
        else variables.Remove(assignment.Name);
    }

    public void Add(Invocation call, Verdict verdict)
    {
        var arguments = Summary(call.Words);
        if (verdict.Tier >= RiskTier.ServiceMutation && verdict.Tier < RiskTier.DataMutation && !options.Inventory.IsEmpty
            && options.Inventory.Named(arguments) is { } named)
            verdict = Verdict.Data("inventory.data", $"{call.Program} changes something and names {named}, which the environment's data inventory lists as stored data") with { Flags = verdict.Flags };
        Add(call.Program, arguments, call.Via, verdict);
    }

    private void Add(string program, string arguments, IReadOnlyList<string> via, Verdict verdict) =>
        Findings.Add(new ProgramFinding(program, Shorten(arguments), verdict.Tier, verdict.Rule, verdict.Reason, via, verdict.Flags));

    private RiskTier MaxSince(int start) =>
        Findings.Count > start ? Findings.Skip(start).Max(f => f.Tier) : RiskTier.Read;

    /// <summary>The name a program is looked up by: <c>/usr/bin/rm</c> is rm.</summary>
    public static string ProgramName(string text)
    {
        var slash = text.TrimEnd('/').LastIndexOf('/');
        return slash < 0 ? text : text[(slash + 1)..];
    }

    public static string Summary(IEnumerable<ShellWord> words) => string.Join(' ', words.Select(w => w.Text));

    private static string Shorten(string text)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= 120 ? flat : flat[..117] + "...";
    }

    private static string EscapeForDoubleQuotes(string value) =>
        value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("$", "\\$").Replace("`", "\\`");
}
