using Opsmith.Execution;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Linting;
using Opsmith.Core.Skills;

namespace Opsmith.Application.Validation;

/// <summary>The outcome of validating a set of files, after strict mode and catalog-wide rules are applied.</summary>
public sealed record ValidationResult(IReadOnlyList<LoadedDocument> Documents, IReadOnlyList<string> Notes, bool Strict)
{
    public int Errors => Documents.Sum(d => d.Diagnostics.Count(x => x.IsError));
    public int Warnings => Documents.Sum(d => d.Diagnostics.Count(x => x.Severity == Severity.Warning));
    public bool IsValid => Documents.All(d => d.IsValid) && Errors == 0;
}

/// <summary>Loads, lints and cross-checks documents; shared by validate and generate.</summary>
public static class DocumentValidation
{
    public static async Task<ValidationResult> ValidateAsync(IReadOnlyList<string> files, bool strict, IScriptLinter linter, CancellationToken ct)
    {
        // Reading and parsing is CPU-bound and each file is independent: one worker per processor, results in order.
        var documents = new LoadedDocument[files.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count),
            new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, token) => documents[i] = await LoadFileAsync(files[i], token));
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
        IReadOnlyList<LoadedDocument> documents = CatalogRules.Apply(loaded).AsParallel().AsOrdered()
            .WithCancellation(ct).Select(Opsmith.Policy.Classification.DeclaredRiskCheck.Apply).ToList();
        var lint = await linter.LintAsync(ScriptLinting.Collect(documents), ct);
        if (lint.Unavailable is not null) notes.Add(lint.Unavailable);
        documents = ScriptLinting.Apply(documents, lint.Findings);
        if (strict) documents = documents.Select(StrictDocument).ToList();
        return new ValidationResult(documents, notes, strict);
    }

    /// <summary>
    /// Validates a document that is not a file yet (the server's live validation, a skill proposed through the API) with
    /// every rule <c>opsmith validate</c> applies; <paramref name="name"/> is what diagnostics call the file.
    /// </summary>
    public static async Task<ValidationResult> ValidateTextAsync(string name, string yaml, bool strict, IScriptLinter linter, CancellationToken ct) =>
        await ValidateAsync([DocumentLoader.Load(name, yaml)], strict, linter, ct);

    /// <summary>
    /// Reads one document. A FIFO, a device or a socket is refused before it is opened (opening a FIFO blocks), and
    /// at most one byte past the size limit is ever read, whatever the file claims its length is.
    /// </summary>
    public static async Task<LoadedDocument> LoadFileAsync(string file, CancellationToken ct, DocumentKind expected = DocumentKind.Unknown)
    {
        if (FileKinds.Of(file) is not FileKind.RegularFile and var kind)
            return Unreadable(file, kind == FileKind.Missing
                ? "the file does not exist"
                : $"this is {FileKinds.Describe(kind)}, not a regular file; Opsmith reads skills, task cards and inventories only from regular files");
        try
        {
            var (bytes, length) = await ReadBoundedAsync(file, ct);
            if (bytes is null) return DocumentLoader.TooLarge(file, length); // reported without reading it all
            // The disk's part of the known_hosts check: what the path is, which the pure reader cannot look at.
            return KnownHostsFiles.CheckOnDisk(DocumentLoader.Load(file, bytes, expected: expected), FileKinds.OfSshPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unreadable(file, $"cannot read the file: {e.Message}");
        }
    }

    /// <summary>
    /// A regular file's bytes, or null (with the length seen) when it is larger than a document may be (or than
    /// <paramref name="maxBytes"/>). At most one byte past the limit is ever read, whatever the file claims its length is.
    /// Throws IOException/UnauthorizedAccessException.
    /// </summary>
    public static async Task<(byte[]? Bytes, long Length)> ReadBoundedAsync(string file, CancellationToken ct, int? maxBytes = null)
    {
        var limit = maxBytes ?? Core.Yaml.YamlLimits.Default.MaxBytes;
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        if (stream.CanSeek && stream.Length > limit) return (null, stream.Length);
        // Never trust the length alone (a file can grow while it is read): read at most one byte past the limit.
        var buffer = new byte[limit + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0) break;
            read += n;
        }
        return read > limit ? (null, stream.CanSeek ? stream.Length : read) : (buffer[..read], read);
    }

    private static LoadedDocument Unreadable(string file, string message) =>
        new(file, DocumentKind.Unknown, null, [new Diagnostic(Severity.Error, "unreadable", file, SourcePosition.Start, message)], [], "");

    private static LoadedDocument StrictDocument(LoadedDocument document)
    {
        if (!document.Diagnostics.Any(d => d.Severity == Severity.Warning)) return document;
        return document with
        {
            Diagnostics = document.Diagnostics.Select(d => d.Severity == Severity.Warning ? d with { Severity = Severity.Error } : d).ToList(),
            Model = null,
        };
    }
}
