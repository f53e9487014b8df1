using System.Text.RegularExpressions;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Linting;
using Opsmith.Core.Skills;
using Opsmith.Core.TaskCards;
using Opsmith.Core.Yaml;
using Opsmith.Policy.Classification;

namespace Opsmith.Application.Import;

/// <summary>
/// An OpsSkill skill (<c>version, name, intent, namespace, metadata, preconditions, actions, success_criteria,
/// rollback</c>; each step a <c>name</c> and a <c>command</c>) as an Opsmith skill. The skill runs on an inventory host
/// (OpsSkill's <c>target_host</c>, which has kubectl); hard-coded values become inputs; the risk is the classifier's;
/// <c>metadata.hidden_checks</c> become a task card next to it, where Opsmith keeps hidden checks.
/// </summary>
public static partial class OpsSkillSkills
{
    /// <summary>The inventory group imported OpsSkill cluster configurations put their target host in.</summary>
    public const string TargetGroup = "opsskill";

    private static readonly string[] TopLevel = ["version", "name", "intent", "namespace", "metadata", "preconditions", "actions", "steps", "success_criteria", "rollback"];
    private static readonly string[] CheckFields = ["name", "command", "expect_exit_code", "expect_stdout_contains"];
    private static readonly string[] ActionFields = ["name", "command", "on_failure"];

    /// <summary>Inputs under other names than the source's <c>instance_parameters</c> key.</summary>
    private static readonly Dictionary<string, string> InputNames = new() { ["deployment_name"] = "deployment", ["image_placeholder"] = "image" };

    public static bool Recognise(YamlMapping root) =>
        root.Find("apiVersion") is null && (root["actions"] is YamlSequence || root["steps"] is YamlSequence) && root["intent"] is not null;

