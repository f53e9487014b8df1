using System.Text;
using Opsmith.Core.Templates;

namespace Opsmith.Core.Rendering;

/// <summary>How a rendered value is written into its text.</summary>
public enum RenderMode
{
    /// <summary>As is: URLs, host names, queries, expected strings.</summary>
    Text,
    /// <summary>Shell-quoted, so a value is always exactly one word and can never end a quote or start a command.</summary>
    Shell,
}

/// <summary>The rendered text, or the references that had no value (a step that did not run, a missing input).</summary>
public sealed record RenderResult(string? Text, IReadOnlyList<string> Missing)
{
    public bool Ok => Text is not null;
}

public static class TemplateRenderer
{
    public static RenderResult Render(string template, RenderContext context, RenderMode mode)
    {
        var parsed = TemplateText.Parse(template);
        if (parsed.Errors.Count > 0) return new RenderResult(null, parsed.Errors.Select(e => e.Message).ToList());
        var text = new StringBuilder();
        var missing = new List<string>();
        foreach (var part in parsed.Parts)
        {
            switch (part)
            {
                case LiteralPart literal:
                    text.Append(literal.Text);
                    break;
                case ReferencePart reference when context.TryGet(reference.Dotted, out var value):
                    text.Append(mode == RenderMode.Shell ? ShellQuote.Quote(value) : value);
                    break;
                case ReferencePart reference:
                    missing.Add(reference.Dotted);
                    break;
            }
        }
        return missing.Count > 0 ? new RenderResult(null, missing) : new RenderResult(text.ToString(), []);
    }
}
