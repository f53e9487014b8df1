using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Generation;

/// <summary>
/// Points the problems of a generated skill at the task card that produced it. The generated file is never
/// written when it has problems, so its line numbers lead nowhere; the card is what the person edits. A problem
/// goes to the card value that became the offending text (a param, the target, the service); one that no card
/// value explains (a generator's own text) goes to the card's first line, quoting the generated line.
/// </summary>
public static class CardProblemLocator
{
    /// <summary>Card values shorter than this match too much by accident (a "1" is in every number).</summary>
    private const int MinContainedLength = 3;

    public static IReadOnlyList<Diagnostic> OntoCard(LoadedDocument card, LoadedDocument generated)
    {
        var cardValues = Scalars(card.SourceText, card.File).Where(s => s.Value.Length > 0).ToList();
        var generatedScalars = Scalars(generated.SourceText, generated.File);
        var generatedLines = new ScalarLocator(generated.SourceText);
        var start = cardValues.Count > 0 ? cardValues.Min(s => s.Position.Line) : 1;
        var result = new List<Diagnostic>();
        foreach (var problem in generated.Diagnostics)
        {
            var offending = generatedScalars.FirstOrDefault(s => s.Position == problem.Position)
                            ?? generatedScalars.FirstOrDefault(s => problem.Path is not null && s.Path == problem.Path)
                            ?? generatedScalars.Where(s => s.Position.Line == problem.Position.Line).MinBy(s => s.Position.Column);
            var source = offending is null ? null : Source(offending.Value, cardValues);
            result.Add(source is not null
                ? problem with
                {
                    File = card.File, Position = source.Position, Path = source.Path, Length = Math.Max(1, source.Length),
                    Message = $"{problem.Message} (in the generated skill, from this value of the task card)",
                }
                : problem with
                {
                    File = card.File, Position = new SourcePosition(start, 1), Path = null, Length = 1,
                    Message = $"{problem.Message} (in the generated skill, line {problem.Position.Line}: " +
                              $"'{NodeReader.Truncate(generatedLines.Line(problem.Position.Line).Trim())}')",
                });
        }
        return result;
    }

    /// <summary>The card value that became <paramref name="generated"/>: the same text, else the longest value inside it.</summary>
    private static YamlScalar? Source(string generated, IReadOnlyList<YamlScalar> card) =>
        card.FirstOrDefault(s => s.Value == generated)
        ?? card.Where(s => s.Value.Length >= MinContainedLength && generated.Contains(s.Value, StringComparison.Ordinal))
            .MaxBy(s => s.Value.Length);

    private static List<YamlScalar> Scalars(string text, string file)
    {
        var found = new List<YamlScalar>();
        if (YamlDocumentReader.Read(text, new DiagnosticBag(file)) is not { } root) return found;
        var pending = new Stack<YamlNode>([root]);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case YamlScalar scalar: found.Add(scalar); break;
                case YamlSequence sequence: foreach (var item in sequence.Items) pending.Push(item); break;
                case YamlMapping mapping: foreach (var entry in mapping.Entries) pending.Push(entry.Value); break;
            }
        }
        return found;
    }
}
