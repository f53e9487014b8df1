using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Opsmith.Core.Skills;

namespace Opsmith.Core.Checks;

/// <summary>
/// Decides whether a finished command met a <see cref="RunExpectation"/>. Pure: it only looks at the exit code and
/// the captured output. Expectations are tried in the order a person reads them (exit code, contains, not contains,
/// matches, json) and the first one that does not hold is the Detail, with an excerpt of what was seen.
/// </summary>
public static class RunExpectationEvaluator
{
    /// <summary>How much of the output a Detail quotes; enough to recognise it, short enough for one line.</summary>
    public const int ExcerptChars = 200;

    /// <summary>A pattern that runs longer than this is treated as broken rather than allowed to stall the run.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    public static CheckOutcome Evaluate(RunExpectation expect, int exitCode, string stdout, string stderr)
    {
        var fields = Fields(exitCode, stdout, stderr);
        var held = new List<string>();

        if (exitCode != expect.ExitCode)
        {
            var seen = stderr.Trim().Length > 0 ? $"stderr: {Tail(stderr)}" : $"stdout: {Excerpt(stdout)}";
            return CheckOutcome.Fail($"exit code {exitCode}, expected {expect.ExitCode} ({seen})", fields);
        }
        held.Add($"exit code {exitCode}");

        if (expect.StdoutContains is { } wanted)
        {
            if (!stdout.Contains(wanted, StringComparison.Ordinal))
                return CheckOutcome.Fail($"stdout does not contain '{wanted}' (stdout: {Excerpt(stdout)})", fields);
            held.Add($"stdout contains '{wanted}'");
        }

        if (expect.StdoutNotContains is { } unwanted)
        {
            var at = stdout.IndexOf(unwanted, StringComparison.Ordinal);
            if (at >= 0)
                return CheckOutcome.Fail($"stdout contains '{unwanted}' but should not (near: {Around(stdout, at)})", fields);
            held.Add($"stdout does not contain '{unwanted}'");
        }

        if (expect.StdoutMatches is { } pattern)
        {
            var failure = Match(pattern, stdout);
            if (failure is not null) return CheckOutcome.Fail(failure, fields);
            held.Add($"stdout matches /{pattern}/");
        }

        if (expect.Json is { } json)
        {
            var failure = CompareJson(json, stdout);
            if (failure is not null) return CheckOutcome.Fail(failure, fields);
            held.Add($"json {json.Path} {Describe(json.Comparison)} {json.Value}");
        }

        return CheckOutcome.Pass(string.Join(", ", held), fields);
    }

    /// <summary>The fields later templates read; trailing newlines go, as with the shell's <c>$(...)</c>.</summary>
    private static Dictionary<string, string> Fields(int exitCode, string stdout, string stderr) => new()
    {
        ["stdout"] = stdout.TrimEnd('\n', '\r'),
        ["stderr"] = stderr.TrimEnd('\n', '\r'),
        ["exit_code"] = exitCode.ToString(CultureInfo.InvariantCulture),
    };

