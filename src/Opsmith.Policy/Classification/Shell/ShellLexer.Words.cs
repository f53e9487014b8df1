using System.Text;

namespace Opsmith.Policy.Classification.Shell;

/// <summary>Reading one word: quotes, escapes and every kind of expansion, each kept as its own part.</summary>
internal sealed partial class ShellLexer
{
    public ShellWord ReadWord()
    {
        var start = position;
        var parts = new List<WordPart>();
        var plain = new StringBuilder();
        var plainStart = position;

        void Flush()
        {
            if (plain.Length > 0) parts.Add(new LiteralPart(plain.ToString(), false, source[plainStart..position]));
            plain.Clear();
        }

        while (position < source.Length)
        {
            var c = source[position];
            if ((c is '<' or '>') && Peek(1) == '(' && position == start)
            {
                var open = position + 1;
                var close = ShellScanner.MatchingParen(source, open + 1);
                parts.Add(Substitution(open + 1, close, quoted: false, rawStart: position));
                plainStart = position;
                continue;
            }
            if (c == '(' && plain.Length > 0 && plain[^1] == '=' && parts.Count == 0)
            {
                // NAME=(a b c): an array assignment, kept as one literal.
                var close = ShellScanner.MatchingParen(source, position + 1);
                var end = close < 0 ? source.Length : close + 1;
                plain.Append(source, position, end - position);
                position = end;
                continue;
            }
            if (IsMetaCharacter(c)) break;
            switch (c)
            {
                case '\\':
                    Flush();
                    if (Peek(1) == '\n') position += 2;
                    else if (position + 1 < source.Length)
                    {
                        parts.Add(new LiteralPart(source[position + 1].ToString(), true, source.Substring(position, 2)));
                        position += 2;
                    }
                    else parts.Add(new LiteralPart("\\", true, source[position++..position]));
                    break;
                case '\'':
                    Flush();
                    parts.Add(ReadSingleQuoted());
                    break;
                case '"':
                    Flush();
                    ReadDoubleQuoted(parts);
                    break;
                case '$':
                    Flush();
                    ReadDollar(parts, quoted: false);
                    break;
                case '`':
                    Flush();
                    parts.Add(ReadBacktick(quoted: false));
                    break;
                default:
                    if (plain.Length == 0) plainStart = position;
                    plain.Append(c);
                    position++;
                    continue;
            }
            plainStart = position;
        }
        Flush();
        return new ShellWord(parts, source[start..position]);
    }

    private LiteralPart ReadSingleQuoted()
    {
        var start = position;
        var close = source.IndexOf('\'', position + 1);
        if (close < 0)
        {
            problems.Add("unterminated single quote");
            position = source.Length;
            return new LiteralPart(source[(start + 1)..], true, source[start..]);
        }
        position = close + 1;
        return new LiteralPart(source[(start + 1)..close], true, source[start..position]);
    }

    private void ReadDoubleQuoted(List<WordPart> parts)
    {
        position++;
        var text = new StringBuilder();
        var textStart = position;

        void Flush()
        {
            if (text.Length > 0) parts.Add(new LiteralPart(text.ToString(), true, source[textStart..position]));
            text.Clear();
        }

        while (position < source.Length && source[position] != '"')
        {
            var c = source[position];
            if (c == '\\' && position + 1 < source.Length && source[position + 1] is '$' or '`' or '"' or '\\' or '\n')
            {
                if (source[position + 1] != '\n') text.Append(source[position + 1]);
                position += 2;
            }
            else if (c == '$')
            {
                Flush();
                ReadDollar(parts, quoted: true);
                textStart = position;
            }
            else if (c == '`')
            {
                Flush();
                parts.Add(ReadBacktick(quoted: true));
                textStart = position;
            }
            else
            {
                text.Append(c);
                position++;
            }
        }
        if (position >= source.Length) problems.Add("unterminated double quote");
        Flush();
        position = Math.Min(position + 1, source.Length);
    }

