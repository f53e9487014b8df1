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

    private static readonly HashSet<string> PreloadVariables = ["LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", "BASH_ENV", "ENV", "PROMPT_COMMAND"];
    private static readonly HashSet<string> DeclaringBuiltins = ["export", "local", "declare", "typeset", "readonly"];

    private readonly Dictionary<string, string> variables = new() { ["IFS"] = " " };
    private readonly HashSet<string> functions = [];
    private int nesting;

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
        foreach (var assignment in command.Assignments)
        {
            if (command.Words.Count == 0) Remember(assignment);
            else if (PreloadVariables.Contains(assignment.Name))
                Add(command.Words[0].Text, assignment.Name + "=" + assignment.Value.Text, via,
                    Verdict.Destructive("opaque.preload", $"{assignment.Name} makes the program load or run code that is not on the command line"));
        }
        var programName = command.Words.Count > 0 ? command.Words[0].Text : ":";
        foreach (var redirection in command.Redirections.Where(r => r.WritesFile))
            Add(programName, redirection.Operator + " " + redirection.Target?.Text, via, Redirections.Judge(redirection));
        if (command.Words.Count == 0) return;
        if (DeclaringBuiltins.Contains(command.Words[0].Text))
        {
            foreach (var assignment in command.Words.Skip(1).Select(ShellParser.AsAssignment).OfType<Assignment>()) Remember(assignment);
        }
        ReadWithKnownVariables(command, via);
        Run(command.Words, command.Redirections, Stdin.Of(command), via, inThisShell: true);
    }

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
            if (inThisShell && unwraps == 0 && functions.Contains(program.Text))
            {
                Add(program.Text, Summary(words.Skip(1)), via, Verdict.Read("shell.function-call", "calls a function defined on this line; its body is judged where it is defined"));
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

    private void Remember(Assignment assignment)
    {
        if (assignment.Value.IsLiteral) variables[assignment.Name] = assignment.Value.Text;
        else variables.Remove(assignment.Name);
    }

    public void Add(Invocation call, Verdict verdict) => Add(call.Program, Summary(call.Words), call.Via, verdict);

    private void Add(string program, string arguments, IReadOnlyList<string> via, Verdict verdict) =>
        Findings.Add(new ProgramFinding(program, Shorten(arguments), verdict.Tier, verdict.Rule, verdict.Reason, via));

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
