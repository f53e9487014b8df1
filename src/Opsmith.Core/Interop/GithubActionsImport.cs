using System.Text;
using System.Text.RegularExpressions;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Skills;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Interop;

/// <summary>
/// What <c>opsmith import gha</c> made of a workflow: a draft skill (YAML text), and every part of the workflow it could
/// not carry over, each with where it was (file:line) — <c>uses:</c> actions, matrices, secrets, conditions and
/// expressions Opsmith has no value for. <see cref="Problems"/> are reasons there is no draft at all.
/// </summary>
public sealed record GithubActionsImportResult(string? SkillYaml, IReadOnlyList<string> NotCarriedOver, IReadOnlyList<Diagnostic> Problems);

/// <summary>
/// Turns a GitHub Actions workflow's <c>run:</c> steps and <c>workflow_dispatch</c> inputs into a draft skill. The draft
/// targets <c>{{ inputs.host }}</c> (a new required input: workflows run on a runner, skills on inventory hosts), and its
/// <c>risk</c> is left as <see cref="RiskPlaceholder"/> for the caller to set from the classifier.
/// </summary>
public static partial class GithubActionsImport
{
    public const string RiskPlaceholder = "__RISK__";

    public static GithubActionsImportResult Read(string file, string text)
    {
        var diagnostics = new DiagnosticBag(file);
        var root = YamlDocumentReader.Read(text, diagnostics);
        if (root is not YamlMapping workflow)
        {
            if (root is not null) diagnostics.Error("not-a-workflow", root.Position, "a workflow is a mapping with on: and jobs:");
            return new(null, [], diagnostics.Sorted());
        }
        var notes = new List<string>();
        string Where(YamlNode node) => $"{file}:{node.Position.Line}";
        var name = SkillName(Path.GetFileNameWithoutExtension(file));
        var title = (workflow["name"] as YamlScalar)?.Value is { Length: > 0 } t ? t : name;

        var inputs = new StringBuilder();
        inputs.Append("    host:\n      type: host\n      required: true\n      description: \"The inventory host or group to run on (the workflow ran on a GitHub runner).\"\n");
        var inputNames = new HashSet<string>(StringComparer.Ordinal) { "host" };
        var on = workflow["on"] ?? workflow["true"];
        if ((on as YamlMapping)?["workflow_dispatch"] is YamlMapping dispatch && dispatch["inputs"] is YamlMapping declared)
            foreach (var entry in declared.Entries)
            {
                var key = SkillName(entry.Key.Value).Replace('-', '_');
                if (!inputNames.Add(key)) { notes.Add($"{Where(entry.Key)}: input '{entry.Key.Value}' clashes with another input named {key}; left out"); continue; }
                var spec = entry.Value as YamlMapping;
                var type = (spec?["type"] as YamlScalar)?.Value ?? "string";
                inputs.Append($"    {key}:\n");
                switch (type)
                {
                    case "boolean": inputs.Append("      type: bool\n"); break;
                    case "number": inputs.Append("      type: int\n"); break;
                    case "choice" when (spec?["options"]) is YamlSequence options:
                        inputs.Append("      type: enum\n      values:\n");
                        foreach (var option in options.Items.OfType<YamlScalar>()) inputs.Append($"        - {GithubActionsExport.Quote(option.Value)}\n");
                        break;
                    default:
                        if (type is not ("string" or "environment")) notes.Add($"{Where(entry.Key)}: input '{entry.Key.Value}' has type {type}; imported as a string");
                        inputs.Append("      type: string\n");
                        break;
                }
                var required = (spec?["required"] as YamlScalar)?.Value == "true";
                var fallback = (spec?["default"] as YamlScalar)?.Value;
                if (fallback is not null) inputs.Append($"      default: {GithubActionsExport.Quote(fallback)}\n");
                else if (required) inputs.Append("      required: true\n");
                else inputs.Append("      default: \"\"\n");
                inputs.Append($"      description: {GithubActionsExport.Quote((spec?["description"] as YamlScalar)?.Value ?? entry.Key.Value)}\n");
            }
        else if (on is not null)
            notes.Add($"{Where(on)}: the workflow has no workflow_dispatch inputs; only 'host' is asked for");

        var actions = new StringBuilder();
        var steps = 0;
        if (workflow["jobs"] is not YamlMapping jobs)
        {
            diagnostics.Error("no-jobs", workflow.Position, "the workflow has no jobs: mapping, so there is nothing to import", "jobs");
            return new(null, notes, diagnostics.Sorted());
        }
        foreach (var job in jobs.Entries)
        {
            if (job.Value is not YamlMapping body) continue;
            if ((body["strategy"] as YamlMapping)?["matrix"] is { } matrix)
                notes.Add($"{Where(matrix)}: job '{job.Key.Value}' has a matrix; the skill runs its steps once");
            if (body["if"] is { } jobCondition) notes.Add($"{Where(jobCondition)}: job '{job.Key.Value}' has a condition (if:); the skill always runs it");
            if (body["env"] is { } jobEnv) notes.Add($"{Where(jobEnv)}: job '{job.Key.Value}' sets env:; the skill does not");
            if (body["uses"] is { } reusable) notes.Add($"{Where(reusable)}: job '{job.Key.Value}' calls a reusable workflow; left out");
            if (body["steps"] is not YamlSequence jobSteps) continue;
            foreach (var step in jobSteps.Items.OfType<YamlMapping>())
            {
                if (step["uses"] is YamlScalar uses) { notes.Add($"{Where(uses)}: step uses {uses.Value}; actions cannot run on an inventory host, left out"); continue; }
                if (step["run"] is not YamlScalar run) continue;
                if (step["if"] is { } condition) notes.Add($"{Where(condition)}: a condition (if:) on a step; the skill always runs it");
                if (step["env"] is { } env) notes.Add($"{Where(env)}: step env: is not carried over; set those variables in the command");
                // An input becomes a shell variable set from the (shell-quoted) template once, so it also works inside quotes.
                var used = new SortedSet<string>(StringComparer.Ordinal);
                var command = Expression().Replace(run.Value, m =>
                {
                    var expression = m.Groups[1].Value.Trim();
                    var input = InputReference().Match(expression);
                    if (input.Success && inputNames.Contains(SkillName(input.Groups[1].Value).Replace('-', '_')))
                    {
                        var variable = SkillName(input.Groups[1].Value).Replace('-', '_');
                        used.Add(variable);
                        return "${" + variable + "}";
                    }
                    notes.Add(expression.StartsWith("secrets.", StringComparison.Ordinal)
                        ? $"{Where(run)}: {expression} is a secret; give it as a secret input and use it in the command"
                        : $"{Where(run)}: the expression ${{{{ {expression} }}}} has no value outside GitHub Actions; replaced by an empty string");
                    return "";
                });
                command = string.Concat(used.Select(v => $"{v}={{{{ inputs.{v} }}}}\n")) + command;
                steps++;
                var stepName = SkillName((step["name"] as YamlScalar)?.Value ?? $"step-{steps}");
                actions.Append($"    - name: {GithubActionsExport.Quote(string.IsNullOrEmpty(stepName) ? $"step-{steps}" : stepName)}\n      run: |\n");
                foreach (var line in command.TrimEnd('\n').Split('\n')) actions.Append("        ").Append(line).Append('\n');
            }
        }
        if (steps == 0)
        {
            diagnostics.Error("no-run-steps", jobs.Position, "no job has a run: step, so the skill would do nothing", "jobs");
            return new(null, notes, diagnostics.Sorted());
        }

        var yaml = new StringBuilder();
        yaml.Append($"# Imported from {file} by `opsmith import gha`: a draft. Read every command before running it.\n");
        yaml.Append("apiVersion: opsmith/v1\nkind: Skill\nmetadata:\n");
        yaml.Append($"  name: {name}\n  title: {GithubActionsExport.Quote(title)}\n");
        yaml.Append($"  description: {GithubActionsExport.Quote($"Imported from the GitHub Actions workflow {Path.GetFileName(file)}.")}\n");
        yaml.Append("  stage: recovery\n  tags: [imported, github-actions]\n");
        yaml.Append("spec:\n  inputs:\n").Append(inputs);
        yaml.Append("  targets: \"{{ inputs.host }}\"\n");
        yaml.Append($"  risk: {RiskPlaceholder}\n");
        yaml.Append("  actions:\n").Append(actions);
        return new(yaml.ToString(), notes, diagnostics.Sorted());
    }

    /// <summary>A skill name (lower kebab) from a file or step name.</summary>
    private static string SkillName(string text)
    {
        var kebab = NonName().Replace(text.ToLowerInvariant(), "-").Trim('-');
        return kebab.Length == 0 ? "imported-workflow" : kebab.Length > 60 ? kebab[..60].TrimEnd('-') : kebab;
    }

    [GeneratedRegex(@"\$\{\{(.*?)\}\}")]
    private static partial Regex Expression();

    [GeneratedRegex(@"^(?:github\.event\.)?inputs\.([A-Za-z0-9_-]+)$")]
    private static partial Regex InputReference();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonName();
}
