using System.Text;

namespace Opsmith.Application.Import;

/// <summary>A value a source wrote into its commands (a namespace, a deployment) that becomes an input with it as default.</summary>
/// <param name="Required">True for a placeholder that must be replaced before use: the input gets no default.</param>
public sealed record HardCodedValue(string Input, string Value, string Description, bool Required = false)
{
    public string Template => $"{{{{ inputs.{Input} }}}}";
}

/// <summary>
/// Writes inputs into commands where the shell reads a hard-coded value as a word or part of one: an unquoted
/// occurrence becomes <c>{{ inputs.x }}</c>, and so does a whole quoted word (<c>"demo-app"</c>), since a template is
/// shell-quoted as one word. An occurrence inside a longer quoted string stays as written: a template there would
/// lose its quoting (docs/skill-format.md, template-in-quotes), so it is counted for the import's notes.
/// </summary>
public static class HardCodedValues
{
    public static string InCommand(string command, IReadOnlyList<HardCodedValue> values, ICollection<string> keptInQuotes)
    {
        foreach (var value in values.OrderByDescending(v => v.Value.Length))
            command = Replace(command, value, keptInQuotes);
        return command;
    }

    /// <summary>In text that is not shell (expected output): every occurrence that stands as a word.</summary>
    public static string InText(string text, IReadOnlyList<HardCodedValue> values)
    {
        foreach (var value in values.OrderByDescending(v => v.Value.Length))
        {
            var result = new StringBuilder();
            for (var i = 0; i < text.Length;)
            {
                if (At(text, i, value.Value)) { result.Append(value.Template); i += value.Value.Length; }
                else result.Append(text[i++]);
            }
            text = result.ToString();
        }
        return text;
    }

    private static string Replace(string command, HardCodedValue value, ICollection<string> keptInQuotes)
    {
        var result = new StringBuilder();
        var i = 0;
        while (i < command.Length)
        {
            var c = command[i];
            if (c == '\\' && i + 1 < command.Length)
            {
                result.Append(c).Append(command[i + 1]);
                i += 2;
                continue;
            }
            if (c is '\'' or '"')
            {
                var close = FindClose(command, i);
                var inner = command[(i + 1)..close];
                var wholeWord = inner == value.Value && (i == 0 || WordEdge(command[i - 1])) &&
                                (close + 1 >= command.Length || WordEdge(command[close + 1]));
                if (wholeWord) result.Append(value.Template);
                else
                {
                    if (ContainsWord(inner, value.Value)) keptInQuotes.Add(value.Value);
                    result.Append(command, i, Math.Min(command.Length, close + 1) - i);
                }
                i = close + 1;
                continue;
            }
            if (At(command, i, value.Value))
            {
                result.Append(value.Template);
                i += value.Value.Length;
                continue;
            }
            result.Append(c);
            i++;
        }
        return result.ToString();
    }

    /// <summary>The index of the quote that closes the one at <paramref name="open"/> (the end of the text when none does).</summary>
    private static int FindClose(string text, int open)
    {
        var quote = text[open];
        for (var i = open + 1; i < text.Length; i++)
        {
            if (quote == '"' && text[i] == '\\') { i++; continue; }
            if (text[i] == quote) return i;
        }
        return text.Length;
    }

    private static bool ContainsWord(string text, string value)
    {
        for (var i = 0; i <= text.Length - value.Length; i++)
            if (At(text, i, value)) return true;
        return false;
    }

    /// <summary>The value starts at <paramref name="i"/> and is not part of a longer name.</summary>
    private static bool At(string text, int i, string value) =>
        string.CompareOrdinal(text, i, value, 0, value.Length) == 0
        && (i == 0 || !NameChar(text[i - 1]) && text[i - 1] != '$')
        && (i + value.Length >= text.Length || !NameChar(text[i + value.Length]));

    private static bool NameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private static bool WordEdge(char c) => char.IsWhiteSpace(c) || c is ';' or '|' or '&' or ')' or '(' or '=';
}
