using System.Globalization;
using System.Text;

namespace Opsmith.Cli.Output;

/// <summary>
/// Makes text that came from outside (a host's output, an input, a reason someone typed, a file name) safe to
/// print as text: a terminal obeys control characters, so a host that prints <c>ESC[2J</c> could clear the
/// screen, an OSC 8 sequence could hide a link, and a bidi override could make <c>rm -rf /</c> read as
/// something else. Every C0 and C1 control except newline and tab, DEL, the Unicode bidi controls and the
/// line/paragraph separators become visible escapes (<c>\x1b</c>, <c>\u202e</c>); a CRLF line end becomes a
/// newline and a lone carriage return, which could overwrite the line, <c>\r</c>. Escape sequences are thereby
/// shown, not obeyed. Opsmith's own colours are added after this, around text already made safe.
/// JSON output needs none of it: the serializer escapes control characters.
/// </summary>
public static class TerminalText
{
    public static string Sanitize(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var first = FirstUnsafe(text);
        if (first < 0) return text;
        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') continue; // CRLF: the \n follows
            if (!IsUnsafe(c)) builder.Append(c);
            else if (c == '\r') builder.Append("\\r");
            else if (c <= '\u007f') builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>Sanitized, on one line: newlines and tabs shown as <c>\n</c> and <c>\t</c> too (table cells, list rows).</summary>
    public static string OneLine(string? text) => Sanitize(text).Replace("\n", "\\n").Replace("\t", "\\t");

    private static int FirstUnsafe(string text)
    {
        for (var i = 0; i < text.Length; i++)
            if (IsUnsafe(text[i])) return i;
        return -1;
    }

    private static bool IsUnsafe(char c) => c switch
    {
        '\n' or '\t' => false,
        < '\u0020' or '\u007f' => true, // C0 (ESC, BEL, BS, CR, ...) and DEL
        >= '\u0080' and <= '\u009f' => true, // C1 (CSI, OSC, ST as single characters)
        '\u061c' or '\u200e' or '\u200f' => true, // arabic letter mark, LRM, RLM
        >= '\u202a' and <= '\u202e' => true, // LRE, RLE, PDF, LRO, RLO
        >= '\u2066' and <= '\u2069' => true, // LRI, RLI, FSI, PDI
        '\u2028' or '\u2029' => true, // line and paragraph separators
        _ => false,
    };
}
