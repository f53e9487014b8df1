using Opsmith.Core.Diagnostics;

namespace Opsmith.Application.Import;

/// <summary>The systems whose files <c>opsmith import</c> reads (docs/migrating.md).</summary>
public enum SourceSystem { OpsSkill, Legator, AgentSkill }

/// <summary>What one written file is.</summary>
public enum ImportedKind { Skill, TaskCard, Inventory, Agent, Environment, ModelTiers, Instructions }

/// <summary>What happened to one file the import wanted to write.</summary>
public enum ImportOutcome
{
    /// <summary>Written, and it passes <c>opsmith validate</c>.</summary>
    Written,
    /// <summary>Not written: a file of that name exists and --force was not given.</summary>
    Exists,
    /// <summary>Written, but <c>opsmith validate</c> finds errors in it (listed).</summary>
    Invalid,
    /// <summary>Not written: the file could not be written (disk, permissions).</summary>
    WriteFailed,
}

/// <summary>A file a conversion produced, not yet written: where it goes (relative to the output folder) and what it says.</summary>
/// <param name="Source">The source file it came from.</param>
/// <param name="SourceLine">The line of the source document it came from.</param>
public sealed record ConvertedFile(string Source, int SourceLine, ImportedKind Kind, string Name, string RelativePath, string Text);

/// <summary>
/// What converting source files produced: the files to write, and what could not be carried over or was changed,
/// each as a diagnostic on the source file and line (codes: <see cref="ImportCodes"/>).
/// </summary>
public sealed record Conversion(IReadOnlyList<ConvertedFile> Files, IReadOnlyList<Diagnostic> Notes)
{
    public static readonly Conversion Empty = new([], []);

    public Conversion Add(Conversion other) => new([.. Files, .. other.Files], [.. Notes, .. other.Notes]);
}

/// <summary>The diagnostic codes of an import, on the source file's lines.</summary>
public static class ImportCodes
{
    /// <summary>A note: a source field has no counterpart and was left out, with the reason.</summary>
    public const string NotCarried = "not-carried";
    /// <summary>A warning: a source setting was changed on the way because it is unsafe or means something else here.</summary>
    public const string Changed = "changed";
    /// <summary>A warning: the imported file holds a value to fill in or check before use.</summary>
    public const string Review = "review";
    /// <summary>An error: the source document could not be converted at all.</summary>
    public const string CannotImport = "cannot-import";
}

/// <summary>Collects the notes of one source file.</summary>
public sealed class ImportNotes(string file)
{
    private readonly List<Diagnostic> _items = [];

    public string File { get; } = file;
    public IReadOnlyList<Diagnostic> Items => _items;

    public void NotCarried(int line, string field, string why) =>
        _items.Add(new Diagnostic(Severity.Note, ImportCodes.NotCarried, File, new SourcePosition(Math.Max(1, line), 1), $"'{field}' is not carried over: {why}", field));

    public void Changed(int line, string field, string what) =>
        _items.Add(new Diagnostic(Severity.Warning, ImportCodes.Changed, File, new SourcePosition(Math.Max(1, line), 1), what, field));

    public void Review(int line, string field, string what) =>
        _items.Add(new Diagnostic(Severity.Warning, ImportCodes.Review, File, new SourcePosition(Math.Max(1, line), 1), what, field));

    public void CannotImport(int line, string field, string why) =>
        _items.Add(new Diagnostic(Severity.Error, ImportCodes.CannotImport, File, new SourcePosition(Math.Max(1, line), 1), why, field));

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);
}
