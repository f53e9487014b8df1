using Opsmith.Application.Validation;
using Opsmith.Core.Documents;
using Opsmith.Core.Skills;

namespace Opsmith.Cli.Commands;

/// <summary>The JSON document of <c>opsmith validate --output json</c> (field names documented in docs/cli.md).</summary>
public sealed record ValidationReport(bool Valid, bool Strict, ValidationSummary Summary, IReadOnlyList<string> Notes, IReadOnlyList<FileReport> Files)
{
    public static ValidationReport From(ValidationResult result) => new(
        result.IsValid,
        result.Strict,
        new ValidationSummary(result.Documents.Count, result.Documents.Count(d => d.IsValid), result.Documents.Count(d => !d.IsValid),
            result.Errors, result.Warnings),
        result.Notes,
        result.Documents.Select(FileReport.From).ToList());
}

public sealed record ValidationSummary(int Files, int Valid, int Invalid, int Errors, int Warnings);

public sealed record FileReport(string File, string Kind, string? Name, string? Stage, string? Risk, bool Valid, IReadOnlyList<DiagnosticReport> Diagnostics)
{
    public static FileReport From(LoadedDocument d) => new(
        d.File,
        d.Kind switch { DocumentKind.Skill => "skill", DocumentKind.TaskCard => "task-card", DocumentKind.Inventory => "inventory", DocumentKind.Agent => "agent", DocumentKind.Environment => "environment", _ => "unknown" },
        d.Skill?.Name ?? d.TaskCard?.Name,
        d.Skill is { } s ? YamlNames.Of(s.Metadata.Stage) : null,
        d.Skill is { } r ? YamlNames.Of(r.Spec.Risk) : null,
        d.IsValid,
        d.Diagnostics.Select(x => new DiagnosticReport(x.Label, x.Code, x.Position.Line, x.Position.Column,
            x.Message, x.Path, x.Suggestion)).ToList());
}

public sealed record DiagnosticReport(string Severity, string Code, int Line, int Column, string Message, string? Path, string? Suggestion);
