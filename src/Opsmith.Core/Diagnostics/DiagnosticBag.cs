namespace Opsmith.Core.Diagnostics;

/// <summary>Collects every problem found in one file, so a single run reports all of them.</summary>
public sealed class DiagnosticBag(string file)
{
    /// <summary>Past this many problems in one file, more would only bury the first ones.</summary>
    public const int MaxPerFile = 500;

    private readonly List<Diagnostic> _items = [];
    private readonly HashSet<Diagnostic> _seen = [];

    public string File { get; } = file;
    public IReadOnlyList<Diagnostic> Items => _items;
    public bool HasErrors => _items.Any(d => d.IsError);

    public void Error(string code, SourcePosition at, string message, string? path = null, string? suggestion = null, int length = 1) =>
        Add(new Diagnostic(Severity.Error, code, File, at, WithSuggestion(message, suggestion), path, suggestion, length));

    public void Warning(string code, SourcePosition at, string message, string? path = null, string? suggestion = null, int length = 1) =>
        Add(new Diagnostic(Severity.Warning, code, File, at, WithSuggestion(message, suggestion), path, suggestion, length));

    public void Note(string code, SourcePosition at, string message, string? path = null) =>
        Add(new Diagnostic(Severity.Note, code, File, at, message, path));

    public void Add(Diagnostic diagnostic)
    {
        // The same node can be reached twice through a YAML alias; report it once.
        if (_items.Count > MaxPerFile || !_seen.Add(diagnostic)) return;
        if (_items.Count == MaxPerFile)
        {
            _items.Add(diagnostic with { Code = "too-many-problems", Message = $"more than {MaxPerFile} problems in this file; the rest are not listed", Suggestion = null });
            return;
        }
        _items.Add(diagnostic);
    }

    public IReadOnlyList<Diagnostic> Sorted() =>
        _items.OrderBy(d => d.Position.Line).ThenBy(d => d.Position.Column).ToList();

    private static string WithSuggestion(string message, string? suggestion) =>
        suggestion is null ? message : $"{message}; did you mean '{suggestion}'?";
}
