using Opsmith.Core.Diagnostics;
using Opsmith.Core.Yaml;

namespace Opsmith.Lab.Bench;

/// <summary>A skill an agent script runs, with inputs besides <c>host</c>.</summary>
/// <param name="Group">Detection skills only: run it only on hosts of this inventory group (such as db).</param>
/// <param name="When">Mitigation only: fault parameters that must match (such as service: nginx).</param>
/// <param name="Name">Detection skills: the name <c>diagnose</c> refers to (default: the skill file's name).</param>
public sealed record ScriptedSkill(string Name, string Skill, IReadOnlyDictionary<string, string> Inputs, string? Group,
    IReadOnlyDictionary<string, string> When, string? Fault);

/// <summary>
/// An agent script (<c>kind: AgentScript</c>): read-only <c>detect</c> skills run on every node (a failed one
/// is an anomaly on that node), a <c>diagnose</c> map from the first failing skill to a fault type, and a
/// <c>mitigate</c> list naming the recovery skill for each fault type.
/// </summary>
public sealed record AgentScript(string Path, IReadOnlyList<ScriptedSkill> Detect, IReadOnlyDictionary<string, string> Diagnose,
    IReadOnlyList<ScriptedSkill> Mitigate)
{
    public static AgentScript? Read(string path, string text, DiagnosticBag diagnostics)
    {
        var root = YamlDocumentReader.Read(text, diagnostics);
        if (root is null) return null;
        var read = new NodeReader(diagnostics);
        var mapping = read.Mapping(root, "an agent script");
        if (mapping is null) return null;
        const string context = "the agent script";
        read.AllowOnly(mapping, context, "apiVersion", "kind", "description", "detect", "diagnose", "mitigate");
        var kind = read.String(mapping, "kind", context, required: true);
        if (kind is not null && kind != "AgentScript")
            diagnostics.Error("bad-kind", mapping["kind"]!.Position, $"kind is '{kind}', but an agent script has kind 'AgentScript'", "kind");
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var detect = Skills(read, mapping["detect"], "detect", folder, allowGroup: true);
        var mitigate = Skills(read, mapping["mitigate"], "mitigate", folder, allowGroup: false);
        var diagnose = new Dictionary<string, string>();
        if (read.Mapping(mapping["diagnose"], "'diagnose'") is { } map)
            foreach (var entry in map.Entries)
                if (read.String(entry.Value, $"diagnose '{entry.Key.Value}'") is { } fault) diagnose[entry.Key.Value] = fault;
        return diagnostics.HasErrors ? null : new AgentScript(path, detect, diagnose, mitigate);
    }

    private static List<ScriptedSkill> Skills(NodeReader read, YamlNode? node, string section, string folder, bool allowGroup)
    {
        var list = new List<ScriptedSkill>();
        if (read.Sequence(node, $"'{section}'") is not { } items) return list;
        foreach (var item in items.Items)
        {
            if (read.Mapping(item, $"an entry of '{section}'") is not { } entry) continue;
            var context = $"an entry of '{section}'";
            if (allowGroup) read.AllowOnly(entry, context, "name", "skill", "inputs", "group");
            else read.AllowOnly(entry, context, "fault", "when", "skill", "inputs");
            var skill = read.String(entry, "skill", context, required: true);
            var fault = allowGroup ? null : read.String(entry, "fault", context, required: true);
            if (skill is not null)
            {
                var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, skill));
                if (!File.Exists(full))
                    read.Diagnostics.Error("missing-file", entry["skill"]!.Position, $"skill file '{skill}' does not exist (looked for {full})", $"{section}.skill");
                skill = full;
            }
            var name = (allowGroup ? read.String(entry, "name", context) : null) ?? System.IO.Path.GetFileNameWithoutExtension(skill ?? "");
            list.Add(new ScriptedSkill(name, skill ?? "", Strings(read, entry["inputs"], "inputs"), allowGroup ? read.String(entry, "group", context) : null,
                Strings(read, entry["when"], "when"), fault));
        }
        return list;
    }

    private static Dictionary<string, string> Strings(NodeReader read, YamlNode? node, string what)
    {
        var values = new Dictionary<string, string>();
        if (read.Mapping(node, $"'{what}'") is { } map)
            foreach (var entry in map.Entries)
                if (read.String(entry.Value, $"'{what}.{entry.Key.Value}'") is { } value) values[entry.Key.Value] = value;
        return values;
    }
}

/// <summary>
/// The scripted baseline. Detection, localization and diagnosis come from running the script's read-only
/// detect skills on every node. Mitigation runs the recovery skill the script names for the injected fault:
/// it is told the fault type (an oracle diagnosis), so it scores the catalog's recovery skills, not reasoning.
/// </summary>
public sealed class ScriptAgent(AgentScript script, IReadOnlyDictionary<string, (string Fault, IReadOnlyDictionary<string, string> Params)> instances,
    IReadOnlyDictionary<string, IReadOnlyList<string>> groups) : IBenchAgent
{
    public string Name => $"script:{script.Path}";

    public async Task<AgentOutcome> RunAsync(AgentTask task, AgentActions actions, CancellationToken cancellationToken)
    {
        var tally = new AgentTally();
        if (task.Task == BenchTaskType.Mitigation)
        {
            var (fault, parameters) = instances[task.InstanceId];
            var step = script.Mitigate.FirstOrDefault(m => m.Fault == fault && m.When.All(w => parameters.TryGetValue(w.Key, out var v) && v == w.Value));
            if (step is null || task.Host is null)
                return new AgentOutcome(true, null, null, null, null, 0, 0, false, null, $"the script has no recovery skill for {fault}");
            var run = tally.Add(await actions.RunSkillAsync(step.Skill, task.InventoryPath, task.Host, step.Inputs, execute: true, task.TimeLimit, cancellationToken), changes: true);
            return new AgentOutcome(!run.Succeeded, null, null, null, null, tally.Steps, tally.Commands, tally.Changed, null,
                $"{run.Skill}: {run.Verdict}{(run.Error is null ? "" : " — " + run.Error)}");
        }

        string? failingHost = null;
        string? failingSkill = null;
        foreach (var node in task.Nodes)
        {
            foreach (var check in script.Detect)
            {
                if (check.Group is not null && !(groups.TryGetValue(check.Group, out var members) && members.Contains(node))) continue;
                var run = tally.Add(await actions.RunSkillAsync(check.Skill, task.InventoryPath, node, check.Inputs, execute: true, task.TimeLimit, cancellationToken), changes: false);
                if (run.Succeeded) continue;
                tally.Detected();
                failingHost = node;
                failingSkill = check.Name;
                break;
            }
            if (failingHost is not null) break;
        }
        var diagnosis = failingSkill is not null && script.Diagnose.TryGetValue(failingSkill, out var named) ? named : null;
        return new AgentOutcome(false, failingHost is not null, failingHost, diagnosis, tally.DetectedAfter, tally.Steps, tally.Commands, tally.Changed, null,
            failingSkill is null ? "every detect skill passed on every node" : $"{failingSkill} failed on {failingHost}");
    }
}
