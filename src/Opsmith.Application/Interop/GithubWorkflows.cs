using Opsmith.Execution;
using Opsmith.Application.Validation;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Interop;
using Opsmith.Core.Linting;
using Opsmith.Core.Skills;
using Opsmith.Execution.Linting;

namespace Opsmith.Application.Interop;

/// <summary>A GitHub Actions workflow file that validate checked with actionlint (the model of its document).</summary>
public sealed record GithubWorkflow(string File);

/// <summary>What <see cref="GithubWorkflows.ExportAsync"/> wrote: the workflow and actionlint's findings on it (none: it passed).</summary>
public sealed record ExportedWorkflow(string Yaml, IReadOnlyList<Diagnostic> Findings, string? CheckUnavailable);

/// <summary>What <see cref="GithubWorkflows.ImportAsync"/> made: a draft skill that passes validate, and what it left behind.</summary>
public sealed record ImportedSkill(string Yaml, Skill Skill, IReadOnlyList<string> NotCarriedOver);

/// <summary>
/// GitHub Actions interop (docs/github-actions.md): export a skill as a <c>workflow_dispatch</c> workflow that reports back
/// to the server, import a workflow's <c>run:</c> steps as a draft skill, and check workflow files with actionlint.
/// </summary>
public static class GithubWorkflows
{
    /// <summary>A workflow file: under <c>.github/workflows/</c>, or YAML with top-level <c>on:</c> and <c>jobs:</c> and no <c>apiVersion:</c>.</summary>
    public static bool IsWorkflow(string file)
    {
        if (file.Replace('\\', '/').Contains("/.github/workflows/", StringComparison.Ordinal) || file.Replace('\\', '/').StartsWith(".github/workflows/", StringComparison.Ordinal))
            return true;
        // Only a regular file is sniffed: a FIFO would block and a device never ends (validate refuses both later).
        if (FileKinds.Of(file) != Core.Inventories.FileKind.RegularFile) return false;
        try
        {
            using var reader = new StreamReader(file);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < 400 && reader.ReadLine() is { } line; i++)
                if (line.Length > 0 && char.IsAsciiLetter(line[0]) && line.IndexOf(':') is > 0 and var colon) keys.Add(line[..colon].Trim('"', '\''));
            return keys.Contains("jobs") && (keys.Contains("on") || keys.Contains("true")) && !keys.Contains("apiVersion");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Checks workflow files with actionlint; each becomes a document whose diagnostics are actionlint's findings.</summary>
    public static async Task<(IReadOnlyList<LoadedDocument> Documents, string? Unavailable)> CheckAsync(IReadOnlyList<string> files, CancellationToken ct)
    {
        var outcome = await ActionlintChecker.CheckAsync(files, ct);
        var documents = new List<LoadedDocument>();
        foreach (var file in files)
        {
            var text = await File.ReadAllTextAsync(file, ct);
            documents.Add(new LoadedDocument(file, DocumentKind.Unknown, new GithubWorkflow(file), outcome.Findings.Where(f => f.File == file).ToList(), [], text));
        }
        return (documents, outcome.Unavailable);
    }

    /// <summary>The workflow for <paramref name="skill"/>, checked with actionlint.</summary>
    public static async Task<ExportedWorkflow> ExportAsync(Skill skill, string skillPathInRepository, CancellationToken ct)
    {
        var yaml = GithubActionsExport.Workflow(skill, skillPathInRepository);
        var folder = Directory.CreateTempSubdirectory("opsmith-gha-");
        try
        {
            var file = Path.Combine(folder.FullName, $"opsmith-{skill.Name}.yml");
            await File.WriteAllTextAsync(file, yaml, ct);
            var outcome = await ActionlintChecker.CheckAsync([file], ct);
            return new ExportedWorkflow(yaml, outcome.Findings, outcome.Unavailable);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Imports a workflow as a draft skill whose declared risk is the lowest that validate accepts (the classifier decides
    /// from its commands), with a rollback marked as still to be written when it can change hosts.
    /// </summary>
    public static async Task<Result<ImportedSkill>> ImportAsync(string file, IScriptLinter linter, CancellationToken ct)
    {
        if (!File.Exists(file)) return OpsmithError.NotFound($"workflow '{file}' does not exist");
        var text = await File.ReadAllTextAsync(file, ct);
        var draft = GithubActionsImport.Read(file, text);
        if (draft.SkillYaml is null)
        {
            var document = new LoadedDocument(file, DocumentKind.Unknown, null, draft.Problems, [], text);
            return OpsmithError.Invalid($"{file} cannot be imported", document);
        }
        LoadedDocument? last = null;
        foreach (var risk in Enum.GetValues<RiskTier>())
        {
            var yaml = draft.SkillYaml.Replace(GithubActionsImport.RiskPlaceholder, YamlNames.Of(risk), StringComparison.Ordinal);
            if (risk != RiskTier.Read)
                yaml += "  # A workflow says neither how to tell it worked nor how to undo it: both are placeholders to replace.\n" +
                        "  success_criteria:\n    - name: replace-with-a-real-check\n      run: \"true\"\n" +
                        "  rollback:\n    none: true\n    reason: \"imported from a GitHub Actions workflow, which has no rollback; write one before running this for real\"\n";
            var validation = await DocumentValidation.ValidateTextAsync(Path.ChangeExtension(Path.GetFileName(file), ".skill.yaml"), yaml, false, linter, ct);
            last = validation.Documents[0];
            if (last.IsValid && last.Skill is { } skill)
                return new ImportedSkill(yaml, skill, risk == RiskTier.Read ? draft.NotCarriedOver
                    : [.. draft.NotCarriedOver, $"{file}: the workflow has no success check or rollback; the draft's success_criteria (true) and rollback are placeholders to replace"]);
            if (!last.Diagnostics.Any(d => d.Code == "risk-understated")) break;
        }
        return OpsmithError.Invalid($"the skill drafted from {file} does not validate; fix the workflow or the draft by hand", last!);
    }
}
