using System.Globalization;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Skills;
using Opsmith.Core.Text;
using Opsmith.Core.Yaml;
using Opsmith.Llm.Tiers;
using Opsmith.Policy.Decisions;

namespace Opsmith.Application.Configuration;

/// <summary>
/// Reads <see cref="OpsmithOptions"/>: defaults, then the configuration file (<c>opsmith.yaml</c> in the
/// configuration folder, or the file <c>OPSMITH_CONFIG</c> names), then environment variables, then flags.
/// Every problem in every source is collected and reported together; nothing is half-applied.
/// </summary>
public static class OptionsLoader
{
    public const string Kind = "Configuration";

    /// <summary>Environment variables that set a key, and the key they set (docs/configuration.md).</summary>
    public static readonly IReadOnlyList<(string Variable, string Key)> Variables =
    [
        ("OPSMITH_AUDIT_POSTGRES", "audit.postgres"),
        ("OPSMITH_STORE_FOLDER", "store.folder"),
        ("OPSMITH_AUTONOMY", "policy.autonomy"),
        ("OPSMITH_MAX_RUNS_PER_HOUR", "policy.max_runs_per_hour"),
        ("OPSMITH_MAX_RUNS_PER_HOUR_PER_SKILL", "policy.max_runs_per_hour_per_skill"),
        ("OPSMITH_RUN_BUDGET", "policy.run_budget"),
        ("OPSMITH_APPROVAL_EXPIRY", "policy.approval_expiry"),
        ("OPSMITH_APPROVAL_ON_EXPIRY", "policy.approval_on_expiry"),
        ("OPSMITH_MODEL_TIERS", "models"),
    ];

    private const long MaxFileBytes = 256 * 1024;

    public static (OpsmithOptions? Options, IReadOnlyList<ConfigurationIssue> Issues) Load(OptionOverrides? flags = null) =>
        Load(Environment.GetEnvironmentVariable, flags ?? OptionOverrides.None);

    public static (OpsmithOptions? Options, IReadOnlyList<ConfigurationIssue> Issues) Load(Func<string, string?> environment, OptionOverrides flags)
    {
        var paths = OpsmithPaths.From(environment);
        var issues = new List<ConfigurationIssue>();
        var values = new Dictionary<string, (string Value, string Source, int? Line)>();
        var readOnly = new Dictionary<string, string>();
        var inventory = new DataInventoryText();
        var models = new ModelTiersText();

        var file = environment("OPSMITH_CONFIG") is { Length: > 0 } named ? Path.GetFullPath(named) : paths.ConfigFile;
        var fileRead = ReadFile(file, explicitlyNamed: environment("OPSMITH_CONFIG") is { Length: > 0 }, values, readOnly, inventory, models, issues);

        foreach (var (variable, key) in Variables)
            if (environment(variable) is { Length: > 0 } value) values[key] = (value, $"environment variable {variable}", null);

        var options = OpsmithOptions.Defaults(paths) with
        {
            ConfigFile = fileRead ? file : null,
            ReadOnlyPrograms = readOnly,
            DataInventory = inventory.ToInventory(),
            Models = models.Tiers,
        };
        var policy = options.Policy;
        string? postgres = null;
        string? storeFolder = null;
        foreach (var (key, (value, source, line)) in values)
        {
            void Problem(string message) => issues.Add(new ConfigurationIssue(source, line, key, message));
            switch (key)
            {
                case "audit.postgres":
                    postgres = value;
                    break;
                case "models":
                    // A path (from the file's models: or OPSMITH_MODEL_TIERS) to a kind: ModelTiers document.
                    var tiersFile = Path.IsPathRooted(value) || line is null || !fileRead ? Path.GetFullPath(value) : Path.Combine(Path.GetDirectoryName(file)!, value);
                    options = options with { Models = ReadTiersFile(tiersFile, source, issues) };
                    break;
                case "store.folder":
                    if (!Path.IsPathRooted(value)) Problem($"the shared store folder must be an absolute path, not '{value}'");
                    else if (!Directory.Exists(value)) Problem($"the shared store folder '{value}' does not exist or is not a folder; create it (docs/configuration.md, \"A store for a team\")");
                    else storeFolder = Path.GetFullPath(value);
                    break;
                case "policy.autonomy":
                    if (ParseAutonomy(value) is { } autonomy) policy = policy with { Autonomy = autonomy };
                    else Problem($"autonomy must be observe, recommend, automate-safe or automate-destructive, not '{value}'");
                    break;
                case "policy.max_runs_per_hour":
                    if (Limit(value, Problem) is var (ok, perHour) && ok) policy = policy with { MaxRunsPerHour = perHour };
                    break;
                case "policy.max_runs_per_hour_per_skill":
                    if (Limit(value, Problem) is var (ok2, perSkill) && ok2) policy = policy with { MaxRunsPerHourPerSkill = perSkill };
                    break;
                case "policy.run_budget":
                    if (value == "none") policy = policy with { RunBudget = null };
                    else if (PolicySettings.TryParseRunBudget(value, out var budget, out var budgetProblem)) policy = policy with { RunBudget = budget };
                    else Problem(budgetProblem);
                    break;
                case "policy.approval_expiry":
                    if (PolicySettings.TryParseApprovalExpiry(value, out var expiry, out var expiryProblem)) policy = policy with { ApprovalExpiry = expiry };
                    else Problem($"approval expiry {expiryProblem}");
                    break;
                case "policy.approval_on_expiry":
                    if (value == "cancel") policy = policy with { OnExpiry = ExpiryOutcome.Cancel };
                    else if (value == "deny") policy = policy with { OnExpiry = ExpiryOutcome.Deny };
                    else Problem($"what happens to an unanswered approval must be cancel or deny, not '{value}'");
                    break;
            }
        }
        if (flags.Autonomy is { } flagged) policy = policy with { Autonomy = flagged };
        if (issues.Count == 0)
            foreach (var problem in policy.Validate()) issues.Add(new ConfigurationIssue("the policy", null, "policy", problem));
        if (issues.Count > 0) return (null, issues);
        return (options with { Policy = policy, AuditPostgres = string.IsNullOrWhiteSpace(postgres) ? null : postgres, StoreFolder = storeFolder }, issues);
    }