    public static Conversion Convert(SourceDocument doc, string file, ImportContext context, ImportNotes notes)
    {
        var root = doc.Root;
        foreach (var entry in root.Entries.Where(e => !TopLevel.Contains(e.Key.Value)))
            notes.NotCarried(entry.Key.Position.Line, entry.Key.Value, "OpsSkill's skill schema has no such field, and neither has Opsmith's");
        var name = doc.Str("name") is { } n ? SourceYaml.Kebab(n) : SourceYaml.Kebab(Path.GetFileNameWithoutExtension(file));
        if (doc.Str("name") is null) notes.Review(root.Position.Line, "name", $"the skill has no name; it is named '{name}' after its file");
        name = context.Claim(ImportedKind.Skill, name, file, SourceYaml.LineOf(root, "name"), notes);
        var intent = doc.Str("intent") ?? name;
        var metadata = SourceYaml.Map(root, "metadata");
        var parameters = SourceYaml.Map(metadata, "instance_parameters");
        var actionsKey = root["actions"] is YamlSequence ? "actions" : "steps";

        var commands = AllCommands(root, actionsKey).ToList();
        var values = HardCoded(doc, parameters, commands, notes);
        var keptInQuotes = new SortedSet<string>();
        var classifier = new CommandClassifier();
        var used = new HashSet<string>();
        string Param(string command)
        {
            var text = HardCodedValues.InCommand(command, values, keptInQuotes);
            if (text.Contains("OPS_NAMESPACE", StringComparison.Ordinal) && values.Any(v => v.Input == "namespace"))
                text = "OPS_NAMESPACE={{ inputs.namespace }}\nexport OPS_NAMESPACE\n" + text;
            foreach (var v in values.Where(v => text.Contains(v.Template, StringComparison.Ordinal))) used.Add(v.Input);
            return text;
        }
        string Expected(string text)
        {
            var result = HardCodedValues.InText(text, values);
            foreach (var v in values.Where(v => result.Contains(v.Template, StringComparison.Ordinal))) used.Add(v.Input);
            return result;
        }
        RiskTier Classify(string command) => classifier.Classify(ScriptLinting.Prepare(command)).Tier;

        var names = new StepNames();
        var preconditions = new List<CheckStep>();
        var actions = new List<ActionStep>();
        foreach (var item in SourceYaml.Seq(root, "preconditions"))
        {
            if (ReadCheck(item, "preconditions", names, notes, Param, Expected) is not { } check) continue;
            var tier = Classify(((RunProbe)check.Probe).Command);
            if (tier > RiskTier.Read)
            {
                // A precondition that changes something is an action in Opsmith: checks only read.
                notes.Changed(item.Position.Line, "preconditions", $"precondition '{check.Name}' reads as {YamlNames.Of(tier)}, and Opsmith checks only read; it is the first action instead");
                actions.Add(new ActionStep(check.Name, ((RunProbe)check.Probe).Command, tier, true, null, FailurePolicy.Abort, null, SourcePosition.Start));
            }
            else preconditions.Add(check);
        }
        foreach (var item in SourceYaml.Seq(root, actionsKey))
        {
            if (item is not YamlMapping step || SourceYaml.Str(step, "command") is not { } command)
            {
                notes.CannotImport(item.Position.Line, actionsKey, "an action without a 'command' cannot be carried over; it is left out");
                continue;
            }
            ReportUnknown(step, ActionFields, actionsKey, notes);
            var run = Param(command);
            var tier = Classify(run);
            var onFailure = SourceYaml.Str(step, "on_failure") switch
            {
                null or "abort" => FailurePolicy.Abort,
                "rollback" => FailurePolicy.Rollback,
                _ => FailurePolicy.Continue, // OpsSkill carries on after any other value
            };
            // The dry-run check is derived from the command as written (its words are whole there), then given the same inputs.
            var check = tier > RiskTier.Read && DryRunCheck(command) is { } c && Classify(c) == RiskTier.Read ? Param(c) : null;
            var timeout = TimeoutFor(run, TimeSpan.FromMinutes(5));
            actions.Add(new ActionStep(names.Take(SourceYaml.Str(step, "name"), "action"), run, tier, true, timeout, onFailure, check, SourcePosition.Start));
        }
        if (actions.Count == 0)
        {
            notes.CannotImport(SourceYaml.LineOf(root, actionsKey), actionsKey, "the skill has no action with a command; an Opsmith skill needs at least one");
            return Conversion.Empty;
        }
        var success = SourceYaml.Seq(root, "success_criteria")
            .Select(i => ReadCheck(i, "success_criteria", names, notes, Param, Expected)).OfType<CheckStep>().ToList();
        var rollbackSteps = new List<RollbackStep>();
        foreach (var item in SourceYaml.Seq(root, "rollback"))
        {
            if (item is not YamlMapping step || SourceYaml.Str(step, "command") is not { } command)
            {
                notes.CannotImport(item.Position.Line, "rollback", "a rollback step without a 'command' cannot be carried over; it is left out");
                continue;
            }
            ReportUnknown(step, ActionFields, "rollback", notes);
            rollbackSteps.Add(new RollbackStep(names.Take(SourceYaml.Str(step, "name"), "undo"), Param(command), null, SourcePosition.Start));
        }
        // Opsmith runs rollback steps last-listed first; OpsSkill ran them in order.
        rollbackSteps.Reverse();

        var risk = actions.Max(a => a.Risk);
        var rollbackRisk = rollbackSteps.Count == 0 ? RiskTier.Read : rollbackSteps.Max(s => Classify(s.Run));
        if (rollbackRisk > risk)
        {
            notes.Changed(SourceYaml.LineOf(root, "rollback"), "rollback", $"the rollback reads as {YamlNames.Of(rollbackRisk)}, more than any action; the skill declares {YamlNames.Of(rollbackRisk)}");
            risk = rollbackRisk;
        }
        CompareRiskLabel(metadata, risk, notes);
        var rollback = rollbackSteps.Count > 0 ? new RollbackPlan(rollbackSteps, null) : RollbackPlan.Missing;
        if (risk > RiskTier.Read && rollbackSteps.Count == 0)
        {
            rollback = new RollbackPlan([], "The OpsSkill skill this was imported from declared no rollback (rollback: []); review what its actions change before running it.");
            notes.Review(SourceYaml.LineOf(root, "rollback"), "rollback", "the skill changes things but declares no rollback; it is imported as rollback: {none: true} with that reason: write the undo steps if there are any");
        }
        if (risk > RiskTier.Read && success.Count == 0)
        {
            notes.CannotImport(root.Position.Line, "success_criteria", "the skill changes things but has no success criteria; Opsmith needs them to tell whether it worked");
            return Conversion.Empty;
        }

        foreach (var kept in keptInQuotes)
            notes.Review(root.Position.Line, "commands", $"'{kept}' also appears inside a quoted string of a command, where an input cannot go (its quoting would be undone); it is kept as written there");
        foreach (var unused in values.Where(v => !used.Contains(v.Input)))
            notes.NotCarried(root.Position.Line, unused.Input, $"'{unused.Value}' is not used by any command, so it is not an input");
        var inputs = new List<InputDefinition>
        {
            new("host", InputType.Host, true, "Inventory host or group to run on: a host with kubectl and access to the cluster (OpsSkill's target_host; `opsmith import opsskill` puts it in group 'opsskill').", null, null, null, [], false, SourcePosition.Start),
        };
        inputs.AddRange(values.Where(v => used.Contains(v.Input)).Select(v =>
            new InputDefinition(v.Input, InputType.String, v.Required, v.Description, v.Required ? null : v.Value, null, null, [], false, SourcePosition.Start)));

        var stage = StageOf(SourceYaml.Str(metadata, "stage"), name, risk);
        if (risk > RiskTier.Read && stage != Stage.Recovery)
            notes.Review(SourceYaml.LineOf(metadata, "stage"), "metadata.stage", $"a {YamlNames.Of(stage)} skill that changes things ({YamlNames.Of(risk)}); Opsmith warns about it (stage-mutates)");
        var tags = new List<string> { "opsskill", "imported" };
        tags.AddRange(SourceYaml.Strings(SourceYaml.Map(metadata, "benchmark"), "benchmark_tags").Select(SourceYaml.Kebab));
        var category = commands.Any(c => c.Command.TrimStart().StartsWith("kubectl", StringComparison.Ordinal)) ? "kubernetes" : SourceYaml.Str(metadata, "category");
        var description = $"{Sentence(intent)} Imported from the OpsSkill skill {Path.GetFileName(file)}: it runs on a host with kubectl (the OpsSkill target host).";
        var skill = new Skill(
            new SkillMetadata(name, Title(intent), description, stage, category, tags.Distinct().ToList(), 1),
            new SkillSpec(inputs, "{{ inputs.host }}", risk, preconditions, actions, success, rollback, [], null),
            "", "");
        ReportMetadata(metadata, notes);
        var header = $"Imported by `opsmith import opsskill` from {Path.GetFileName(file)} (OpsSkill). Review it before use; see docs/migrating.md.";
        var files = new List<ConvertedFile> { new(file, doc.Line, ImportedKind.Skill, name, $"skills/{name}.yaml", SkillYamlWriter.Write(skill, header)) };
        if (HiddenChecksCard(doc, name, intent, stage, values, metadata, file, context, notes) is { } card) files.Add(card);
        return new Conversion(files, []);
    }

