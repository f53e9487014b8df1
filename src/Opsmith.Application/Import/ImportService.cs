using Opsmith.Execution;
using System.Text;
using Opsmith.Application.Validation;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Inventories;
using Opsmith.Core.Linting;

namespace Opsmith.Application.Import;

/// <summary>What to import: from which system, which files or folders, into which folder, and whether files there may be replaced.</summary>
/// <param name="OtherReaders">
/// Readers for kinds <c>opsmith validate</c> does not read but a surface can (the model tiers of Opsmith.Llm, which this
/// layer may not reference): file and text in, every problem out.
/// </param>
public sealed record ImportRequest(SourceSystem System, IReadOnlyList<string> Paths, string OutputFolder, bool Force,
    IReadOnlyDictionary<ImportedKind, Func<string, string, IReadOnlyList<Diagnostic>>>? OtherReaders = null);

/// <summary>One file the import wrote (or did not), with what <c>opsmith validate</c> says of it.</summary>
/// <param name="Validated">False for a file no reader checks (instructions, which are prose for the LLM agent).</param>
public sealed record ImportedFile(string Source, int SourceLine, ImportedKind Kind, string Name, string Path, ImportOutcome Outcome,
    IReadOnlyList<Diagnostic> Problems, bool Validated = false);

/// <summary>
/// The outcome of an import: every file written (or refused), every note on the sources (what was not carried over, what
/// was changed, what to review), and the source files that produced nothing.
/// </summary>
public sealed record ImportResult(
    SourceSystem System,
    IReadOnlyList<string> Sources,
    IReadOnlyList<ImportedFile> Files,
    IReadOnlyList<Diagnostic> Notes,
    IReadOnlyList<string> ValidationNotes)
{
    /// <summary>Source files of which nothing could be imported (each has an error note saying why, at its line).</summary>
    public IReadOnlyList<string> NothingImported => Sources.Where(s => Files.All(f => f.Source != s)).ToList();

    public bool AllValid => Files.All(f => f.Outcome == ImportOutcome.Written) && NothingImported.Count == 0 && !Notes.Any(n => n.IsError);
}

/// <summary>
/// <c>opsmith import</c>: reads the files of another system, converts each document, writes the results under the
/// output folder (never over an existing file without <see cref="ImportRequest.Force"/>), and validates what it wrote
/// with the rules of <c>opsmith validate</c>.
/// </summary>
public static class ImportService
{
    /// <summary>The kinds <c>opsmith validate</c> reads.</summary>
    private static readonly HashSet<ImportedKind> Validated =
        [ImportedKind.Skill, ImportedKind.TaskCard, ImportedKind.Inventory, ImportedKind.Agent, ImportedKind.Environment];

    public static async Task<Result<ImportResult>> ImportAsync(ImportRequest request, IScriptLinter linter, CancellationToken ct)
    {
        var found = FindSources(request.Paths);
        if (found.Value is not { } sources) return found.Error!;
        var existingEnvironments = Directory.Exists(request.OutputFolder)
            ? Directory.EnumerateFiles(request.OutputFolder, "*.environment.yaml").Select(f => Path.GetFileName(f)[..^".environment.yaml".Length])
            : [];
        var context = new ImportContext(existingEnvironments);
        var notes = new List<Diagnostic>();
        var converted = new List<ConvertedFile>();
        var texts = new List<(string File, string Text)>();
        foreach (var source in sources)
        {
            var sourceNotes = new ImportNotes(source);
            if (await ReadSourceAsync(source, sourceNotes, ct) is { } text) texts.Add((source, text));
            notes.AddRange(sourceNotes.Items);
        }
        foreach (var (file, conversion, fileNotes) in Convert(request.System, texts, context))
        {
            converted.AddRange(conversion.Files);
            notes.AddRange(fileNotes);
        }

        var written = new List<ImportedFile>();
        foreach (var file in converted)
        {
            var path = Path.Combine(request.OutputFolder, file.RelativePath);
            var outcome = await WriteAsync(path, file.Text, request.Force, ct);
            written.Add(new ImportedFile(file.Source, file.SourceLine, file.Kind, file.Name, path, outcome.Outcome, outcome.Problem is null ? [] :
                [new Diagnostic(Severity.Error, "unwritable", path, SourcePosition.Start, outcome.Problem)]));
        }
        var (validated, validationNotes) = await ValidateAsync(written, linter, request.OtherReaders, ct);
        return new ImportResult(request.System, sources, validated, notes, validationNotes);
    }

