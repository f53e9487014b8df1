using System.Globalization;
using System.Text;

namespace Opsmith.Policy.Classification.Shell;

/// <summary>Finding where nested constructs end, skipping over quotes, and decoding <c>$'...'</c>.</summary>
internal static class ShellScanner
{
    /// <summary>The index of the <c>)</c> closing a parenthesis opened just before <paramref name="from"/>, or -1.</summary>
    public static int MatchingParen(string text, int from)
    {
        var depth = 1;
        var i = from;
        while (i < text.Length)
        {
            var c = text[i];
            switch (c)
            {
                case '\\':
                    i += 2;
                    continue;
                case '\'':
                    i = SkipSingleQuoted(text, i);
                    continue;
                case '"':
                    i = SkipDoubleQuoted(text, i);
                    continue;
                case '`':
                    i = SkipBacktick(text, i);
                    continue;
                case '#' when i == from || text[i - 1] is ' ' or '\t' or '\n' or ';':
                    while (i < text.Length && text[i] != '\n') i++;
                    continue;
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth == 0) return i;
                    break;
            }
            i++;
        }
        return -1;
    }

    /// <summary>The index of the <c>}</c> closing a <c>${</c> opened just before <paramref name="from"/>, or -1.</summary>
    public static int MatchingBrace(string text, int from)
    {
        var depth = 1;
        var i = from;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\') { i += 2; continue; }
            if (c == '\'') { i = SkipSingleQuoted(text, i); continue; }
            if (c == '"') { i = SkipDoubleQuoted(text, i); continue; }
            if (c == '$' && i + 1 < text.Length && text[i + 1] == '(')
            {
                var close = MatchingParen(text, i + 2);
                if (close < 0) return -1;
                i = close + 1;
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
            i++;
        }
        return -1;
    }

    /// <summary>The index of the quote closing a <c>$'...'</c> whose text starts at <paramref name="from"/>, or -1.</summary>
    public static int AnsiCEnd(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '\\') i++;
            else if (text[i] == '\'') return i;
        }
        return -1;
    }

    /// <summary>The name a <c>${...}</c> expands (<c>${#X}</c>, <c>${X:-d}</c> and <c>${X[0]}</c> all name X).</summary>
    public static string ParameterName(string inner)
    {
        var text = inner.StartsWith('#') || inner.StartsWith('!') ? inner[1..] : inner;
        var end = 0;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_')) end++;
        if (end == 0 && text.Length > 0) end = 1;
        return text[..end];
    }

    public static string DecodeAnsiC(string body)
    {
        var result = new StringBuilder();
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\' || i + 1 >= body.Length)
            {
                result.Append(body[i]);
                continue;
            }
            var e = body[++i];
            switch (e)
            {
                case 'n': result.Append('\n'); break;
                case 't': result.Append('\t'); break;
                case 'r': result.Append('\r'); break;
                case 'a': result.Append('\a'); break;
                case 'b': result.Append('\b'); break;
                case 'f': result.Append('\f'); break;
                case 'v': result.Append('\v'); break;
                case 'e' or 'E': result.Append('\u001b'); break;
                case 'x': i = AppendCode(body, i + 1, 2, 16, result) - 1; break;
                case 'u': i = AppendCode(body, i + 1, 4, 16, result) - 1; break;
                case 'U': i = AppendCode(body, i + 1, 8, 16, result) - 1; break;
                case >= '0' and <= '7': i = AppendCode(body, i, 3, 8, result) - 1; break;
                case 'c' when i + 1 < body.Length: result.Append((char)(body[++i] & 0x1f)); break;
                default: result.Append(e); break;
            }
        }
        return result.ToString();
    }

    private static int AppendCode(string body, int start, int maxDigits, int radix, StringBuilder result)
    {
        var end = start;
        while (end < body.Length && end - start < maxDigits && IsDigit(body[end], radix)) end++;
        if (end == start)
        {
            result.Append('\\').Append(body[start - 1]);
            return start;
        }
        var digits = body[start..end];
        var value = radix == 16 ? int.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : Convert.ToInt32(digits, 8);
        result.Append(value <= 0x10FFFF ? char.ConvertFromUtf32(value is >= 0xD800 and <= 0xDFFF ? 0xFFFD : value) : "\uFFFD");
        return end;
    }

    private static bool IsDigit(char c, int radix) => radix == 16 ? char.IsAsciiHexDigit(c) : c is >= '0' and <= '7';

    private static int SkipSingleQuoted(string text, int i)
    {
        var close = text.IndexOf('\'', i + 1);
        return close < 0 ? text.Length : close + 1;
    }

    private static int SkipDoubleQuoted(string text, int i)
    {
        i++;
        while (i < text.Length && text[i] != '"')
        {
            if (text[i] == '\\') i++;
            else if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '(')
            {
                var close = MatchingParen(text, i + 2);
                if (close < 0) return text.Length;
                i = close;
            }
            i++;
        }
        return Math.Min(i + 1, text.Length);
    }

    private static int SkipBacktick(string text, int i)
    {
        i++;
        while (i < text.Length && text[i] != '`')
        {
            if (text[i] == '\\') i++;
            i++;
        }
        return Math.Min(i + 1, text.Length);
    }
}