    private static IEnumerable<(string Command, int Line)> AllCommands(YamlMapping root, string actionsKey) =>
        new[] { "preconditions", actionsKey, "success_criteria", "rollback" }
            .SelectMany(k => SourceYaml.Seq(root, k)).OfType<YamlMapping>()
            .Select(s => (SourceYaml.Str(s, "command"), s.Position.Line)).Where(x => x.Item1 is not null).Select(x => (x.Item1!, x.Line));

    /// <summary>The namespace, the instance parameters the commands use, and a deployment the commands name.</summary>
    private static List<HardCodedValue> HardCoded(SourceDocument doc, YamlMapping? parameters, IReadOnlyList<(string Command, int Line)> commands, ImportNotes notes)
    {
        var values = new List<HardCodedValue>();
        if (doc.Str("namespace") is { Length: > 0 } ns)
            values.Add(new HardCodedValue("namespace", ns, "Kubernetes namespace to work in (OpsSkill: namespace)."));
        foreach (var entry in parameters?.Entries ?? [])
        {
            if (entry.Value is not YamlScalar { IsNull: false } scalar || scalar.Value.Length < 3 || entry.Key.Value == "namespace_env") continue;
            if (values.Any(v => v.Value == scalar.Value) || !commands.Any(c => c.Command.Contains(scalar.Value, StringComparison.Ordinal))) continue;
            var input = InputNames.TryGetValue(entry.Key.Value, out var renamed) ? renamed : SourceYaml.Snake(entry.Key.Value);
            var placeholder = scalar.Value.Contains("PLACEHOLDER", StringComparison.OrdinalIgnoreCase);
            if (placeholder)
                notes.Review(entry.Key.Position.Line, $"metadata.instance_parameters.{entry.Key.Value}",
                    $"'{scalar.Value}' is a placeholder to replace before use; it is the required input '{input}', with no default");
            values.Add(new HardCodedValue(input, scalar.Value, $"OpsSkill instance parameter {entry.Key.Value}.", placeholder));
        }
        if (values.All(v => v.Input != "deployment"))
        {
            var named = commands.SelectMany(c => DeploymentName().Matches(c.Command)).Select(m => m.Groups[1].Value).Distinct().ToList();
            if (named.Count >= 1 && values.All(v => v.Value != named[0]))
                values.Add(new HardCodedValue("deployment", named[0], "Deployment to act on (written into the OpsSkill commands)."));
        }
        return values;
    }

