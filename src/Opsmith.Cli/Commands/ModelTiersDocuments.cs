using System.Text.RegularExpressions;
using Opsmith.Application.Validation;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Llm.Tiers;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>kind: ModelTiers</c> files (docs/llm.md) in <c>opsmith validate</c>: Core reads no model tiers (Opsmith.Llm does,
/// above it), so a document the loader refused only for its kind is read again here by the model-tier reader.
/// </summary>
public static partial class ModelTiersDocuments
{
    public static ValidationResult Include(ValidationResult result) =>
        result with { Documents = result.Documents.Select(Read).ToList() };

    public static LoadedDocument Read(LoadedDocument document)
    {
        if (!document.Diagnostics.Any(d => d.Code == "bad-kind") || !KindLine().IsMatch(document.SourceText)) return document;
        var diagnostics = new DiagnosticBag(document.File);
        var tiers = ModelTiersReader.ReadDocument(document.SourceText, diagnostics);
        return document with { Model = diagnostics.HasErrors ? null : tiers, Diagnostics = diagnostics.Sorted() };
    }

    /// <summary>What the import's own check of a model-tiers file it wrote says.</summary>
    public static IReadOnlyList<Diagnostic> Check(string file, string text)
    {
        var diagnostics = new DiagnosticBag(file);
        ModelTiersReader.ReadDocument(text, diagnostics);
        return diagnostics.Items;
    }

    [GeneratedRegex(@"^kind:\s*ModelTiers\s*$", RegexOptions.Multiline)]
    private static partial Regex KindLine();
}