    private static string? Match(string pattern, string stdout)
    {
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            return $"stdout_matches /{pattern}/ is not a valid regular expression: {FirstLine(e.Message)}";
        }
        try
        {
            return regex.IsMatch(stdout) ? null : $"stdout does not match /{pattern}/ (stdout: {Excerpt(stdout)})";
        }
        catch (RegexMatchTimeoutException)
        {
            return $"stdout_matches /{pattern}/ took longer than {MatchTimeout.TotalSeconds:0}s on {stdout.Length} characters of stdout; simplify the pattern";
        }
    }

    private static string? CompareJson(JsonExpectation expect, string stdout)
    {
        if (stdout.Trim().Length == 0) return $"json {expect.Path}: stdout is empty, expected a JSON document";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stdout);
        }
        catch (JsonException e)
        {
            return $"json {expect.Path}: stdout is not valid JSON ({FirstLine(e.Message)}) (stdout: {Excerpt(stdout)})";
        }
        using (document)
        {
            var (element, missing) = Navigate(document.RootElement, expect.Path);
            if (missing is not null) return $"json {expect.Path}: {missing} (stdout: {Excerpt(stdout)})";
            var text = Text(element);
            var seen = $"json {expect.Path} is {Quote(element, text)}";
            if (expect.Comparison == Comparison.Equals)
                return text == expect.Value ? null : $"{seen}, expected '{expect.Value}'";

            if (!TryNumber(expect.Value, out var limit))
                return $"json {expect.Path}: the expected value '{expect.Value}' is not a number, so it cannot be compared {Describe(expect.Comparison)}";
            if (!TryNumber(element, out var actual))
                return $"{seen}, not a number, so it cannot be compared {Describe(expect.Comparison)} {expect.Value}";
            var holds = expect.Comparison == Comparison.Below ? actual < limit : actual > limit;
            return holds ? null : $"{seen}, expected {Describe(expect.Comparison)} {expect.Value}";
        }
    }

    /// <summary>Follows a dotted path; a numeric segment indexes an array. Returns why it stopped when it cannot go on.</summary>
    private static (JsonElement Element, string? Missing) Navigate(JsonElement root, string path)
    {
        var current = root;
        var walked = "";
        foreach (var segment in path.Length == 0 ? [] : path.Split('.'))
        {
            var where = walked.Length == 0 ? "the document" : $"'{walked}'";
            switch (current.ValueKind)
            {
                case JsonValueKind.Object:
                    if (!current.TryGetProperty(segment, out var property))
                        return (current, $"{where} has no property '{segment}'{Available(current)}");
                    current = property;
                    break;
                case JsonValueKind.Array:
                    if (!int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                        return (current, $"{where} is an array; '{segment}' is not an index");
                    var length = current.GetArrayLength();
                    if (index >= length)
                        return (current, $"{where} has {length} element{(length == 1 ? "" : "s")}, no index {index}");
                    current = current[index];
                    break;
                default:
                    return (current, $"{where} is {Kind(current)}, it has no '{segment}'");
            }
            walked = walked.Length == 0 ? segment : $"{walked}.{segment}";
        }
        return (current, null);
    }

    private static string Available(JsonElement obj)
    {
        var names = obj.EnumerateObject().Select(p => p.Name).Take(6).ToList();
        return names.Count == 0 ? " (it is empty)" : $" (it has {string.Join(", ", names)}{(obj.EnumerateObject().Count() > names.Count ? ", …" : "")})";
    }

    /// <summary>Strings compare unquoted; numbers, booleans and null by their JSON text.</summary>
    private static string Text(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();

    private static string Quote(JsonElement element, string text) =>
        element.ValueKind == JsonValueKind.String ? $"'{Cap(text)}'" : Cap(OneLine(text));

    /// <summary>JSON numbers, and strings that hold nothing but a number (many tools print numbers as strings).</summary>
    private static bool TryNumber(JsonElement element, out double value)
    {
        value = 0;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetDouble(out value),
            JsonValueKind.String => TryNumber(element.GetString()!, out value),
            _ => false,
        };
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private static string Describe(Comparison comparison) => comparison switch
    {
        Comparison.Below => "below",
        Comparison.Above => "above",
        _ => "equals",
    };

    private static string Excerpt(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length == 0 ? "(empty)" : $"'{Cap(OneLine(trimmed))}'";
    }

    /// <summary>The end of stderr: where programs put the error that made them exit.</summary>
    private static string Tail(string text)
    {
        var line = OneLine(text.Trim());
        return line.Length <= ExcerptChars ? $"'{line}'" : $"'…{line[^ExcerptChars..]}'";
    }

    /// <summary>The text around an unwanted match, so the reader sees it in context.</summary>
    private static string Around(string text, int at)
    {
        var start = Math.Max(0, at - ExcerptChars / 4);
        var excerpt = OneLine(text[start..Math.Min(text.Length, start + ExcerptChars)]);
        return $"'{(start > 0 ? "…" : "")}{excerpt}{(start + ExcerptChars < text.Length ? "…" : "")}'";
    }

    private static string Cap(string text) => text.Length <= ExcerptChars ? text : text[..ExcerptChars] + "…";

    /// <summary>Details are one line: line breaks become a visible <c>\n</c>.</summary>
    private static string OneLine(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '\n') builder.Append("\\n");
            else if (c != '\r') builder.Append(c);
        }
        return builder.ToString();
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
