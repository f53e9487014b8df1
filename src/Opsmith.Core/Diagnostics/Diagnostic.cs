namespace Opsmith.Core.Diagnostics;

/// <summary>
/// How bad a problem is. Errors make a document invalid; warnings become errors under --strict; a note only
/// informs (for example: a header-less OpsSkill task card was read, add the header) and never fails anything.
/// </summary>
public enum Severity { Error, Warning, Note }

/// <summary>A position in a source file. Lines and columns are 1-based.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public static readonly SourcePosition Start = new(1, 1);
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>
/// One problem found in a file: where it is, what is wrong, and (when we can guess) what was meant.
/// <see cref="Code"/> is a stable identifier listed in <see cref="DiagnosticCodes"/> (docs/diagnostic-codes.md); <see cref="Path"/> is the
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
    public bool IsNote => Severity == Severity.Note;

    /// <summary>The compiler-style line: <c>file:line:col: error: message [code]</c> (codes: docs/diagnostic-codes.md).</summary>
    public string ToLine() =>
        $"{File}:{Position.Line}:{Position.Column}: {Label}: {Message} [{Code}]";

    /// <summary>The word printed before the message: error, warning or note.</summary>
    public string Label => Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "note" };
}