    private static CheckStep? ReadCheck(YamlNode item, string section, StepNames names, ImportNotes notes, Func<string, string> param, Func<string, string> expected)
    {
        if (item is not YamlMapping step || SourceYaml.Str(step, "command") is not { } command)
        {
            notes.CannotImport(item.Position.Line, section, $"an entry of '{section}' without a 'command' cannot be carried over; it is left out");
            return null;
        }
        ReportUnknown(step, CheckFields, section, notes);
        var exit = 0;
        if (SourceYaml.Str(step, "expect_exit_code") is { } code && (!int.TryParse(code, out exit) || exit is < 0 or > 255))
        {
            notes.CannotImport(SourceYaml.LineOf(step, "expect_exit_code"), $"{section}.expect_exit_code", $"'{code}' is not an exit code (0..255); the check expects 0");
            exit = 0;
        }
        var contains = SourceYaml.Str(step, "expect_stdout_contains") is { } text ? expected(text) : null;
        var run = param(command);
        return new CheckStep(names.Take(SourceYaml.Str(step, "name"), "check"),
            new RunProbe(run, new RunExpectation(exit, contains, null, null, null)), null, TimeoutFor(run, null), SourcePosition.Start);
    }

    private static void ReportUnknown(YamlMapping step, string[] known, string section, ImportNotes notes)
    {
        foreach (var entry in step.Entries.Where(e => !known.Contains(e.Key.Value)))
            notes.NotCarried(entry.Key.Position.Line, $"{section}.{entry.Key.Value}", "OpsSkill's steps have no such field, and neither have Opsmith's");
    }

    /// <summary>kubectl waits given a <c>--timeout</c> need longer than the default step timeout (30 s for checks).</summary>
    private static TimeSpan? TimeoutFor(string command, TimeSpan? standard)
    {
        if (KubectlTimeout().Match(command) is not { Success: true } m) return null;
        var seconds = long.Parse(m.Groups[1].Value) * (m.Groups[2].Value switch { "m" => 60, "h" => 3600, _ => 1 });
        var needed = TimeSpan.FromSeconds(Math.Min(seconds + 10, 86_400));
        return standard is { } s && needed <= s ? null : needed;
    }

    /// <summary>The read-only command a dry run executes instead of a kubectl change, where one is known.</summary>
    private static string? DryRunCheck(string run)
    {
        if (run.Contains('\n')) return null;
        if (RolloutChange().Match(run) is { Success: true } r) return $"{r.Groups[1].Value} rollout history {r.Groups[3].Value}";
        if (SetImage().Match(run) is { Success: true } s) return $"{s.Groups[1].Value} get {s.Groups[2].Value} -o wide";
        if (ServerDryRun().IsMatch(run) && !run.Contains("--dry-run", StringComparison.Ordinal)) return run + " --dry-run=server";
        return null;
    }

    private static void CompareRiskLabel(YamlMapping? metadata, RiskTier risk, ImportNotes notes)
    {
        if (SourceYaml.Str(metadata, "risk_level") is not { } label) return;
        RiskTier? said = label.ToLowerInvariant() switch
        {
            "none" or "low" => RiskTier.Read,
            "medium" => RiskTier.ServiceMutation,
            "high" => RiskTier.Destructive,
            "critical" => RiskTier.DataMutation,
            _ => null,
        };
        var line = SourceYaml.LineOf(metadata, "risk_level");
        if (said is null)
            notes.NotCarried(line, "metadata.risk_level", $"'{label}' is not an OpsSkill risk level; the risk is the classifier's: {YamlNames.Of(risk)}");
        else if (said < risk)
            notes.Changed(line, "metadata.risk_level", $"OpsSkill labelled the skill '{label}', but Opsmith's classifier reads its commands as {YamlNames.Of(risk)}, which the skill declares: a label never lowers the risk");
        else if (said > risk)
            notes.Review(line, "metadata.risk_level", $"OpsSkill labelled the skill '{label}'; Opsmith's classifier reads its commands as {YamlNames.Of(risk)}, which the skill declares; raise it by hand if you know more than the commands say");
    }

    private static void ReportMetadata(YamlMapping? metadata, ImportNotes notes)
    {
        foreach (var entry in metadata?.Entries ?? [])
        {
            var why = entry.Key.Value switch
            {
                "risk_level" or "stage" or "instance_parameters" or "hidden_checks" or "category" => null,
                "benchmark" => "benchmark bookkeeping of the OpsSkill paper; its benchmark_tags are the skill's tags",
                "required_tools" => "Opsmith has no list of tools; a precondition such as `command -v kubectl` checks one",
                "owner" => "the skill format has no owner field in the model the importer writes; add `owner:` under metadata by hand",
                _ => "OpsSkill bookkeeping with no counterpart in an Opsmith skill",
            };
            if (why is not null) notes.NotCarried(entry.Key.Position.Line, $"metadata.{entry.Key.Value}", why);
        }
    }

