using System.Text.RegularExpressions;
using Opsmith.Core.Text;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Skills;

public sealed partial class SkillReader
{
    private static readonly string[] ConditionKeys =
        ["step", "check", "outcome", "exit_code", "stdout_contains", "stdout_not_contains", "stdout_matches", "any"];

    private static readonly string[] StdoutKeys = ["exit_code", "stdout_contains", "stdout_not_contains", "stdout_matches"];

    /// <summary>
    /// <c>when:</c> of an action (<paramref name="forAction"/>: it may look at earlier actions and at preconditions)
    /// or of a finding (any action, precondition or success criterion). Named groups of <c>stdout_matches</c> are
    /// added to <paramref name="facts"/>.
    /// </summary>
    private Condition? ReadCondition(YamlNode? node, string context, bool forAction, ISet<string> facts)
    {
        var map = _read.Mapping(node, $"'when' in {context}");
        if (map is null) return null;
        var where = $"'when' in {context}";
        _read.AllowOnly(map, where, ConditionKeys);
        if (map.Entries.Count == 0)
        {
            _diagnostics.Error("missing-field", map.Position,
                $"{where} is empty; say which step to look at, such as {{step: probe, outcome: failed}}", map.Path);
            return null;
        }

        var subject = ReadSubject(map, where, forAction);
        var outcome = _read.Enum<ConditionOutcome>(map, "outcome", where);
        var exitCode = _read.Int(map, "exit_code", where, 0, 255);
        var contains = TemplatedString(map, "stdout_contains", where);
        var notContains = TemplatedString(map, "stdout_not_contains", where);
        var matches = TemplatedString(map, "stdout_matches", where);
        if (matches is not null) CheckConditionRegex(map["stdout_matches"]!, matches, where, facts);

        var any = new List<Condition>();
        if (map["any"] is { } anyNode && _read.Sequence(anyNode, $"'any' in {where}") is { } branches)
        {
            if (branches.Items.Count == 0)
                _diagnostics.Error("missing-field", branches.Position, $"'any' in {where} is empty; list at least one condition", branches.Path);
            for (var i = 0; i < branches.Items.Count; i++)
                if (ReadCondition(branches.Items[i], $"branch {i + 1} of 'any' in {context}", forAction, facts) is { } branch) any.Add(branch);
        }

        var looksAtResult = outcome is not null || StdoutKeys.Any(k => map[k] is not null);
        var namesStep = map["step"] is not null || map["check"] is not null;
        if (looksAtResult && !namesStep)
            _diagnostics.Error("missing-field", map.Position,
                $"{where} says what to expect but not of which step: add 'step: NAME' (an action) or 'check: NAME' (a precondition or success criterion)", map.Path);
        else if (namesStep && !looksAtResult)
            _diagnostics.Error("missing-field", map.Position,
                $"{where} names a step but not what to expect of it: add 'outcome: succeeded|failed|skipped', 'exit_code', or a stdout_ test", map.Path);
        if (subject is { Kind: ConditionSubjectKind.Check } check && StdoutKeys.FirstOrDefault(k => map[k] is not null) is { } stdoutKey &&
            _stepNames.TryGetValue(check.Name, out var checkStep) && !checkStep.Fields.Contains("stdout"))
            _diagnostics.Error("bad-field", map.Find(stdoutKey)!.Key.Position,
                $"'{stdoutKey}' in {where} needs a 'run' check; check '{check.Name}' is not one, so only 'outcome' applies", map.Path);
        if (outcome == ConditionOutcome.Skipped && subject is { Kind: ConditionSubjectKind.Check })
            _diagnostics.Error("bad-value", map["outcome"]!.Position, $"'outcome: skipped' in {where} applies to actions; a check is never skipped", map["outcome"]!.Path);

        return new Condition(subject, outcome, exitCode, contains, notContains, matches, any, map.Position);
    }

    private ConditionSubject? ReadSubject(YamlMapping map, string where, bool forAction)
    {
        if (map["step"] is not null && map["check"] is not null)
        {
            _diagnostics.Error("bad-field", map.Find("check")!.Key.Position,
                $"{where} has both 'step' and 'check'; one condition looks at one step (use 'any' for several)", map.Path);
            return null;
        }
        var kind = map["step"] is not null ? ConditionSubjectKind.Step : ConditionSubjectKind.Check;
        var key = YamlNames.Of(kind);
        var name = _read.String(map, key, where);
        if (name is null) return null;
        var node = map[key]!;
        string[] sections = kind == ConditionSubjectKind.Step
            ? ["actions"]
            : forAction ? ["preconditions"] : ["preconditions", "success_criteria"];
        if (_stepNames.TryGetValue(name, out var step) && sections.Contains(step.Section)) return new ConditionSubject(kind, name);

        var candidates = _stepNames.Values.Where(s => sections.Contains(s.Section)).Select(s => s.Name);
        var what = kind == ConditionSubjectKind.Step
            ? forAction ? "an earlier action" : "an action of this skill"
            : forAction ? "a precondition (success criteria run after the actions)" : "a precondition or success criterion of this skill";
        var found = step is not null ? $"it is in {step.Section}" : forAction ? "no step of that name comes before it" : "there is no such step";
        _diagnostics.Error("unknown-step", node.Position, $"{key} '{name}' in {where} must name {what}; {found}", node.Path,
            Suggestions.Closest(name, candidates), name.Length);
        return null;
    }

