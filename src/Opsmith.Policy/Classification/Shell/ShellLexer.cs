namespace Opsmith.Policy.Classification.Shell;

internal enum TokenKind { Word, Operator, Newline, Redirect, Arithmetic, End }

/// <summary>A lexical token. Redirections carry their target (and here-document body) already read.</summary>
internal sealed record Token(TokenKind Kind, string Text, ShellWord? Word = null, Redirection? Redirection = null)
{
    public bool IsWord(string text) => Kind == TokenKind.Word && Word!.IsLiteral && Word.Text == text && !Word.Raw.Contains('\\') && !Word.Raw.Contains('\'') && !Word.Raw.Contains('"');

    public bool IsOperator(string text) => Kind == TokenKind.Operator && Text == text;
}

/// <summary>
/// Splits shell text into words, operators, redirections and newlines, the way a POSIX shell (and bash)
/// does. Here-document bodies are read when their redirection is met and skipped when the line ends.
/// It never throws: anything malformed becomes a problem and the best reading it can make.
/// </summary>
internal sealed partial class ShellLexer(string source, List<string> problems)
{
    private int position;
    private int hereDocResume = -1;

    /// <summary>True when the text after the current token (blanks skipped) starts a compound command: <c>{</c>, <c>(</c>, if, while, for, until, case.</summary>
    public bool PeekIsCompoundStart()
    {
        var at = position;
        while (at < source.Length && source[at] is ' ' or '\t') at++;
        if (at >= source.Length) return false;
        if (source[at] is '{' or '(') return true;
        foreach (var keyword in new[] { "if", "while", "until", "for", "case", "select" })
        {
            if (string.CompareOrdinal(source, at, keyword, 0, keyword.Length) == 0 && (at + keyword.Length >= source.Length || source[at + keyword.Length] is ' ' or '\t' or '\n' or ';')) return true;
        }
        return false;
    }

    public Token Next()
    {
        while (true)
        {
            SkipBlanks();
            if (position >= source.Length) return new Token(TokenKind.End, "");
            var c = source[position];
            if (c == '#')
            {
                while (position < source.Length && source[position] != '\n') position++;
                continue;
            }
            if (c == '\n')
            {
                position++;
                if (hereDocResume >= 0)
                {
                    position = Math.Max(position, hereDocResume);
                    hereDocResume = -1;
                }
                return new Token(TokenKind.Newline, "\n");
            }
            return ReadToken(c);
        }
    }

    private Token ReadToken(char c)
    {
        if (char.IsAsciiDigit(c))
        {
            var end = position;
            while (end < source.Length && char.IsAsciiDigit(source[end])) end++;
            if (end < source.Length && source[end] is '<' or '>' && !(end + 1 < source.Length && source[end + 1] == '('))
            {
                var fd = int.TryParse(source.AsSpan(position, end - position), out var n) ? n : (int?)null;
                position = end;
                return ReadRedirect(fd);
            }
        }
        switch (c)
        {
            case '<' or '>' when Peek(1) == '(':
                return WordToken();
            case '<' or '>':
                return ReadRedirect(null);
            case '&' when Peek(1) == '>':
                return ReadRedirect(null);
            case '&':
                return Operator(Peek(1) == '&' ? "&&" : "&");
            case '|':
                return Operator(Peek(1) == '|' ? "||" : Peek(1) == '&' ? "|&" : "|");
            case ';':
                return Operator(Peek(1) == ';' ? (Peek(2) == '&' ? ";;&" : ";;") : Peek(1) == '&' ? ";&" : ";");
            case '(' when Peek(1) == '(':
                return ReadArithmeticCommand();
            case '(' or ')':
                return Operator(c.ToString());
            default:
                return WordToken();
        }
    }

    private Token Operator(string text)
    {
        position += text.Length;
        return new Token(TokenKind.Operator, text);
    }

    private Token WordToken()
    {
        var word = ReadWord();
        return new Token(TokenKind.Word, word.Raw, word);
    }

    private static readonly string[] RedirectOperators = ["&>>", "&>", "<<<", "<<-", "<<", "<&", "<>", "<", ">>", ">&", ">|", ">"];

    private Token ReadRedirect(int? fd)
    {
        var op = RedirectOperators.First(o => string.CompareOrdinal(source, position, o, 0, o.Length) == 0);
        position += op.Length;
        SkipBlanks();
        if (position >= source.Length || IsMetaCharacter(source[position]) && !(source[position] is '<' or '>' && Peek(1) == '('))
        {
            problems.Add($"redirection '{op}' has no target");
            return new Token(TokenKind.Redirect, op, Redirection: new Redirection(fd, op, null));
        }
        var target = ReadWord();
        HereDoc? hereDoc = op is "<<" or "<<-" ? ReadHereDocBody(target, stripTabs: op == "<<-") : null;
        return new Token(TokenKind.Redirect, op, Redirection: new Redirection(fd, op, target, hereDoc));
    }

    /// <summary>
    /// The body starts on the line after the redirection (or after the previous here-document of the same
    /// line) and ends at a line holding only the delimiter. The lexer skips it when it reaches that newline.
    /// </summary>
    private HereDoc ReadHereDocBody(ShellWord delimiterWord, bool stripTabs)
    {
        var delimiter = delimiterWord.Text;
        var expands = !delimiterWord.Raw.Contains('\'') && !delimiterWord.Raw.Contains('"') && !delimiterWord.Raw.Contains('\\');
        var start = hereDocResume >= 0 ? hereDocResume : source.IndexOf('\n', position) is var nl and >= 0 ? nl + 1 : -1;
        if (start < 0)
        {
            problems.Add($"here-document '{delimiter}' has no body");
            return new HereDoc("", expands);
        }
        var body = new System.Text.StringBuilder();
        var at = start;
        while (at < source.Length)
        {
            var lineEnd = source.IndexOf('\n', at);
            var next = lineEnd < 0 ? source.Length : lineEnd + 1;
            var line = source[at..(lineEnd < 0 ? source.Length : lineEnd)];
            if (stripTabs) line = line.TrimStart('\t');
            if (line == delimiter)
            {
                hereDocResume = next;
                return new HereDoc(body.ToString(), expands);
            }
            body.Append(line).Append('\n');
            at = next;
        }
        problems.Add($"here-document '{delimiter}' is not terminated");
        hereDocResume = source.Length;
        return new HereDoc(body.ToString(), expands);
    }

    /// <summary><c>(( ... ))</c>: an arithmetic command. It runs nothing but the substitutions inside it.</summary>
    private Token ReadArithmeticCommand()
    {
        var start = position;
        var depth = 0;
        while (position < source.Length)
        {
            var c = source[position++];
            if (c == '(') depth++;
            else if (c == ')' && --depth == 0) break;
        }
        if (depth != 0) problems.Add("unterminated '(( ))'");
        return new Token(TokenKind.Arithmetic, source[start..position]);
    }

    private void SkipBlanks()
    {
        while (position < source.Length)
        {
            if (source[position] is ' ' or '\t' or '\r') position++;
            else if (source[position] == '\\' && Peek(1) == '\n') position += 2;
            else break;
        }
    }

    private char Peek(int offset) => position + offset < source.Length ? source[position + offset] : '\0';

    private static bool IsMetaCharacter(char c) => c is ' ' or '\t' or '\r' or '\n' or ';' or '&' or '|' or '<' or '>' or '(' or ')';
}