    /// <summary>Converts each source with the converter of its system; Markdown files are Agent Skills (SKILL.md) for every system.</summary>
    private static IEnumerable<(string File, Conversion Conversion, IReadOnlyList<Diagnostic> Notes)> Convert(
        SourceSystem system, IReadOnlyList<(string File, string Text)> sources, ImportContext context)
    {
        if (system == SourceSystem.Legator) LegatorImporter.ClaimEnvironments(sources.Where(s => !IsMarkdown(s.File)).ToList(), context);
        foreach (var (file, text) in sources)
        {
            var notes = new ImportNotes(file);
            var conversion = IsMarkdown(file) ? AgentSkills.Convert(file, text, null, context, notes)
                : system switch
                {
                    SourceSystem.OpsSkill => OpsSkillImporter.Convert(file, text, context, notes),
                    SourceSystem.Legator => LegatorImporter.Convert(file, text, context, notes),
                    _ => Unsupported(file, notes),
                };
            yield return (file, conversion, notes.Items);
        }
    }

    private static Conversion Unsupported(string file, ImportNotes notes)
    {
        notes.CannotImport(1, "file", "an Agent Skill is a Markdown file (SKILL.md); this is not one");
        return Conversion.Empty;
    }

    internal static bool IsMarkdown(string file) => file.EndsWith(".md", StringComparison.OrdinalIgnoreCase);

    private static Result<IReadOnlyList<string>> FindSources(IReadOnlyList<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            switch (FileKinds.Of(path))
            {
                case FileKind.Directory:
                    files.AddRange(Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                        .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)
                                    || Path.GetFileName(f).Equals("SKILL.md", StringComparison.OrdinalIgnoreCase))
                        .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                        .Order(StringComparer.Ordinal));
                    break;
                case FileKind.Missing:
                    return OpsmithError.NotFound($"'{path}' does not exist");
                default:
                    files.Add(path);
                    break;
            }
        }
        return files.Count == 0 ? OpsmithError.NotFound($"no *.yaml, *.yml or SKILL.md files under {string.Join(", ", paths)}") : files.Distinct().ToList();
    }

    private static async Task<string?> ReadSourceAsync(string file, ImportNotes notes, CancellationToken ct)
    {
        if (FileKinds.Of(file) is not FileKind.RegularFile and var kind)
        {
            notes.CannotImport(1, "file", $"this is {FileKinds.Describe(kind)}, not a regular file");
            return null;
        }
        try
        {
            var (bytes, length) = await DocumentValidation.ReadBoundedAsync(file, ct);
            if (bytes is null)
            {
                notes.CannotImport(1, "file", $"the file has {length} bytes, more than the {Core.Yaml.YamlLimits.Default.MaxBytes} a document may have");
                return null;
            }
            try
            {
                return new UTF8Encoding(false, true).GetString(bytes).TrimStart('\uFEFF');
            }
            catch (DecoderFallbackException)
            {
                notes.CannotImport(1, "file", "the file is not UTF-8 text");
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.CannotImport(1, "file", $"cannot read the file: {e.Message}");
            return null;
        }
    }

    private static async Task<(ImportOutcome Outcome, string? Problem)> WriteAsync(string path, string text, bool force, CancellationToken ct)
    {
        var existing = FileKinds.Of(path);
        if (existing != FileKind.Missing && !force) return (ImportOutcome.Exists, null);
        if (existing is not (FileKind.Missing or FileKind.RegularFile))
            return (ImportOutcome.WriteFailed, $"'{path}' is {FileKinds.Describe(existing)}; the import writes only regular files");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await stream.WriteAsync(new UTF8Encoding(false).GetBytes(text), ct);
            await stream.FlushAsync(ct);
            return (ImportOutcome.Written, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (ImportOutcome.WriteFailed, $"cannot write '{path}': {e.Message}");
        }
    }

    /// <summary>Every written file of a kind validate reads, validated together as <c>opsmith validate</c> would; the others by their own readers.</summary>
    private static async Task<(IReadOnlyList<ImportedFile>, IReadOnlyList<string>)> ValidateAsync(IReadOnlyList<ImportedFile> files, IScriptLinter linter,
        IReadOnlyDictionary<ImportedKind, Func<string, string, IReadOnlyList<Diagnostic>>>? otherReaders, CancellationToken ct)
    {
        var toCheck = files.Where(f => f.Outcome == ImportOutcome.Written && Validated.Contains(f.Kind)).ToList();
        var result = toCheck.Count == 0 ? null : await DocumentValidation.ValidateAsync(toCheck.Select(f => f.Path).ToList(), strict: false, linter, ct);
        var byPath = result?.Documents.ToDictionary(d => d.File, d => d.Diagnostics) ?? [];
        foreach (var file in files.Where(f => f.Outcome == ImportOutcome.Written && otherReaders?.ContainsKey(f.Kind) == true))
            byPath[file.Path] = otherReaders![file.Kind](file.Path, await File.ReadAllTextAsync(file.Path, ct));
        var checkedFiles = files.Select(f =>
        {
            if (!byPath.TryGetValue(f.Path, out var diagnostics)) return f;
            var errors = diagnostics.Where(d => d.IsError).ToList();
            return f with { Outcome = errors.Count > 0 ? ImportOutcome.Invalid : f.Outcome, Problems = errors, Validated = true };
        }).ToList();
        return (checkedFiles, result?.Notes ?? []);
    }
}