    public static AutonomyLevel? ParseAutonomy(string text) => text switch
    {
        "observe" => AutonomyLevel.Observe,
        "recommend" => AutonomyLevel.Recommend,
        "automate-safe" => AutonomyLevel.AutomateSafe,
        "automate-destructive" => AutonomyLevel.AutomateDestructive,
        _ => null,
    };

    /// <summary>
    /// A rate limit is a whole number of runs (<see cref="PolicySettings.TryParseRunLimit"/>: zero is refused, it
    /// used to mean "no limit", the opposite of what it reads as), or <c>none</c> to have no limit, said in words.
    /// </summary>
    private static (bool Ok, int? Value) Limit(string text, Action<string> problem)
    {
        if (text == "none") return (true, null);
        if (PolicySettings.TryParseRunLimit(text, out var runs, out var why)) return (true, runs);
        problem($"{why}; write none for no limit");
        return (false, null);
    }

    /// <summary>A <c>kind: ModelTiers</c> file named by the configuration or <c>OPSMITH_MODEL_TIERS</c>; its problems carry its own lines.</summary>
    private static ModelTiers ReadTiersFile(string file, string namedBy, List<ConfigurationIssue> issues)
    {
        string text;
        try
        {
            if (FileKinds.Of(file) != Core.Inventories.FileKind.RegularFile)
            {
                issues.Add(new ConfigurationIssue(file, null, "", $"is not a readable model tiers file ({namedBy} names it)"));
                return ModelTiers.None;
            }
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            issues.Add(new ConfigurationIssue(file, null, "", $"cannot be read: {e.Message}"));
            return ModelTiers.None;
        }
        var diagnostics = new DiagnosticBag(file);
        var tiers = ModelTiersReader.ReadDocument(text, diagnostics);
        foreach (var d in diagnostics.Items.Where(d => d.IsError)) issues.Add(Issue(file, d));
        return tiers;
    }

    private static ConfigurationIssue Issue(string file, Diagnostic d) =>
        new(file, d.Position.Line, d.Path ?? "", d.Message + (d.Suggestion is { } s && !d.Message.Contains("did you mean", StringComparison.Ordinal) ? $"; did you mean '{s}'?" : ""));