    /// <summary>
    /// The skill's <c>metadata.hidden_checks</c> as a task card named after the skill: Opsmith keeps hidden checks in
    /// task cards (docs/task-cards.md), never in the skill an agent sees. They keep their hard-coded values, since a
    /// card's hidden checks may use only <c>target.*</c>.
    /// </summary>
    private static ConvertedFile? HiddenChecksCard(SourceDocument doc, string name, string intent, Stage stage, IReadOnlyList<HardCodedValue> values,
        YamlMapping? metadata, string file, ImportContext context, ImportNotes notes)
    {
        var hidden = SourceYaml.Seq(metadata, "hidden_checks");
        if (hidden.Count == 0) return null;
        var checks = OpsSkillCards.HiddenChecks(hidden, "metadata.hidden_checks", notes);
        if (checks.Count == 0) return null;
        var signals = hidden.OfType<YamlMapping>().Select(h => SourceYaml.Str(h, "signal")).OfType<string>().Distinct().ToList();
        var service = values.FirstOrDefault(v => v.Input == "deployment")?.Value ?? doc.Str("namespace") ?? name;
        var parameters = values.Where(v => !v.Required).ToDictionary(v => v.Input, v => v.Value);
        var cardName = context.Claim(ImportedKind.TaskCard, $"{name}-hidden-checks", file, SourceYaml.LineOf(metadata, "hidden_checks"), notes);
        var card = new TaskCard(cardName, intent, stage, TargetGroup, service, null, Core.TaskCards.Severity.Medium,
            signals.Count > 0 ? $"The skill's hidden signals hold: {string.Join(", ", signals)}." : "The skill's hidden checks pass.",
            checks, null, parameters);
        var header = $"The hidden checks of the OpsSkill skill {Path.GetFileName(file)} (metadata.hidden_checks), imported by `opsmith import opsskill`.";
        return new ConvertedFile(file, SourceYaml.LineOf(metadata, "hidden_checks"), ImportedKind.TaskCard, card.Name,
            $"task-cards/{card.Name}.yaml", TaskCardYamlWriter.Write(card, header));
    }

    internal static Stage StageOf(string? written, string name, RiskTier risk)
    {
        if (written is not null && YamlNames.TryParse<Stage>(written.ToLowerInvariant(), out var stage)) return stage;
        var words = name.ToLowerInvariant();
        if (words.Contains("verif")) return Stage.Verification;
        if (risk > RiskTier.Read || words.Contains("recover") || words.Contains("restart") || words.Contains("rollback")) return Stage.Recovery;
        if (words.Contains("diagnos") || words.Contains("root-cause") || words.Contains("bottleneck")) return Stage.Diagnosis;
        return Stage.Detection;
    }

    internal static string Title(string intent)
    {
        var line = intent.Split('\n')[0].Trim().TrimEnd('.');
        return line.Length > 100 ? line[..100].TrimEnd() + "…" : line;
    }

    internal static string Sentence(string text)
    {
        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.EndsWith('.') ? text : text + ".";
    }

    [GeneratedRegex(@"\bdeployment[/ ]([a-z0-9][a-z0-9.-]*[a-z0-9])\b")]
    private static partial Regex DeploymentName();

    [GeneratedRegex(@"--timeout=(\d{1,6})(s|m|h)\b")]
    private static partial Regex KubectlTimeout();

    [GeneratedRegex(@"^(kubectl(?:\s+(?:-n|--namespace)[= ]\S+)*)\s+rollout\s+(restart|undo)\s+(\S+)\s*$")]
    private static partial Regex RolloutChange();

    [GeneratedRegex(@"^(kubectl(?:\s+(?:-n|--namespace)[= ]\S+)*)\s+set\s+image\s+(\S+)\s")]
    private static partial Regex SetImage();

    [GeneratedRegex(@"^kubectl(?:\s+(?:-n|--namespace)[= ]\S+)*\s+(scale|patch|apply|delete|annotate|label)\s")]
    private static partial Regex ServerDryRun();
}

/// <summary>Step names in lower-kebab-case, unique across the whole skill (Opsmith's rule).</summary>
internal sealed class StepNames
{
    private readonly HashSet<string> _taken = [];

    public string Take(string? written, string fallback)
    {
        var name = SourceYaml.Kebab(written ?? fallback);
        var candidate = name;
        for (var i = 2; !_taken.Add(candidate); i++) candidate = $"{name}-{i}";
        return candidate;
    }
}
