using System.Text.RegularExpressions;

namespace Opsmith.Policy.Classification.Shell;

/// <summary>
/// Reads a command line as a POSIX shell (with the bash extensions people write) into the simple commands
/// it runs: through pipelines, <c>&amp;&amp;</c>/<c>||</c>/<c>;</c> lists, subshells, braces, if/while/for/case,
/// function bodies, <c>$(...)</c>, backticks, process substitutions and unquoted here-documents. It reads;
/// it never expands or runs anything. What it cannot read becomes a problem, never an exception.
/// </summary>
public static partial class ShellParser
{
    /// <summary>How deep substitutions may nest before the parser gives up on them (and says so).</summary>
    public const int MaxDepth = 12;

    public static ParsedScript Parse(string text) => Parse(text, 0);

    internal static ParsedScript Parse(string text, int depth)
    {
        var problems = new List<string>();
        if (depth > MaxDepth)
        {
            problems.Add("substitutions nest too deeply to read");
            return new ParsedScript([], problems, []);
        }
        var grammar = new ShellGrammar(text, problems, depth);
        var commands = grammar.Script();
        return new ParsedScript(commands, problems, grammar.FunctionNames, grammar.RecursiveFunctions);
    }

    /// <summary>Splits <c>NAME=value</c> (also <c>NAME+=value</c>, <c>NAME[i]=value</c>) when the word is an assignment.</summary>
    internal static Assignment? AsAssignment(ShellWord word)
    {
        if (word.Parts.Count == 0 || word.Parts[0] is not LiteralPart { Quoted: false } first) return null;
        var match = AssignmentPrefix().Match(first.Text);
        if (!match.Success) return null;
        var rest = first.Text[match.Length..];
        var parts = new List<WordPart>();
        if (rest.Length > 0) parts.Add(new LiteralPart(rest, false, rest));
        parts.AddRange(word.Parts.Skip(1));
        return new Assignment(match.Groups[1].Value, new ShellWord(parts, word.Raw[Math.Min(word.Raw.Length, match.Length)..]));
    }

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?\+?=")]
    private static partial Regex AssignmentPrefix();
}
