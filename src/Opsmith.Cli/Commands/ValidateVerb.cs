using System.CommandLine;
using Opsmith.Cli.Output;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
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
        try
        {
            if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, ValidationReport.From(result));
            else PrintText(result);
            context.Stdout.Flush();
        }
        catch (IOException e)
        {
            // A report nobody can read is a failed validation, whatever the files said.
            return context.Fail($"cannot write the report to standard output: {e.Message}", ExitCodes.Invalid);
        }
        return result.IsValid ? ExitCodes.Ok : ExitCodes.Invalid;
    }

    private void PrintText(ValidationResult result)
    {
        var terminal = context.Out;
        foreach (var document in result.Documents)
        {
            var mark = document.IsValid ? terminal.Green("ok  ") : terminal.Red("FAIL");
            terminal.Writer.WriteLine($"{mark} {document.File}{Describe(document)}");
            foreach (var diagnostic in document.Diagnostics)
            {
                // A note informs and never fails: one line, no caret (DiagnosticPrinter draws problems).
                if (diagnostic.IsNote) terminal.Writer.WriteLine($"{diagnostic.File}:{diagnostic.Position}: {terminal.Yellow("note")}: {diagnostic.Message}");
                else DiagnosticPrinter.Print(terminal, document, diagnostic);
            }
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

    public static async Task<LoadedDocument> LoadFileAsync(string file, CancellationToken ct, DocumentKind expected = DocumentKind.Unknown)
    {
        var limit = Core.Yaml.YamlLimits.Default.MaxBytes;
        if (FileTypes.Of(file) is not FileType.Regular and var type)
            return Unreadable(file, type == FileType.Missing
                ? "the file does not exist"
                : $"this is {FileTypes.Describe(type)}, not a regular file; Opsmith reads skills, task cards and inventories only from regular files");
        try
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
            if (stream.CanSeek && stream.Length > limit)
                return DocumentLoader.TooLarge(file, stream.Length); // reported without reading it all
            // Never trust the length alone (a file can grow while it is read): read at most one byte past the limit.
            var buffer = new byte[limit + 1];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
                if (n == 0) break;
                read += n;
            }
            if (read > limit) return DocumentLoader.TooLarge(file, stream.CanSeek ? stream.Length : read);
            return DocumentLoader.Load(file, buffer[..read], expected: expected);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unreadable(file, $"cannot read the file: {e.Message}");
        }
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
