using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Linting;

namespace Opsmith.Application.Validation;

/// <summary>The outcome of validating a set of files, after strict mode and catalog-wide rules are applied.</summary>
public sealed record ValidationResult(IReadOnlyList<LoadedDocument> Documents, IReadOnlyList<string> Notes, bool Strict)
{
    public int Errors => Documents.Sum(d => d.Diagnostics.Count(x => x.IsError));
    public int Warnings => Documents.Sum(d => d.Diagnostics.Count(x => !x.IsError));
    public bool IsValid => Documents.All(d => d.IsValid) && Errors == 0;
}

/// <summary>Loads, lints and cross-checks documents; shared by validate and generate.</summary>
public static class DocumentValidation
{
    public static async Task<ValidationResult> ValidateAsync(IReadOnlyList<string> files, bool strict, IScriptLinter linter, CancellationToken ct)
    {
        var documents = new List<LoadedDocument>();
        foreach (var file in files)
        {
            ct.ThrowIfCancellationRequested();
            documents.Add(await LoadFileAsync(file, ct));
        }
        return await ValidateAsync(documents, strict, linter, ct);
    }

    /// <summary>
    /// The rules <c>opsmith validate</c> applies, in one place, so that <c>run</c>, the catalog and every other
    /// surface refuse exactly what validate refuses: the document's own rules, catalog-wide rules, declared
    /// risk against the classifier, and the linter's findings.
    /// </summary>
    public static async Task<ValidationResult> ValidateAsync(IReadOnlyList<LoadedDocument> loaded, bool strict, IScriptLinter linter, CancellationToken ct)
    {
        var notes = new List<string>();
        IReadOnlyList<LoadedDocument> documents = CatalogRules.Apply(loaded).Select(Opsmith.Policy.Classification.DeclaredRiskCheck.Apply).ToList();
        var lint = await linter.LintAsync(ScriptLinting.Collect(documents), ct);
        if (lint.Unavailable is not null) notes.Add(lint.Unavailable);
        documents = ScriptLinting.Apply(documents, lint.Findings);
        if (strict) documents = documents.Select(StrictDocument).ToList();
        return new ValidationResult(documents, notes, strict);
    }

    public static async Task<LoadedDocument> LoadFileAsync(string file, CancellationToken ct)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Length > Core.Yaml.YamlLimits.Default.MaxBytes)
                return DocumentLoader.TooLarge(file, info.Length); // reported without reading it all
            // The disk's part of the known_hosts check: what the path is, which the pure reader cannot look at.
            return KnownHostsFiles.CheckOnDisk(DocumentLoader.Load(file, await File.ReadAllBytesAsync(file, ct)), FileKinds.Of);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var diagnostic = new Diagnostic(Severity.Error, "unreadable", file, SourcePosition.Start, $"cannot read the file: {e.Message}");
            return new LoadedDocument(file, DocumentKind.Unknown, null, [diagnostic], [], "");
        }
    }

    private static LoadedDocument StrictDocument(LoadedDocument document)
    {
        if (document.Diagnostics.All(d => d.IsError)) return document;
        return document with
        {
            Diagnostics = document.Diagnostics.Select(d => d with { Severity = Severity.Error }).ToList(),
            Model = null,
        };
    }
}
