using System.CommandLine;
using Opsmith.Application;
using Opsmith.Application.Interop;
using Opsmith.Application.Skills;
using Opsmith.Cli.Output;
using Opsmith.Core.Diagnostics;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith export gha SKILL [-o FILE]</c>: a GitHub Actions workflow that runs the skill with Opsmith and reports back to
/// <c>opsmith serve</c>, checked with actionlint (docs/github-actions.md).
/// </summary>
public sealed class ExportVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith export gha skills/restart-nginx.yaml -o .github/workflows/restart-nginx.yml",
        "opsmith export gha restart-nginx",
    ];

    public Command Build()
    {
        var skill = new Argument<string>("SKILL") { Description = "A skill file, or the name of an active skill in the skills repository." };
        var output = new Option<string?>("--output-file", "-o") { Description = "Write the workflow here instead of standard output." };
        var gha = new Command("gha", "Write a workflow_dispatch workflow that runs the skill and posts its result to the callback.") { skill, output };
        gha.SetAction((p, ct) => RunAsync(p.GetValue(skill)!, p.GetValue(output), ct));
        var export = new Command("export", "Export skills to other systems.");
        export.Subcommands.Add(gha);
        return export;
    }

    private async Task<int> RunAsync(string skillArgument, string? outputFile, CancellationToken ct)
    {
        await using var services = CliServices.Open();
        string file, pathInRepository;
        if (File.Exists(skillArgument))
            (file, pathInRepository) = (skillArgument, Path.GetRelativePath(Environment.CurrentDirectory, skillArgument).Replace('\\', '/'));
        else if (await SkillRepository.For(services).FindActiveAsync(skillArgument, ct) is { } active)
            (file, pathInRepository) = (active.Entry.File, $"skills/{active.Name}.yaml");
        else
            return CliServices.Fail(context, OpsmithError.NotFound($"'{skillArgument}' is neither a skill file nor an active skill"));
        var loaded = await services.Runs.LoadSkillAsync(file, ct);
        if (loaded.Error is { } error) return CliServices.Fail(context, error);
        var exported = await GithubWorkflows.ExportAsync(loaded.Value.Skill, pathInRepository, ct);
        if (outputFile is null) context.Stdout.Write(exported.Yaml);
        else await File.WriteAllTextAsync(outputFile, exported.Yaml, ct);
        if (exported.CheckUnavailable is { } unavailable) context.Stderr.WriteLine($"note: {unavailable}");
        foreach (var finding in exported.Findings) context.Stderr.WriteLine($"actionlint: {TerminalText.OneLine(finding.ToLine())}");
        if (exported.Findings.Count > 0) return ExitCodes.Invalid;
        if (outputFile is not null) context.Stderr.WriteLine($"Wrote {outputFile}; actionlint found nothing. Add the secret OPSMITH_CALLBACK_SECRET to the repository; the inventory file is an input (default inventory.yaml).");
        return ExitCodes.Ok;
    }
}

/// <summary>
/// <c>opsmith import gha WORKFLOW.yml [-o FILE]</c>: a draft skill from a workflow's run: steps and workflow_dispatch inputs,
/// with what could not be carried over (uses: actions, matrices, secrets, conditions) listed. The draft passes validate.
/// A subcommand of <see cref="ImportVerb"/>.
/// </summary>
public sealed class GhaImportCommand(CliContext context)
{
    public string[] Examples =>
    [
        "opsmith import gha .github/workflows/deploy.yml -o skills/deploy.yaml",
        "opsmith import gha ci.yml --output json",
    ];

    public Command Build()
    {
        var workflow = new Argument<string>("WORKFLOW") { Description = "A GitHub Actions workflow file." };
        var file = new Option<string?>("--output-file", "-o") { Description = "Write the draft skill here instead of standard output." };
        var output = CliContext.OutputOption();
        var gha = new Command("gha", "Draft a skill from a GitHub Actions workflow; says what it could not carry over.") { workflow, file, output };
        gha.SetAction((p, ct) => RunAsync(p.GetValue(workflow)!, p.GetValue(file), p.GetValue(output), ct));
        return gha;
    }

    private async Task<int> RunAsync(string workflow, string? outputFile, OutputFormat format, CancellationToken ct)
    {
        await using var services = CliServices.Open();
        var imported = await GithubWorkflows.ImportAsync(workflow, services.Linter, ct);
        if (imported.Error is { } error) return CliServices.Fail(context, error, format);
        var draft = imported.Value!;
        if (outputFile is not null) await File.WriteAllTextAsync(outputFile, draft.Yaml, ct);
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new { skill = draft.Skill.Name, file = outputFile, yaml = outputFile is null ? draft.Yaml : null, not_carried_over = draft.NotCarriedOver });
            return ExitCodes.Ok;
        }
        if (outputFile is null) context.Stdout.Write(draft.Yaml);
        foreach (var note in draft.NotCarriedOver) context.Stderr.WriteLine($"not carried over: {TerminalText.OneLine(note)}");
        context.Stderr.WriteLine($"Drafted skill {draft.Skill.Name} (risk {Core.Skills.YamlNames.Of(draft.Skill.Spec.Risk)}); it passes validate. Read every command before running it.");
        return ExitCodes.Ok;
    }
}
