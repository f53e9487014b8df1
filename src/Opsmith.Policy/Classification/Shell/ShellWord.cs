namespace Opsmith.Policy.Classification.Shell;

/// <summary>One piece of a shell word, as written. Quoting is already removed from literal pieces.</summary>
public abstract record WordPart(string Raw);

/// <summary>Text the shell takes as it is. Unquoted literal text may still be a glob (<c>*</c>, <c>?</c>, <c>[</c>).</summary>
public sealed record LiteralPart(string Text, bool Quoted, string Raw) : WordPart(Raw);

/// <summary><c>$NAME</c> or <c>${NAME...}</c>: known only when the command runs.</summary>
public sealed record ParameterPart(string Name, bool Quoted, string Raw) : WordPart(Raw);

/// <summary><c>$(...)</c>, backticks, <c>&lt;(...)</c> or <c>&gt;(...)</c>: the body runs, and its output is known only then.</summary>
public sealed record SubstitutionPart(string Body, bool Quoted, string Raw) : WordPart(Raw);

/// <summary><c>$((...))</c>: a number computed when the command runs.</summary>
public sealed record ArithmeticPart(string Raw) : WordPart(Raw);

/// <summary>A value supplied at run time by another program (the input of <c>xargs</c>, a match of <c>find -exec</c>).</summary>
public sealed record RuntimePart(string Raw) : WordPart(Raw);

/// <summary>
/// One shell word: its parts and the text it was written as. <see cref="Text"/> is the word with quoting
/// removed and every expansion left as written (<c>$HOME/x</c>), which is what rules compare against.
/// </summary>
public sealed record ShellWord(IReadOnlyList<WordPart> Parts, string Raw)
{
    public static ShellWord Literal(string text) => new([new LiteralPart(text, true, text)], text);

    public static ShellWord Runtime(string description) => new([new RuntimePart(description)], description);

    /// <summary>True when the word means exactly <see cref="Text"/> whenever it runs: no expansion of any kind.</summary>
    public bool IsLiteral => Parts.All(p => p is LiteralPart);

    /// <summary>True when an unquoted glob or brace character can turn the word into several paths.</summary>
    public bool HasGlob => Parts.Any(p => p is LiteralPart { Quoted: false } l && l.Text.IndexOfAny(GlobChars) >= 0);

    /// <summary>The word exactly as far as it is known: fully literal and without globs.</summary>
    public bool IsExact => IsLiteral && !HasGlob;

    public string Text => string.Concat(Parts.Select(p => p is LiteralPart l ? l.Text : p.Raw));

    /// <summary>The literal text before the first expansion or glob: what is certain about a path.</summary>
    public string KnownPrefix
    {
        get
        {
            var prefix = new System.Text.StringBuilder();
            foreach (var part in Parts)
            {
                if (part is not LiteralPart literal) break;
                var glob = literal.Quoted ? -1 : literal.Text.IndexOfAny(GlobChars);
                if (glob >= 0)
                {
                    prefix.Append(literal.Text, 0, glob);
                    break;
                }
                prefix.Append(literal.Text);
            }
            return prefix.ToString();
        }
    }

    public override string ToString() => Text;

    private static readonly char[] GlobChars = ['*', '?', '[', '{'];
}