    private void ReadDollar(List<WordPart> parts, bool quoted)
    {
        var start = position;
        var next = Peek(1);
        if (next == '\'' && !quoted)
        {
            var close = ShellScanner.AnsiCEnd(source, position + 2);
            position = close < 0 ? source.Length : close + 1;
            if (close < 0) problems.Add("unterminated $'...' quote");
            parts.Add(new LiteralPart(ShellScanner.DecodeAnsiC(source[(start + 2)..(close < 0 ? source.Length : close)]), true, source[start..position]));
            return;
        }
        if (next == '"' && !quoted)
        {
            position++;
            ReadDoubleQuoted(parts);
            return;
        }
        if (next == '(' && Peek(2) == '(')
        {
            var close = ShellScanner.MatchingParen(source, position + 2);
            position = close < 0 ? source.Length : close + 1;
            parts.Add(new ArithmeticPart(source[start..position]));
            return;
        }
        if (next == '(')
        {
            var close = ShellScanner.MatchingParen(source, position + 2);
            parts.Add(Substitution(position + 2, close, quoted, rawStart: start));
            return;
        }
        if (next == '{')
        {
            var close = ShellScanner.MatchingBrace(source, position + 2);
            if (close < 0) problems.Add("unterminated ${...}");
            position = close < 0 ? source.Length : close + 1;
            var raw = source[start..position];
            var inner = raw.Length >= 3 ? raw[2..^(close < 0 ? 0 : 1)] : "";
            parts.Add(new ParameterPart(ShellScanner.ParameterName(inner), quoted, raw));
            // ${X:-$(cmd)} runs cmd: keep the nested substitutions (they add no text of their own).
            foreach (var nested in NestedSubstitutions(inner, quoted)) parts.Add(nested);
            return;
        }
        if (char.IsAsciiLetter(next) || next == '_')
        {
            var end = position + 1;
            while (end < source.Length && (char.IsAsciiLetterOrDigit(source[end]) || source[end] == '_')) end++;
            position = end;
            parts.Add(new ParameterPart(source[(start + 1)..end], quoted, source[start..end]));
            return;
        }
        if (char.IsAsciiDigit(next) || next is '?' or '$' or '!' or '#' or '@' or '*' or '-')
        {
            position += 2;
            parts.Add(new ParameterPart(next.ToString(), quoted, source[start..position]));
            return;
        }
        position++;
        parts.Add(new LiteralPart("$", quoted, "$"));
    }

    private SubstitutionPart Substitution(int bodyStart, int close, bool quoted, int rawStart)
    {
        if (close < 0) problems.Add("unterminated command substitution");
        var end = close < 0 ? source.Length : close;
        position = close < 0 ? source.Length : close + 1;
        return new SubstitutionPart(source[bodyStart..end], quoted, source[rawStart..position]);
    }

    private SubstitutionPart ReadBacktick(bool quoted)
    {
        var start = position;
        var body = new StringBuilder();
        position++;
        while (position < source.Length && source[position] != '`')
        {
            if (source[position] == '\\' && position + 1 < source.Length && source[position + 1] is '`' or '\\' or '$')
            {
                body.Append(source[position + 1]);
                position += 2;
                continue;
            }
            body.Append(source[position++]);
        }
        if (position >= source.Length) problems.Add("unterminated backtick substitution");
        position = Math.Min(position + 1, source.Length);
        return new SubstitutionPart(body.ToString(), quoted, source[start..position]);
    }

    private IEnumerable<SubstitutionPart> NestedSubstitutions(string text, bool quoted)
    {
        if (!text.Contains("$(") && !text.Contains('`')) return [];
        var inner = new ShellLexer(text, problems);
        var found = new List<WordPart>();
        while (inner.position < text.Length)
        {
            if (text[inner.position] == '$') inner.ReadDollar(found, quoted: true);
            else if (text[inner.position] == '`') found.Add(inner.ReadBacktick(quoted));
            else inner.position++;
        }
        return found.OfType<SubstitutionPart>().Select(s => s with { Raw = "" });
    }

    /// <summary>The substitutions an unquoted here-document body runs when the shell expands it.</summary>
    public static IReadOnlyList<SubstitutionPart> SubstitutionsIn(string text, List<string> problems) =>
        new ShellLexer(text, problems).NestedSubstitutions(text, quoted: true).ToList();
}