    private static bool ReadFile(string file, bool explicitlyNamed, Dictionary<string, (string, string, int?)> values,
        Dictionary<string, string> readOnly, DataInventoryText inventory, ModelTiersText models, List<ConfigurationIssue> issues)
    {
        string text;
        try
        {
            if (Directory.Exists(file))
            {
                issues.Add(new ConfigurationIssue(file, null, "", "is a folder; the configuration is a YAML file"));
                return false;
            }
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                if (explicitlyNamed) issues.Add(new ConfigurationIssue(file, null, "", "does not exist (OPSMITH_CONFIG names it)"));
                return false;
            }
            if (info.Length > MaxFileBytes)
            {
                issues.Add(new ConfigurationIssue(file, null, "", $"is {info.Length} bytes; a configuration file is at most {MaxFileBytes / 1024} KiB"));
                return false;
            }
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            issues.Add(new ConfigurationIssue(file, null, "", $"cannot be read: {e.Message}"));
            return false;
        }

        var diagnostics = new DiagnosticBag(file);
        Read(text, diagnostics, values, readOnly, inventory, models, file);
        foreach (var d in diagnostics.Items.Where(d => d.IsError)) issues.Add(Issue(file, d));
        return true;
    }

    /// <summary>The file's keys (docs/configuration.md), each remembered with its line.</summary>
    internal static void Read(string text, DiagnosticBag diagnostics, Dictionary<string, (string, string, int?)> values,
        Dictionary<string, string> readOnly, DataInventoryText inventory, ModelTiersText models, string source)
    {
        var root = YamlDocumentReader.Read(text, diagnostics);
        if (root is null) return;
        var read = new NodeReader(diagnostics);
        var top = read.Mapping(root, "the configuration");
        if (top is null) return;
        read.AllowOnly(top, "the configuration", "apiVersion", "kind", "audit", "store", "policy", "classifier", "data_inventory", "models");
        if (read.String(top, "apiVersion", "the configuration", required: true) is { } api && api != SkillReader.ApiVersion)
            diagnostics.Error("bad-api-version", top["apiVersion"]!.Position, $"apiVersion is '{api}'; this Opsmith reads '{SkillReader.ApiVersion}'", "apiVersion");
        if (read.String(top, "kind", "the configuration", required: true) is { } kind && kind != Kind)
            diagnostics.Error("bad-kind", top["kind"]!.Position, $"kind is '{kind}', but a configuration file has kind '{Kind}'", "kind");

        void Section(string name, params string[] keys)
        {
            if (read.Mapping(top[name], $"'{name}'") is not { } section) return;
            read.AllowOnly(section, $"'{name}'", keys);
            foreach (var entry in section.Entries.Where(e => keys.Contains(e.Key.Value)))
            {
                if (entry.Value is YamlScalar { IsNull: false } scalar)
                    values[$"{name}.{entry.Key.Value}"] = (scalar.Value, source, scalar.Position.Line);
                else
                    diagnostics.Error("bad-type", entry.Value.Position, $"'{name}.{entry.Key.Value}' must be a single value", entry.Value.Path);
            }
        }
        Section("audit", "postgres");
        Section("store", "folder");
        Section("policy", "autonomy", "max_runs_per_hour", "max_runs_per_hour_per_skill", "run_budget", "approval_expiry", "approval_on_expiry");
        if (read.Mapping(top["classifier"], "'classifier'") is { } classifier)
        {
            read.AllowOnly(classifier, "'classifier'", "read_only_programs");
            if (read.Mapping(classifier["read_only_programs"], "'classifier.read_only_programs'") is { } programs)
                foreach (var entry in programs.Entries)
                {
                    var reason = read.String(entry.Value, $"the reason for read-only program '{entry.Key.Value}'");
                    if (string.IsNullOrWhiteSpace(reason))
                        diagnostics.Error("missing-field", entry.Key.Position, $"read-only program '{entry.Key.Value}' needs a reason: why does it only read?", entry.Key.Path);
                    else readOnly[entry.Key.Value] = reason;
                }
        }
        if (read.Mapping(top["data_inventory"], "'data_inventory'") is { } data) ReadDataInventory(read, diagnostics, data, inventory);
        switch (top["models"])
        {
            case YamlScalar { IsNull: false } path:
                values["models"] = (path.Value, source, path.Position.Line);
                break;
            case YamlMapping tiers:
                models.Tiers = ModelTiersReader.ReadTiers(read, tiers, "models");
                break;
            case { } other:
                diagnostics.Error("bad-type", other.Position, "'models' is a mapping of tiers (fast, standard, reasoning) or the path of a kind: ModelTiers file", other.Path);
                break;
        }
    }

    /// <summary>The <c>models:</c> tiers as they are read from the configuration file.</summary>
    internal sealed class ModelTiersText
    {
        public ModelTiers Tiers { get; set; } = ModelTiers.None;
    }

    /// <summary>
    /// <c>data_inventory:</c> — where this environment keeps data that cannot be recreated (docs/policy.md). Each
    /// entry is checked here, with its line, so the classifier only ever sees absolute directories, plain names and ports.
    /// </summary>
    private static void ReadDataInventory(NodeReader read, DiagnosticBag diagnostics, YamlMapping data, DataInventoryText inventory)
    {
        const string context = "'data_inventory'";
        read.AllowOnly(data, context, "data_directories", "databases", "buckets", "volumes", "kubernetes_kinds", "datastore_ports");
        void Names(string key, List<string> into, Func<string, string?> problem)
        {
            if (data[key] is not { } node || read.Sequence(node, $"'data_inventory.{key}'") is not { } items) return;
            foreach (var item in items.Items)
            {
                if (read.String(item, $"an item of 'data_inventory.{key}'") is not { } text) continue;
                if (problem(text.Trim()) is { } why) diagnostics.Error("bad-value", item.Position, $"'{text}' in data_inventory.{key} {why}", item.Path);
                else into.Add(text.Trim().TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : text.Trim());
            }
        }
        static string? Name(string text) =>
            text.Length == 0 ? "is empty"
            : text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '*' or '?') ? "must be a plain name (no spaces, slashes or wildcards)"
            : null;
        Names("data_directories", inventory.Directories, text =>
            !text.StartsWith('/') ? "must be an absolute directory (it starts with /)"
            : text.TrimEnd('/').Length == 0 ? "is /, the whole filesystem; list the directories that hold data"
            : text.Any(c => char.IsControl(c) || c is '*' or '?' or '$') ? "must be a plain path (no wildcards or variables)"
            : null);
        Names("databases", inventory.Databases, Name);
        Names("buckets", inventory.Buckets, text => Name(text.Contains("://", StringComparison.Ordinal) ? "/" : text) is { } why
            ? text.Contains("://", StringComparison.Ordinal) ? "must be the bucket's name without s3:// or gs://" : why
            : null);
        Names("volumes", inventory.Volumes, Name);
        Names("kubernetes_kinds", inventory.KubernetesKinds, Name);
        if (data["datastore_ports"] is { } ports && read.Sequence(ports, "'data_inventory.datastore_ports'") is { } portItems)
            foreach (var item in portItems.Items)
            {
                if (item is YamlScalar { IsNull: false } scalar && int.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) &&
                    port is >= 1 and <= 65535)
                    inventory.Ports.Add(port);
                else
                    diagnostics.Error("bad-value", item.Position, "a datastore port is a whole number from 1 to 65535", item.Path);
            }
    }

    /// <summary>The data inventory as it is read, before it becomes the classifier's record.</summary>
    internal sealed class DataInventoryText
    {
        public List<string> Directories { get; } = [];
        public List<string> Databases { get; } = [];
        public List<string> Buckets { get; } = [];
        public List<string> Volumes { get; } = [];
        public List<string> KubernetesKinds { get; } = [];
        public List<int> Ports { get; } = [];

        public Opsmith.Policy.Classification.DataInventory ToInventory() =>
            new(Directories.Distinct().ToList(), Databases.Distinct().ToList(), Buckets.Distinct().ToList(), Volumes.Distinct().ToList(),
                KubernetesKinds.Distinct().ToList(), Ports.Distinct().ToList());
    }
}
