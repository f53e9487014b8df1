using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Templates;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Linting;

/// <summary>One script to lint, identified so findings can be mapped back to the YAML it came from.</summary>
public sealed record ScriptToLint(string Id, string Script);

/// <summary>A linter finding, with positions inside the script (1-based).</summary>
public sealed record ScriptFinding(string Id, int Line, int Column, string Level, string Code, string Message);

/// <summary>What a linter run produced, or why it could not run (for example: the linter is not installed).</summary>
public sealed record LintOutcome(IReadOnlyList<ScriptFinding> Findings, string? Unavailable)
{
    public static LintOutcome NotAvailable(string why) => new([], why);
}

/// <summary>A script linter such as shellcheck. Implementations live outside the core because they start processes.</summary>
public interface IScriptLinter
{
    Task<LintOutcome> LintAsync(IReadOnlyList<ScriptToLint> scripts, CancellationToken cancellationToken);
}

/// <summary>
/// Prepares skill commands for a shell linter and maps findings back to file, line and column.
/// Each template reference is replaced by a single-quoted word of the same length, which is exactly how
/// it behaves at run time (values are shell-quoted into one word) and keeps every column in place.
/// </summary>
public static class ScriptLinting
{
    public static IReadOnlyList<ScriptToLint> Collect(IReadOnlyList<LoadedDocument> documents)
    {
        var scripts = new List<ScriptToLint>();
        for (var d = 0; d < documents.Count; d++)
        {
            for (var c = 0; c < documents[d].Commands.Count; c++)
            {
                // A command with a broken template is already an error; linting it would only add noise.
                var source = documents[d].Commands[c];
                if (TemplateText.Parse(source.Node.Value).Errors.Count == 0)
                    scripts.Add(new ScriptToLint($"{d}:{c}", Prepare(source.Node.Value, source.NumericInputs)));
            }
        }
        return scripts;
    }

    /// <summary>
    /// Each reference becomes a quoted word of the same length ('xxxx'); a reference to an int input becomes
    /// digits (1111), which is what it renders to, so numeric tests do not look like string comparisons.
    /// </summary>
    public static string Prepare(string command, IReadOnlySet<string>? numericInputs = null)
    {
        var parsed = TemplateText.Parse(command);
        if (parsed.Errors.Count > 0) return command;
        var chars = command.ToCharArray();
        foreach (var reference in parsed.References)
        {
            if (reference.Root == "inputs" && numericInputs is not null && reference.Segments.Count == 2 && numericInputs.Contains(reference.Segments[1]))
            {
                for (var i = reference.Offset; i < reference.Offset + reference.Length; i++) chars[i] = '1';
                continue;
            }
            chars[reference.Offset] = '\'';
            for (var i = reference.Offset + 1; i < reference.Offset + reference.Length - 1; i++) chars[i] = 'x';
            chars[reference.Offset + reference.Length - 1] = '\'';
        }
        return new string(chars);
    }

    /// <summary>Adds each finding to its document as a warning (strict mode turns warnings into errors).</summary>
    public static IReadOnlyList<LoadedDocument> Apply(IReadOnlyList<LoadedDocument> documents, IReadOnlyList<ScriptFinding> findings)
    {
        var result = documents.ToList();
        foreach (var group in findings.GroupBy(f => int.Parse(f.Id.Split(':')[0])))
        {
            var document = result[group.Key];
            var locator = new ScalarLocator(document.SourceText);
            var added = new List<Diagnostic>();
            foreach (var finding in group)
            {
                var command = document.Commands[int.Parse(finding.Id.Split(':')[1])];
                var offset = OffsetOf(command.Node.Value, finding.Line, finding.Column);
                added.Add(new Diagnostic(Severity.Warning, $"shellcheck-{finding.Code}", document.File,
                    locator.Locate(command.Node, offset),
                    $"shellcheck {finding.Code} ({finding.Level}) in {command.Context}: {finding.Message}", command.Node.Path));
            }
            result[group.Key] = document with
            {
                Diagnostics = document.Diagnostics.Concat(added).OrderBy(x => x.Position.Line).ThenBy(x => x.Position.Column).ToList(),
            };
        }
        return result;
    }

    private static int OffsetOf(string text, int line, int column)
    {
        var offset = 0;
        for (var l = 1; l < line && offset < text.Length; l++)
        {
            var next = text.IndexOf('\n', offset);
            if (next < 0) break;
            offset = next + 1;
        }
        return Math.Min(text.Length, offset + Math.Max(0, column - 1));
    }
}
