using System.CommandLine;
using Opsmith.Cli.Output;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Linting;
using Opsmith.Core.Skills;
using Opsmith.Execution.Linting;

namespace Opsmith.Cli.Commands;

/// <summary><c>opsmith validate PATH...</c>: every problem in every file, in one run.</summary>
public sealed class ValidateVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith validate skills/",
        "opsmith validate --strict skills/restart-nginx.yaml",
        "opsmith validate --output json skills/ > report.json",
    ];

    public Command Build()
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Skill or task-card files, or folders searched recursively for *.yaml and *.yml.",
            Arity = ArgumentArity.OneOrMore,
        };
        var strict = new Option<bool>("--strict")
        {
            Description = "Treat warnings (including shellcheck findings) as errors.",
        };
        var output = CliContext.OutputOption();
        var command = new Command("validate", "Check skills and task cards: schema, templates, risk, rollback and shellcheck.")
        {
            paths, strict, output,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(paths)!, parse.GetValue(strict), parse.GetValue(output), ct));
        return command;
    }

    private async Task<int> RunAsync(string[] paths, bool strict, OutputFormat format, CancellationToken ct)
    {
        var files = YamlFileFinder.Find(paths);
        var result = await DocumentValidation.ValidateAsync(files, strict, new ShellcheckLinter(), ct);
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, ValidationReport.From(result));
        else PrintText(result);
        return result.IsValid ? ExitCodes.Ok : ExitCodes.Invalid;
    }

    private void PrintText(ValidationResult result)
    {
        var terminal = context.Out;
        foreach (var document in result.Documents)
        {
            var mark = document.IsValid ? terminal.Green("ok  ") : terminal.Red("FAIL");
            terminal.Writer.WriteLine($"{mark} {TerminalText.Sanitize(document.File + Describe(document))}");
            foreach (var diagnostic in document.Diagnostics) DiagnosticPrinter.Print(terminal, document, diagnostic);
        }
        foreach (var note in result.Notes) terminal.Writer.WriteLine(terminal.Yellow("note: ") + note);
        var skills = result.Documents.Count(d => d.Kind == DocumentKind.Skill && d.IsValid);
        var summary = $"{Count(result.Documents.Count, "file")}: {result.Documents.Count(d => d.IsValid)} valid ({Count(skills, "skill")}), " +
                      $"{result.Documents.Count(d => !d.IsValid)} invalid; {Count(result.Errors, "error")}, {Count(result.Warnings, "warning")}" +
                      (result.Strict ? " (strict)" : "");
        terminal.Writer.WriteLine(result.IsValid ? terminal.Green(summary) : terminal.Red(summary));
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string Describe(LoadedDocument document) => document.Model switch
    {
        Skill s => $"  {s.Name} ({YamlNames.Of(s.Metadata.Stage)}, {YamlNames.Of(s.Spec.Risk)})",
        Core.TaskCards.TaskCard c => $"  task card {c.Name}",
        Core.Inventories.Inventory i => $"  inventory ({Count(i.Hosts.Count, "host")})",
        _ => "",
    };
}

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
            return KnownHostsFiles.CheckOnDisk(DocumentLoader.Load(file, await File.ReadAllBytesAsync(file, ct)), Hosting.FileKinds.Of);
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
