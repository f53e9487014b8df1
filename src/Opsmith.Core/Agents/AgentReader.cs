using Opsmith.Core.Diagnostics;
using Opsmith.Core.Skills;
using Opsmith.Core.Text;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Agents;

/// <summary>
/// Reads <c>kind: Agent</c> and <c>kind: Environment</c> documents (docs/agent.md), reporting every problem with its
/// line and field. Paths in them are relative to the file and come back absolute; whether they exist is the caller's
/// question (Core reads no files).
/// </summary>
public static class AgentReader
{
    /// <summary>The spelling of the policy's autonomy levels (Opsmith.Policy AutonomyLevel); a test keeps them equal.</summary>
    public static readonly IReadOnlyList<string> AutonomyNames = ["observe", "recommend", "automate-safe", "automate-destructive"];

    private static readonly string[] InvariantKinds = ["skill", "http", "tcp", "promql"];

    public static AgentDefinition? ReadAgent(YamlMapping root, string file, string sourceText, DiagnosticBag diagnostics)
    {
        var read = new NodeReader(diagnostics);
        read.AllowOnly(root, "an agent", "apiVersion", "kind", "metadata", "spec");
        var (name, description) = ReadMetadata(read, root, "the agent");
        var spec = read.Mapping(read.Required(root, "spec", "the agent"), "'spec'");
        if (spec is null) return null;
        const string context = "the agent's spec";
        read.AllowOnly(spec, context, "environment", "autonomy", "skills", "interval", "invariants", "budgets", "schedule", "model_tier", "channels", "instructions");
        var environment = read.String(spec, "environment", context);
        var autonomy = read.String(spec, "autonomy", context) ?? "recommend";
        if (spec["autonomy"] is { } autonomyNode && !AutonomyNames.Contains(autonomy))
            diagnostics.Error("bad-value", autonomyNode.Position, $"'autonomy' in {context} must be one of {string.Join(", ", AutonomyNames)}, not '{NodeReader.Truncate(autonomy)}'",
                autonomyNode.Path, Suggestions.Closest(autonomy, AutonomyNames), Math.Max(1, autonomy.Length));
        var skills = read.StringList(spec, "skills", context);
        if (spec["skills"] is null)
            diagnostics.Error("missing-field", spec.Position, "the agent's spec is missing required field 'skills' (its allowlist: skill names or globs such as check-*)", "spec.skills");
        foreach (var (pattern, item) in skills.Zip(((spec["skills"] as YamlSequence)?.Items ?? []).Where(i => i is YamlScalar)))
            if (pattern.Length == 0 || pattern.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '*' or '?')))
                diagnostics.Error("bad-name", item.Position, $"skill pattern '{NodeReader.Truncate(pattern)}' is not a skill name or a glob of one (lower-kebab-case, * and ?)", item.Path);
        var interval = read.Duration(spec, "interval", context) ?? AgentDefinition.DefaultInterval;
        var invariants = ReadInvariants(read, spec["invariants"], sourceText);
        var budgets = ReadBudgets(read, spec["budgets"]);
        var schedule = read.String(spec, "schedule", context);
        if (schedule is not null && schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is not (5 or 6))
            diagnostics.Error("bad-value", spec["schedule"]!.Position, $"'schedule' in {context} must be a cron expression of 5 fields (minute hour day month weekday), not '{NodeReader.Truncate(schedule)}'",
                spec["schedule"]!.Path);
        var tier = read.Enum<ModelTier>(spec, "model_tier", context) ?? ModelTier.Standard;
        var channels = ReadChannels(read, spec["channels"]);
        var instructions = read.StringList(spec, "instructions", context);
        foreach (var (path, item) in instructions.Zip(((spec["instructions"] as YamlSequence)?.Items ?? []).Where(i => i is YamlScalar)))
            if (path.Trim().Length == 0)
                diagnostics.Error("bad-path", item.Position, "an entry of 'instructions' is empty; name an instructions file (an Agent Skill's SKILL.md)", item.Path);
        if (diagnostics.HasErrors) return null;
        return new AgentDefinition(name!, description, environment is null ? null : Relative(file, environment), autonomy, skills, interval, invariants,
            budgets, schedule, tier, channels, file)
        {
            Instructions = [.. instructions.Select(i => Relative(file, i))],
        };
    }

    public static EnvironmentDefinition? ReadEnvironment(YamlMapping root, string file, DiagnosticBag diagnostics)
    {
        var read = new NodeReader(diagnostics);
        read.AllowOnly(root, "an environment", "apiVersion", "kind", "metadata", "spec");
        var (name, _) = ReadMetadata(read, root, "the environment");
        var spec = read.Mapping(read.Required(root, "spec", "the environment"), "'spec'");
        if (spec is null) return null;
        const string context = "the environment's spec";
        read.AllowOnly(spec, context, "inventory", "prometheus", "data_resources", "channels");
        var inventory = read.String(spec, "inventory", context, required: true);
        var prometheus = read.String(spec, "prometheus", context);
        if (prometheus is not null && !prometheus.StartsWith("http://", StringComparison.Ordinal) && !prometheus.StartsWith("https://", StringComparison.Ordinal))
            diagnostics.Error("bad-url", spec["prometheus"]!.Position, $"'prometheus' in {context} must start with http:// or https://, not '{NodeReader.Truncate(prometheus)}'", spec["prometheus"]!.Path);
        var resources = new List<DataResource>();
        if (read.Sequence(spec["data_resources"], $"'data_resources' in {context}") is { } items)
            foreach (var item in items.Items)
            {
                if (read.Mapping(item, "an entry of 'data_resources'") is not { } entry) continue;
                const string where = "an entry of 'data_resources'";
                read.AllowOnly(entry, where, "host", "path", "kind");
                var host = read.String(entry, "host", where, required: true);
                var path = read.String(entry, "path", where, required: true);
                if (path is not null && !path.StartsWith('/'))
                    diagnostics.Error("bad-path", entry["path"]!.Position, $"'path' in {where} must be absolute, not '{NodeReader.Truncate(path)}'", entry["path"]!.Path);
                var kind = read.String(entry, "kind", where) ?? "database";
                if (host is not null && path is not null) resources.Add(new DataResource(host, path, kind));
            }
        var channels = ReadChannels(read, spec["channels"]);
        if (diagnostics.HasErrors) return null;
        return new EnvironmentDefinition(name!, Relative(file, inventory!), prometheus?.TrimEnd('/'), resources, channels, file);
    }

    private static (string? Name, string? Description) ReadMetadata(NodeReader read, YamlMapping root, string what)
    {
        var metadata = read.Mapping(read.Required(root, "metadata", what), "'metadata'");
        if (metadata is null) return (null, null);
        read.AllowOnly(metadata, "metadata", "name", "description");
        var name = read.String(metadata, "name", "metadata", required: true);
        read.Matches(metadata["name"], name, NodeReader.KebabName(), "name", "use lower-kebab-case such as lab-sre");
        return (name, read.String(metadata, "description", "metadata"));
    }

    private static List<Invariant> ReadInvariants(NodeReader read, YamlNode? node, string sourceText)
    {
        var list = new List<Invariant>();
        if (read.Sequence(node, "'invariants' in the agent's spec") is not { } items) return list;
        var names = new HashSet<string>();
        foreach (var item in items.Items)
        {
            if (read.Mapping(item, "an invariant") is not { } entry) continue;
            var context = "an invariant";
            var name = read.String(entry, "name", context, required: true);
            if (read.Matches(entry["name"], name, NodeReader.KebabName(), "invariant name", "use lower-kebab-case such as api-answers"))
            {
                context = $"invariant '{name}'";
                if (!names.Add(name!)) read.Diagnostics.Error("duplicate-name", entry["name"]!.Position, $"two invariants are named '{name}'; names must be unique", entry["name"]!.Path);
            }
            var kinds = InvariantKinds.Where(k => entry[k] is not null).ToList();
            if (kinds.Count != 1)
            {
                read.Diagnostics.Error(kinds.Count == 0 ? "missing-probe" : "several-probes", kinds.Count == 0 ? entry.Position : entry.Find(kinds[1])!.Key.Position,
                    kinds.Count == 0 ? $"{context} must say what to check: one of {string.Join(", ", InvariantKinds)}" : $"{context} has both '{kinds[0]}' and '{kinds[1]}'; an invariant checks one thing",
                    entry.Path);
                continue;
            }
            var kind = kinds[0];
            read.AllowOnly(entry, context, kind == "skill" ? ["name", "skill", "inputs", "hosts"] : ["name", kind, "hosts"]);
            var hosts = read.String(entry, "hosts", context);
            var line = entry.Position.Line;
            switch (kind)
            {
                case "skill":
                    var skill = read.String(entry, "skill", context);
                    read.Matches(entry["skill"], skill, NodeReader.KebabName(), "skill name", "name a catalog skill such as check-redis-health");
                    var inputs = new Dictionary<string, string>();
                    if (read.Mapping(entry["inputs"], $"'inputs' in {context}") is { } map)
                        foreach (var input in map.Entries)
                            if (read.String(input.Value, $"input '{input.Key.Value}' of {context}") is { } value) inputs[input.Key.Value] = value;
                    if (skill is not null) list.Add(new Invariant(name ?? "", InvariantKind.Skill, skill, inputs, null, null, null, null, hosts, line));
                    break;
                case "promql":
                    if (read.Mapping(entry["promql"], $"'promql' in {context}") is not { } promql) break;
                    var where = $"'promql' in {context}";
                    read.AllowOnly(promql, where, "query", "max", "min");
                    var query = read.String(promql, "query", where, required: true);
                    var max = read.Number(promql["max"], $"'max' in {where}");
                    var min = read.Number(promql["min"], $"'min' in {where}");
                    if (promql["max"] is null && promql["min"] is null)
                        read.Diagnostics.Error("missing-field", promql.Position, $"{where} needs a threshold: max (red above it) or min (red below it)", promql.Path);
                    if (query is not null) list.Add(new Invariant(name ?? "", InvariantKind.Promql, null, new Dictionary<string, string>(), null, query, max, min, hosts, line));
                    break;
                default:
                    var probe = SkillReader.ReadStandaloneCheck(read.Mapping(entry[kind], $"'{kind}' in {context}"), kind, context, sourceText, read.Diagnostics);
                    if (probe is not null)
                        list.Add(new Invariant(name ?? "", kind == "http" ? InvariantKind.Http : InvariantKind.Tcp, null, new Dictionary<string, string>(), probe, null, null, null, hosts, line));
                    break;
            }
        }
        return list;
    }

    private static AgentBudgets ReadBudgets(NodeReader read, YamlNode? node)
    {
        if (read.Mapping(node, "'budgets' in the agent's spec") is not { } map) return AgentBudgets.None;
        const string context = "'budgets'";
        read.AllowOnly(map, context, "runs_per_hour", "iterations", "tokens_per_session", "tokens_per_call");
        return new AgentBudgets(read.Int(map, "runs_per_hour", context, min: 1), read.Int(map, "iterations", context, min: 1),
            read.Int(map, "tokens_per_session", context, min: 1), read.Int(map, "tokens_per_call", context, min: 1));
    }

    private static List<NotificationChannel> ReadChannels(NodeReader read, YamlNode? node)
    {
        var list = new List<NotificationChannel>();
        if (read.Sequence(node, "'channels'") is not { } items) return list;
        foreach (var item in items.Items)
        {
            if (read.Mapping(item, "a channel") is not { } entry) continue;
            const string context = "a channel";
            read.AllowOnly(entry, context, "type", "url", "url_env");
            var type = read.String(entry, "type", context, required: true);
            if (type is not null && type != "webhook")
                read.Diagnostics.Error("bad-value", entry["type"]!.Position, $"'type' in {context} must be webhook, not '{NodeReader.Truncate(type)}'", entry["type"]!.Path,
                    Suggestions.Closest(type, ["webhook"]));
            var url = read.String(entry, "url", context);
            var urlEnv = read.String(entry, "url_env", context);
            if ((url is null) == (urlEnv is null))
                read.Diagnostics.Error("missing-field", entry.Position, $"{context} needs exactly one of url or url_env (url_env names an environment variable, for URLs that hold a secret)", entry.Path);
            if (type is not null) list.Add(new NotificationChannel(type, url, urlEnv));
        }
        return list;
    }

    private static string Relative(string file, string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file)) ?? "/", path));
}