    /// <summary>The pattern must compile; its named groups are the facts a finding reports, so they are snake_case like input names.</summary>
    private void CheckConditionRegex(YamlNode node, string pattern, string where, ISet<string> facts)
    {
        if (pattern.Contains("{{")) return;
        Regex regex;
        try { regex = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException e)
        {
            _diagnostics.Error("bad-regex", node.Position, $"'stdout_matches' in {where} is not a valid regular expression: {e.Message}", node.Path);
            return;
        }
        foreach (var group in regex.GetGroupNames().Where(g => !int.TryParse(g, out _)))
        {
            if (NodeReader.SnakeName().IsMatch(group)) facts.Add(group);
            else
                _diagnostics.Error("bad-name", node.Position,
                    $"group '{group}' in 'stdout_matches' of {where} is not a valid fact name: use lower_snake_case (facts fill recovery skills' inputs of the same name)",
                    node.Path);
        }
    }

    private IReadOnlyList<Finding> ReadFindings(YamlMapping spec)
    {
        var sequence = _read.Sequence(spec["findings"], "'findings' in spec");
        if (sequence is null) return [];
        var findings = new List<Finding>();
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var context = $"finding {i + 1}";
            var node = _read.Mapping(sequence.Items[i], context);
            if (node is null) continue;
            var name = _read.String(node, "name", context, required: true);
            if (_read.Matches(node["name"], name, NodeReader.KebabName(), "finding name", "use lower-kebab-case such as redis-out-of-memory"))
                context = $"finding '{name}'";
            _read.AllowOnly(node, context, "name", "summary", "when", "hypotheses", "severity", "description");
            if (name is not null && !seen.TryAdd(name, node["name"]!.Position.Line))
                _diagnostics.Error("duplicate-name", node["name"]!.Position,
                    $"finding name '{name}' is already used at line {seen[name]}; finding names are unique within a skill", node["name"]!.Path, length: name.Length);
            _read.String(node, "description", context);
            var facts = new HashSet<string>(StringComparer.Ordinal);
            var when = ReadCondition(_read.Required(node, "when", context), context, forAction: false, facts);
            var summary = _read.String(node, "summary", context, required: true);
            if (summary is not null && node["summary"] is YamlScalar summaryNode)
                CheckTemplate(summaryNode, allowSteps: false, facts: facts);
            var hypotheses = ReadIds(node, "hypotheses", context, required: true, "redis-out-of-memory");
            var severity = _read.Enum<FindingSeverity>(node, "severity", context) ?? FindingSeverity.Warning;
            if (name is not null && when is not null && summary is not null && hypotheses.Count > 0)
                findings.Add(new Finding(name, summary, when, hypotheses, severity, node.Position));
        }
        return findings;
    }

    /// <summary>A list of kebab-case hypothesis ids (<c>hypotheses:</c> of a finding, <c>remedies:</c> of a skill).</summary>
    private List<string> ReadIds(YamlMapping node, string key, string context, bool required, string example)
    {
        if (required) _read.Required(node, key, context);
        var ids = new List<string>();
        if (node[key] is not { } listNode || _read.Sequence(listNode, $"'{key}' in {context}") is not { } items) return ids;
        if (items.Items.Count == 0 && required)
            _diagnostics.Error("missing-field", items.Position, $"'{key}' in {context} is empty; name at least one hypothesis id such as {example}", items.Path);
        foreach (var item in items.Items)
        {
            var id = _read.String(item, $"an item of '{key}' in {context}");
            if (id is null || !_read.Matches(item, id, NodeReader.KebabName(), "hypothesis id", $"use lower-kebab-case such as {example}")) continue;
            if (ids.Contains(id))
                _diagnostics.Warning("duplicate-name", item.Position, $"hypothesis '{id}' is listed twice in '{key}' of {context}", item.Path);
            else ids.Add(id);
        }
        return ids;
    }

    private IReadOnlyList<string> ReadRemedies(YamlMapping spec, SkillMetadata metadata)
    {
        if (spec["remedies"] is null) return [];
        var remedies = ReadIds(spec, "remedies", "spec", required: false, "redis-out-of-memory");
        if (metadata.Stage != Stage.Recovery)
            _diagnostics.Warning("remedies-not-recovery", spec.Find("remedies")!.Key.Position,
                $"'remedies' belongs to recovery skills; this skill's stage is {YamlNames.Of(metadata.Stage)}, so a planner will not pick it to fix anything",
                "spec.remedies");
        return remedies;
    }
}
