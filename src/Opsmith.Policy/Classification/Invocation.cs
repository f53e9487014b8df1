using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification;

internal enum StdinKind { None, Pipe, HereDoc, File }

/// <summary>
/// Where a program's standard input comes from. <see cref="Text"/> is its content when it can be read
/// without running anything (a here-document, a here-string, <c>echo 'literal' |</c>).
/// </summary>
internal sealed record Stdin(StdinKind Kind, string? Text = null, SimpleCommand? From = null, ShellWord? File = null)
{
    public static readonly Stdin None = new(StdinKind.None);

    public static Stdin Of(SimpleCommand command)
    {
        foreach (var redirection in command.Redirections.Where(r => r.FeedsStdin).Reverse())
        {
            if (redirection.HereDoc is { } hereDoc)
                return new Stdin(StdinKind.HereDoc, hereDoc.Body);
            if (redirection.Operator == "<<<" && redirection.Target is { } word)
                return new Stdin(StdinKind.HereDoc, word.Text + "\n");
            if (redirection.Operator == "<" && redirection.Target is { } file)
                return new Stdin(StdinKind.File, File: file);
        }
        if (command.PipedFrom is null) return None;
        var from = command.PipedFrom.LastOrDefault(c => c.Words.Count > 0);
        return new Stdin(StdinKind.Pipe, from is null ? null : EchoedText(from), from);
    }

    /// <summary>The output of <c>echo</c>/<c>printf</c> with literal words: what a pipe delivers, known in advance.</summary>
    internal static string? EchoedText(SimpleCommand command)
    {
        if (command.Words.Count == 0 || !command.Words.All(w => w.IsLiteral)) return null;
        var program = command.Words[0].Text;
        var args = command.Words.Skip(1).Select(w => w.Text).ToList();
        if (program == "echo")
        {
            var escapes = false;
            while (args.Count > 0 && args[0] is "-n" or "-e" or "-E" or "-ne" or "-en")
            {
                escapes |= args[0].Contains('e');
                args.RemoveAt(0);
            }
            var text = string.Join(' ', args);
            return (escapes ? ShellScanner.DecodeAnsiC(text) : text) + "\n";
        }
        if (program == "printf" && args.Count > 0)
            return ShellScanner.DecodeAnsiC(args[0]).Replace("%s", string.Join(' ', args.Skip(1)));
        return null;
    }
}

/// <summary>One program about to be judged: its name (without directory), its argument words, redirections and input.</summary>
internal sealed record Invocation(
    string Program,
    IReadOnlyList<ShellWord> Words,
    IReadOnlyList<Redirection> Redirections,
    Stdin Stdin,
    ClassificationSession Session,
    IReadOnlyList<string> Via)
{
    public IReadOnlyList<string> Args { get; } = Words.Select(w => w.Text).ToList();

    /// <summary>True when any argument is spelled as one of <paramref name="spellings"/> (a long option also as <c>--name=value</c>).</summary>
    /// <remarks>GNU getopt takes any unambiguous abbreviation of a long option, so <c>--rec</c> counts as <c>--recursive</c> (fail closed).</remarks>
    public bool Has(params string[] spellings) =>
        Args.TakeWhile(a => a != "--").Any(a => spellings.Any(s => OptionSyntax.Matches(a, s)));

    /// <summary>True when a short option letter is given, alone or in a cluster such as <c>-rf</c>.</summary>
    public bool HasShort(char letter) =>
        Args.TakeWhile(a => a != "--").Any(a => a.Length > 1 && a[0] == '-' && a[1] != '-' && a.Skip(1).All(char.IsAsciiLetterOrDigit) && a.Contains(letter));

    /// <summary>The value of an option: <c>-X POST</c>, <c>-XPOST</c>, <c>--request POST</c> or <c>--request=POST</c>.</summary>
    public string? Value(params string[] names)
    {
        for (var i = 0; i < Args.Count; i++)
        {
            var arg = Args[i];
            if (arg == "--") break;
            foreach (var name in names)
            {
                if (arg == name || OptionSyntax.IsAbbreviation(arg, name)) return i + 1 < Args.Count ? Args[i + 1] : null;
                if (name.StartsWith("--") && arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is var eq and > 2 && OptionSyntax.Matches(arg[..eq], name)) return arg[(eq + 1)..];
                if (name.Length == 2 && !name.StartsWith("--") && arg.Length > 2 && arg.StartsWith(name, StringComparison.Ordinal) && arg[1] != '-') return arg[2..];
            }
        }
        return null;
    }

    /// <summary>Every value of a repeatable option (<c>-c A -c B</c>).</summary>
    public IReadOnlyList<string> Values(params string[] names)
    {
        var values = new List<string>();
        for (var i = 0; i < Args.Count; i++)
        {
            var arg = Args[i];
            if (arg == "--") break;
            foreach (var name in names)
            {
                if ((arg == name || OptionSyntax.IsAbbreviation(arg, name)) && i + 1 < Args.Count) values.Add(Args[++i]);
                else if (name.StartsWith("--") && arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is var eq and > 2 && OptionSyntax.Matches(arg[..eq], name)) values.Add(arg[(eq + 1)..]);
                else if (name.Length == 2 && !name.StartsWith("--") && arg.Length > 2 && arg.StartsWith(name, StringComparison.Ordinal) && arg[1] != '-') values.Add(arg[2..]);
                else continue;
                break;
            }
        }
        return values;
    }

    /// <summary>
    /// The words that are not options, skipping the value after each option in <paramref name="optionsWithValue"/>.
    /// Everything after <c>--</c> is positional.
    /// </summary>
    public IReadOnlyList<ShellWord> Positionals(params string[] optionsWithValue) =>
        PositionalIndexes(optionsWithValue).Select(i => Words[i]).ToList();

    /// <summary>Where in <see cref="Words"/> the positionals are (to take everything after a sub-command, options included).</summary>
    public IReadOnlyList<int> PositionalIndexes(params string[] optionsWithValue)
    {
        var result = new List<int>();
        for (var i = 0; i < Words.Count; i++)
        {
            var arg = Args[i];
            if (arg == "--")
            {
                result.AddRange(Enumerable.Range(i + 1, Words.Count - i - 1));
                break;
            }
            if (arg.Length > 1 && arg[0] == '-')
            {
                if (optionsWithValue.Any(o => o == arg || OptionSyntax.IsAbbreviation(arg, o))) i++;
                continue;
            }
            result.Add(i);
        }
        return result;
    }

    public IReadOnlyList<string> PositionalTexts(params string[] optionsWithValue) => Positionals(optionsWithValue).Select(w => w.Text).ToList();

    /// <summary>The same program with other arguments (for sub-commands and rules that re-judge a part).</summary>
    public Invocation WithWords(IEnumerable<ShellWord> words) => new(Program, words.ToList(), Redirections, Stdin, Session, Via);
}
