using Opsmith.Core.Diagnostics;
using Opsmith.Core.Skills;
using Opsmith.Core.TaskCards;
using Opsmith.Core.Yaml;

namespace Opsmith.Application.Import;

/// <summary>
/// OpsSkill task cards (<c>name, intent, namespace, workload, severity, expected_outcome, hidden_checks</c>, and the
/// experiment cards' <c>fault_domain, task_family, task_type, opsskill_skill</c>) and benchmark task instances
/// (<c>benchmark_suite</c>, <c>task_instances</c>) as Opsmith task cards.
/// </summary>
public static class OpsSkillCards
{
    private static readonly string[] CardFields =
        ["name", "intent", "stage", "target", "service", "symptom", "severity", "expected_outcome", "hidden_checks", "family", "params", "namespace", "workload"];

    public static bool RecogniseCard(YamlMapping root) =>
        root.Find("apiVersion") is null && root.Find("intent") is not null && root["actions"] is null && root["steps"] is null;

    public static bool RecogniseInstances(YamlMapping root) => root.Find("apiVersion") is null && root["task_instances"] is YamlSequence;

    public static Conversion ConvertCard(SourceDocument doc, string file, ImportContext context, ImportNotes notes)
    {
        var root = doc.Root;
        var name = doc.Str("name") is { } n ? SourceYaml.Kebab(n) : SourceYaml.Kebab(Path.GetFileNameWithoutExtension(file));
        name = context.Claim(ImportedKind.TaskCard, name, file, doc.LineOf("name"), notes);
        var intent = doc.Str("intent")!;
        var skillPath = doc.Str("opsskill_skill");
        var stage = doc.Str("stage") is { } written && YamlNames.TryParse<Stage>(written, out var s) ? s
            : StageFromSkillPath(skillPath) ?? OpsSkillSkills.StageOf(null, name + " " + doc.Str("task_type"), doc.Str("task_type") == "mutating" ? RiskTier.ServiceMutation : RiskTier.Read);
        if (doc.Str("stage") is null)
            notes.Review(root.Position.Line, "stage", $"the card names no stage; it is '{YamlNames.Of(stage)}', read from {(skillPath is not null && StageFromSkillPath(skillPath) is not null ? "the folder of its opsskill_skill" : "its name and task_type")}");
        var target = doc.Str("target") ?? OpsSkillSkills.TargetGroup;
        if (doc.Str("target") is null)
            notes.Review(root.Position.Line, "target", $"OpsSkill cards name no host (the cluster configuration does); the target is group '{OpsSkillSkills.TargetGroup}', which `opsmith import opsskill` puts the cluster's target host in");
        var service = doc.Str("service") ?? doc.Str("workload") ?? doc.Str("namespace") ?? name;
        var severity = Core.TaskCards.Severity.Medium;
        if (doc.Str("severity") is { } sev && !Enum.TryParse(sev, true, out severity))
        {
            notes.NotCarried(doc.LineOf("severity"), "severity", $"'{sev}' is not low, medium, high or critical; the card is 'medium'");
            severity = Core.TaskCards.Severity.Medium;
        }
        var outcome = doc.Str("expected_outcome");
        if (outcome is null)
        {
            outcome = OpsSkillSkills.Sentence(intent);
            notes.Review(root.Position.Line, "expected_outcome", "the card says no expected outcome, which Opsmith requires; it is the intent, restated: write what must be true afterwards");
        }
        var parameters = new Dictionary<string, string>();
        if (doc.Str("namespace") is { } ns) parameters["namespace"] = ns;
        if (doc.Str("workload") is { } workload) parameters["deployment"] = workload;
        foreach (var entry in SourceYaml.Map(root, "params")?.Entries ?? [])
            if (entry.Value is YamlScalar { IsNull: false } v) parameters[entry.Key.Value] = v.Value;
        var hidden = HiddenChecks(SourceYaml.Seq(root, "hidden_checks"), "hidden_checks", notes);
        foreach (var entry in root.Entries.Where(e => !CardFields.Contains(e.Key.Value)))
            notes.NotCarried(entry.Key.Position.Line, entry.Key.Value, entry.Key.Value switch
            {
                "opsskill_skill" => $"a task card does not name its skill in Opsmith; import {entry.Value switch { YamlScalar x => x.Value, _ => "that skill" }} too and run it, or `opsmith generate` one from this card",
                "diagnosis" => "a task card has no diagnosis field; the intent and symptom say what the task is",
                _ => "experiment bookkeeping with no counterpart in an Opsmith task card",
            });
        var card = new TaskCard(name, intent, stage, target, service, doc.Str("symptom"), severity, outcome, hidden, doc.Str("family"), parameters);
        var header = $"Imported by `opsmith import opsskill` from {Path.GetFileName(file)} (an OpsSkill task card).";
        return new Conversion([new ConvertedFile(file, doc.Line, ImportedKind.TaskCard, name, $"task-cards/{name}.yaml", TaskCardYamlWriter.Write(card, header))], []);
    }

