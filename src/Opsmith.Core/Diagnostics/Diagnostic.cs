namespace Opsmith.Core.Diagnostics;

public enum Severity { Error, Warning }

/// <summary>A position in a source file. Lines and columns are 1-based.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public static readonly SourcePosition Start = new(1, 1);
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>
/// One problem found in a file: where it is, what is wrong, and (when we can guess) what was meant.
/// <see cref="Code"/> is a stable identifier documented in docs/skill-format.md; <see cref="Path"/> is the
/// YAML path of the offending node (for example <c>spec.actions[1].risk</c>).
/// </summary>
public sealed record Diagnostic(
    Severity Severity,
    string Code,
    string File,
    SourcePosition Position,
    string Message,
    string? Path = null,
    string? Suggestion = null,
    int Length = 1)
{
    public bool IsError => Severity == Severity.Error;

    /// <summary>The compiler-style line: <c>file:line:col: error: message</c>.</summary>
    public string ToLine() =>
        $"{File}:{Position.Line}:{Position.Column}: {(IsError ? "error" : "warning")}: {Message}";
}
