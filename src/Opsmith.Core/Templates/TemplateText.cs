using System.Text.RegularExpressions;

namespace Opsmith.Core.Templates;

/// <summary>A piece of a template string: literal text, or a <c>{{ reference }}</c>.</summary>
public abstract record TemplatePart(int Offset, int Length);

public sealed record LiteralPart(string Text, int Offset, int Length) : TemplatePart(Offset, Length);

/// <summary>A reference such as <c>inputs.port</c>: a root and the dotted segments after it.</summary>
public sealed record ReferencePart(IReadOnlyList<string> Segments, int Offset, int Length) : TemplatePart(Offset, Length)
{
    public string Root => Segments[0];
    public string Dotted => string.Join('.', Segments);
}

public sealed record TemplateError(string Message, int Offset, int Length);

public sealed record ParsedTemplate(IReadOnlyList<TemplatePart> Parts, IReadOnlyList<TemplateError> Errors)
{
    public IEnumerable<ReferencePart> References => Parts.OfType<ReferencePart>();
    public bool HasReferences => Parts.Any(p => p is ReferencePart);
}

/// <summary>
/// Templates hold references and nothing else: <c>{{ inputs.x }}</c>, <c>{{ target.address }}</c>,
/// <c>{{ actions.step.stdout }}</c>. No filters, expressions or code, so a template can never compute or
/// execute anything; rendering only substitutes (and, in commands, shell-quotes) values.
/// </summary>
public static partial class TemplateText
{
    public static ParsedTemplate Parse(string text)
    {
        var parts = new List<TemplatePart>();
        var errors = new List<TemplateError>();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(new LiteralPart(text[position..], position, text.Length - position));
                break;
            }
            if (open > position) parts.Add(new LiteralPart(text[position..open], position, open - position));
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                errors.Add(new TemplateError("'{{' is never closed with '}}'", open, 2));
                break;
            }
            var inner = text[(open + 2)..close];
            var length = close + 2 - open;
            var match = Reference().Match(inner);
            if (match.Success)
                parts.Add(new ReferencePart(match.Groups[1].Value.Split('.'), open, length));
            else
                errors.Add(new TemplateError(
                    $"'{{{{{inner}}}}}' is not a reference; templates hold only a name such as {{{{ inputs.port }}}} (no filters, expressions or code)",
                    open, length));
            position = close + 2;
        }
        if (errors.Count == 0)
        {
            foreach (var part in parts.OfType<LiteralPart>())
            {
                var closing = part.Text.IndexOf("}}", StringComparison.Ordinal);
                if (closing >= 0) errors.Add(new TemplateError("'}}' without an opening '{{'", part.Offset + closing, 2));
            }
        }
        return new ParsedTemplate(parts, errors);
    }

    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\s*$")]
    private static partial Regex Reference();
}