    /// <summary>Benchmark task instances: each one a task card (the Opsmith lab has no Kubernetes, so they do not become lab faults).</summary>
    public static Conversion ConvertInstances(SourceDocument doc, string file, ImportContext context, ImportNotes notes)
    {
        var suite = doc.Str("benchmark_suite");
        var files = new List<ConvertedFile>();
        notes.NotCarried(doc.LineOf("task_instances"), "task_instances",
            "the instances are Kubernetes tasks; the Opsmith fault lab runs hosts with services (nginx, redis, postgresql) and no cluster, so they become task cards, not lab faults");
        foreach (var item in SourceYaml.Seq(doc.Root, "task_instances"))
        {
            if (item is not YamlMapping instance || SourceYaml.Str(instance, "id") is not { } id)
            {
                notes.CannotImport(item.Position.Line, "task_instances", "an instance without an 'id' cannot be named; it is left out");
                continue;
            }
            var name = context.Claim(ImportedKind.TaskCard, SourceYaml.Kebab(suite is null ? id : $"{suite}-{id}"), file, instance.Position.Line, notes);
            var specialization = SourceYaml.Map(instance, "specialization");
            var namespaceName = SourceYaml.Str(specialization, "namespace_env") ?? SourceYaml.Str(instance, "namespace");
            var parameters = new Dictionary<string, string>();
            if (namespaceName is not null) parameters["namespace"] = namespaceName;
            foreach (var entry in specialization?.Entries ?? [])
                if (entry.Key.Value != "namespace_env" && entry.Value is YamlScalar { IsNull: false } v)
                    parameters[entry.Key.Value == "deployment_name" ? "deployment" : SourceYaml.Snake(entry.Key.Value)] = v.Value;
            var stageText = SourceYaml.Str(instance, "stage");
            var stage = stageText is not null && YamlNames.TryParse<Stage>(stageText, out var s) ? s : OpsSkillSkills.StageOf(null, name, RiskTier.Read);
            var signals = SourceYaml.Strings(instance, "expected_hidden_signals");
            var scenario = SourceYaml.Str(instance, "scenario") ?? id;
            var card = new TaskCard(name, OpsSkillSkills.Sentence(char.ToUpperInvariant(scenario[0]) + scenario[1..]), stage, OpsSkillSkills.TargetGroup,
                parameters.GetValueOrDefault("deployment") ?? namespaceName ?? name, null, Core.TaskCards.Severity.Medium,
                signals.Count > 0 ? $"The hidden signals are observed: {string.Join(", ", signals)}." : "The scenario is resolved.",
                [], null, parameters);
            if (SourceYaml.Str(instance, "skill") is { } skill)
                notes.NotCarried(SourceYaml.LineOf(instance, "skill"), $"task_instances.{id}.skill",
                    $"a task card does not name its skill; import {skill} too (its metadata.hidden_checks become the card {SourceYaml.Kebab(Path.GetFileNameWithoutExtension(skill))}-hidden-checks)");
            var header = $"Benchmark task instance {id}{(suite is null ? "" : $" of {suite}")}, imported by `opsmith import opsskill` from {Path.GetFileName(file)}.";
            files.Add(new ConvertedFile(file, instance.Position.Line, ImportedKind.TaskCard, name, $"task-cards/{name}.yaml", TaskCardYamlWriter.Write(card, header)));
        }
        return new Conversion(files, []);
    }

    /// <summary>OpsSkill hidden checks (<c>name, command, expect_stdout_contains, expect_exit_code</c>) as run checks.</summary>
    public static IReadOnlyList<CheckStep> HiddenChecks(IReadOnlyList<YamlNode> items, string section, ImportNotes notes)
    {
        var names = new StepNames();
        var checks = new List<CheckStep>();
        foreach (var item in items)
        {
            if (item is not YamlMapping check || SourceYaml.Str(check, "command") is not { } command)
            {
                notes.CannotImport(item.Position.Line, section, "a hidden check without a 'command' cannot be carried over; it is left out");
                continue;
            }
            var exit = SourceYaml.Str(check, "expect_exit_code") is { } code && int.TryParse(code, out var c) && c is >= 0 and <= 255 ? c : 0;
            if (command.Contains("{{", StringComparison.Ordinal))
            {
                notes.CannotImport(item.Position.Line, section, "a hidden check with '{{' in its command would read as a template; it is left out");
                continue;
            }
            checks.Add(new CheckStep(names.Take(SourceYaml.Str(check, "name"), "hidden-check"),
                new RunProbe(command, new RunExpectation(exit, SourceYaml.Str(check, "expect_stdout_contains"), null, null, null)), null, null, SourcePosition.Start));
            foreach (var entry in check.Entries.Where(e => e.Key.Value is not ("name" or "command" or "expect_stdout_contains" or "expect_exit_code" or "signal")))
                notes.NotCarried(entry.Key.Position.Line, $"{section}.{entry.Key.Value}", "a hidden check has no such field");
        }
        return checks;
    }

    private static Stage? StageFromSkillPath(string? path)
    {
        if (path is null) return null;
        foreach (var part in path.Split('/'))
            if (YamlNames.TryParse<Stage>(part, out var stage)) return stage;
        if (path.Contains("/detection/", StringComparison.Ordinal)) return Stage.Detection;
        return null;
    }
}
