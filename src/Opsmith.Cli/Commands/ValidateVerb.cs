using System.CommandLine;
using Opsmith.Application.Validation;
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
        var found = YamlFileFinder.Find(paths);
        // GitHub Actions workflows are checked with actionlint; everything else is an Opsmith document.
        var workflows = found.Where(Application.Interop.GithubWorkflows.IsWorkflow).ToList();
        var files = found.Except(workflows).ToList();
        var result = ModelTiersDocuments.Include(await DocumentValidation.ValidateAsync(files, strict, new ShellcheckLinter(), ct));
        if (workflows.Count > 0)
        {
            var (checkedWorkflows, unavailable) = await Application.Interop.GithubWorkflows.CheckAsync(workflows, ct);
            result = result with
            {
                Documents = [.. result.Documents, .. checkedWorkflows],
                Notes = unavailable is null ? result.Notes : [.. result.Notes, unavailable],
            };
        }
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
            terminal.Writer.WriteLine($"{mark} {TerminalText.Sanitize(document.File + Describe(document))}");
            foreach (var diagnostic in document.Diagnostics)
            {
                // A note informs and never fails: one line, no caret (DiagnosticPrinter draws problems).
                if (diagnostic.IsNote)
                    terminal.Writer.WriteLine($"{TerminalText.Sanitize(diagnostic.File)}:{diagnostic.Position}: {terminal.Yellow("note")}: {TerminalText.Sanitize(diagnostic.Message)} {terminal.Dim($"[{diagnostic.Code}]")}");
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
        Application.Interop.GithubWorkflow => "  GitHub Actions workflow (actionlint)",
        _ => "",
    };
}

