using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Opsmith.Core.Rendering;

/// <summary>
/// The forms a secret takes once a program has printed it: as is and reversed; shell-quoted and
/// backslash-escaped; JSON-escaped (strict, relaxed, ASCII-only, with escaped slashes, and escaped twice, as
/// JSON inside JSON); URL-encoded (RFC 3986, form encoding, JavaScript's encodeURIComponent); hex; base64 and
/// base64url at the three byte alignments, so a secret inside a longer blob (base64 of <c>user:secret</c>) is
/// still found; and each line of a multi-line secret. Upper/lower case and line breaks inside a form are the
/// matcher's business (<see cref="SecretMatcher"/>), not forms of their own.
/// </summary>
public static class SecretForms
{
    public static IReadOnlyList<string> Of(string secret)
    {
        var forms = new List<string> { secret, Reverse(secret) };
        forms.AddRange(Shell(secret));
        forms.AddRange(Json(secret));
        forms.AddRange(Url(secret));
        var bytes = Encoding.UTF8.GetBytes(secret);
        forms.Add(Convert.ToHexString(bytes));
        forms.AddRange(Base64(bytes));
        forms.AddRange(secret.Split('\n').Select(l => l.TrimEnd('\r')));
        return forms.Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }

    private static string Reverse(string text)
    {
        // By text element, so a surrogate pair or a combining mark stays whole.
        var elements = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext()) elements.Add(e.GetTextElement());
        elements.Reverse();
        return string.Concat(elements);
    }

    private static IEnumerable<string> Shell(string s)
    {
        yield return ShellQuote.Quote(s);
        yield return s.Replace("'", "'\\''");
        // Inside double quotes: \ " $ ` are escaped.
        yield return Escape(s, c => c is '\\' or '"' or '$' or '`');
        // printf %q and friends: a backslash before every character that is not plainly safe.
        yield return Escape(s, c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '-' or '=' or ':' or ',' or '@' or '+' or '%' or '^'));
    }

    private static string Escape(string s, Func<char, bool> needs)
    {
        var builder = new StringBuilder(s.Length * 2);
        foreach (var c in s)
        {
            if (needs(c)) builder.Append('\\');
            builder.Append(c);
        }
        return builder.ToString();
    }

    private static IEnumerable<string> Json(string s)
    {
        var strict = JsonEncodedText.Encode(s, JavaScriptEncoder.Default).ToString();
        var relaxed = JsonEncodedText.Encode(s, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
        var asciiOnly = MinimalJson(s, escapeNonAscii: true);
        var minimal = MinimalJson(s, escapeNonAscii: false);
        string[] once = [strict, relaxed, asciiOnly, minimal, strict.Replace("/", "\\/"), minimal.Replace("/", "\\/"), asciiOnly.Replace("/", "\\/")];
        foreach (var form in once) yield return form;
        // JSON inside JSON (a kubectl annotation, a log line of a JSON body).
        foreach (var form in new[] { strict, minimal }) { yield return MinimalJson(form, false); yield return JsonEncodedText.Encode(form, JavaScriptEncoder.Default).ToString(); }
    }

    /// <summary>What most JSON writers do: the two-character escapes, \u00XX for other controls.</summary>
    private static string MinimalJson(string s, bool escapeNonAscii)
    {
        var builder = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20 || (escapeNonAscii && c > 0x7e)) builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }
        return builder.ToString();
    }

    private static IEnumerable<string> Url(string s)
    {
        const string unreserved = "-_.~";
        yield return PercentEncode(s, unreserved, spaceAsPlus: false);
        yield return PercentEncode(s, unreserved, spaceAsPlus: true);
        yield return PercentEncode(s, "-_.!~*'()", spaceAsPlus: false); // encodeURIComponent
        yield return PercentEncode(s, "-_.!*()", spaceAsPlus: true); // WebUtility.UrlEncode, HTML forms
    }

    private static string PercentEncode(string s, string keep, bool spaceAsPlus)
    {
        var builder = new StringBuilder(s.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || keep.Contains(c))) builder.Append(c);
            else if (spaceAsPlus && c == ' ') builder.Append('+');
            else builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>
    /// Base64 and base64url of the secret's bytes from offsets 0, 1 and 2: whatever precedes the secret in a
    /// longer blob, one of the three lines up with base64's 3-byte groups. Only the characters that depend on
    /// the secret alone are kept (not those mixed with the next byte or padding); at offset 0 the whole padded
    /// and unpadded encodings too, so a secret encoded on its own is masked to the last character.
    /// </summary>
    private static IEnumerable<string> Base64(byte[] bytes)
    {
        var whole = Convert.ToBase64String(bytes);
        yield return whole;
        yield return whole.TrimEnd('=');
        yield return UrlAlphabet(whole.TrimEnd('='));
        for (var shift = 0; shift < 3 && shift < bytes.Length; shift++)
        {
            var rest = bytes.AsSpan(shift);
            var encoded = Convert.ToBase64String(rest);
            var stable = rest.Length / 3 * 4 + rest.Length % 3; // 1 trailing byte fixes 1 character, 2 fix 2
            yield return encoded[..stable];
            yield return UrlAlphabet(encoded[..stable]);
        }
    }

    private static string UrlAlphabet(string base64) => base64.Replace('+', '-').Replace('/', '_');
}
