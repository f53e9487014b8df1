using System.Security.Cryptography;
using System.Text;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Skills;

/// <summary>
/// Reads one skill document into a <see cref="Skill"/>, reporting every problem it finds: schema errors,
/// did-you-mean for misspelt keys and values, template references, names, risk and rollback rules.
/// Returns a skill only when there are no errors.
/// </summary>
public sealed partial class SkillReader
{
    public const string ApiVersion = "opsmith/v1";

    private readonly NodeReader _read;
    private readonly DiagnosticBag _diagnostics;
    private readonly ScalarLocator _locator;
    private readonly Dictionary<string, StepName> _stepNames = new();
    private readonly HashSet<string> _usedInputs = [];
    private IReadOnlyList<InputDefinition> _inputs = [];
    private RiskTier _skillRisk = RiskTier.Read;

    private SkillReader(DiagnosticBag diagnostics, string sourceText)
    {
        _diagnostics = diagnostics;
        _read = new NodeReader(diagnostics);
        _locator = new ScalarLocator(sourceText);
    }

    /// <summary>A step name seen so far, where, in which section, and what its result offers to templates.</summary>
    private sealed record StepName(string Name, string Section, SourcePosition Position, IReadOnlyList<string> Fields);

    public static Skill? Read(YamlMapping root, string sourceText, DiagnosticBag diagnostics) =>
        ReadWithCommands(root, sourceText, diagnostics).Skill;

    /// <summary>Reads the skill and also returns its shell commands as written, for linters.</summary>
    public static (Skill? Skill, IReadOnlyList<CommandSource> Commands) ReadWithCommands(
        YamlMapping root, string sourceText, DiagnosticBag diagnostics)
    {
        var reader = new SkillReader(diagnostics, sourceText);
        var skill = reader.ReadSkill(root, sourceText);
        return (diagnostics.HasErrors ? null : skill, reader.Commands);
    }

    private Skill ReadSkill(YamlMapping root, string sourceText)
    {
        _read.AllowOnly(root, "a skill", "apiVersion", "kind", "metadata", "spec");
        var metadata = ReadMetadata(_read.Mapping(_read.Required(root, "metadata", "the skill"), "'metadata'"));
        var spec = ReadSpec(_read.Mapping(_read.Required(root, "spec", "the skill"), "'spec'"), metadata);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sourceText)));
        return new Skill(metadata, spec, _diagnostics.File, hash);
    }

    private SkillMetadata ReadMetadata(YamlMapping? node)
    {
        if (node is null) return new SkillMetadata("", "", "", Stage.Detection, null, [], 1);
        const string context = "metadata";
        _read.AllowOnly(node, context, "name", "title", "description", "stage", "category", "tags", "version", "owner");
        var name = _read.String(node, "name", context, required: true);
        _read.Matches(node["name"], name, NodeReader.KebabName(), "skill name", "use lower-kebab-case such as restart-nginx");
        var title = _read.String(node, "title", context, required: true);
        var description = _read.String(node, "description", context, required: true);
        var stage = _read.Enum<Stage>(node, "stage", context, required: true);
        var tags = _read.StringList(node, "tags", context);
        var version = _read.Int(node, "version", context, min: 1) ?? 1;
        _read.String(node, "owner", context);
        foreach (var key in new[] { "name", "title", "description" })
        {
            if (node[key] is YamlScalar scalar && scalar.Value.Contains("{{"))
                _diagnostics.Error("template-in-metadata", scalar.Position,
                    $"metadata '{key}' is not a template; it is shown as written", scalar.Path);
        }
        return new SkillMetadata(name ?? "", title ?? "", description ?? "", stage ?? Stage.Detection,
            _read.String(node, "category", context), tags, version);
    }

    private SkillSpec ReadSpec(YamlMapping? node, SkillMetadata metadata)
    {
        if (node is null)
            return new SkillSpec([], "", RiskTier.Read, [], [], [], RollbackPlan.Missing, [], null);
        const string context = "spec";
        _read.AllowOnly(node, context, "inputs", "targets", "risk", "preconditions", "actions", "success_criteria",
            "rollback", "outputs", "cooldown", "read_only_programs", "steady_state", "findings", "remedies", "via");

        _inputs = ReadInputs(_read.Mapping(node["inputs"], "'inputs' in spec"));
        var targets = _read.String(node, "targets", context, required: true) ?? "";
        if (node["targets"] is YamlScalar { IsNull: false } emptyTargets && string.IsNullOrWhiteSpace(targets))
            _diagnostics.Error("missing-field", emptyTargets.Position, "'targets' in spec is empty; name a host, a group or all", emptyTargets.Path);
        if (node["targets"] is YamlScalar targetsNode) CheckTemplate(targetsNode, allowSteps: false, allowTarget: false);
        var risk = _read.Enum<RiskTier>(node, "risk", context, required: true);

        var preconditions = ReadChecks(node, "preconditions");
        _skillRisk = risk ?? RiskTier.Read;
        var actions = ReadActions(node, _skillRisk);
        var successCriteria = ReadChecks(node, "success_criteria");
        var steadyState = ReadChecks(node, "steady_state");
        var rollback = ReadRollback(node);
        var outputs = ReadOutputs(_read.Mapping(node["outputs"], "'outputs' in spec"));
        var cooldown = _read.Duration(node, "cooldown", context);
        var readOnly = ReadReadOnlyPrograms(_read.Mapping(node["read_only_programs"], "'read_only_programs' in spec"));
        var findings = ReadFindings(node);
        var remedies = ReadRemedies(node, metadata);

        var spec = new SkillSpec(_inputs, targets, risk ?? RiskTier.Read, preconditions, actions, successCriteria,
            rollback, outputs, cooldown, readOnly, steadyState, findings, remedies) { Via = _read.Enum<Transport>(node, "via", context) ?? Transport.Connection };
        if (risk is not null) CheckRisk(node, spec, metadata);
        WarnUnusedInputs();
        return spec;
    }

    /// <summary><c>read_only_programs: {mytool: "why it only reads"}</c>: a reason is required for each.</summary>
    private Dictionary<string, string> ReadReadOnlyPrograms(YamlMapping? node)
    {
        var programs = new Dictionary<string, string>();
        if (node is null) return programs;
        foreach (var entry in node.Entries)
        {
            var reason = _read.String(entry.Value, $"the reason for read-only program '{entry.Key.Value}'");
            if (string.IsNullOrWhiteSpace(reason))
                _diagnostics.Error("missing-field", entry.Key.Position,
                    $"read-only program '{entry.Key.Value}' needs a reason: why does it only read?", entry.Key.Path);
            else programs[entry.Key.Value] = reason;
        }
        return programs;
    }

    private void CheckRisk(YamlMapping specNode, SkillSpec spec, SkillMetadata metadata)
    {
        var riskNode = specNode["risk"]!;
        var highest = spec.Actions.Count == 0 ? RiskTier.Read : spec.Actions.Max(a => a.Risk);
        if (highest > spec.Risk)
        {
            var action = spec.Actions.First(a => a.Risk == highest);
            _diagnostics.Error("risk-understated", riskNode.Position,
                $"skill risk is '{YamlNames.Of(spec.Risk)}' but action '{action.Name}' is '{YamlNames.Of(highest)}'; a skill's risk is the highest risk of its actions",
                riskNode.Path, YamlNames.Of(highest));
        }
        else if (highest < spec.Risk && spec.Actions.Count > 0 && spec.Actions.All(a => a.RiskDeclared))
        {
            _diagnostics.Warning("risk-overstated", riskNode.Position,
                $"skill risk is '{YamlNames.Of(spec.Risk)}' but no action is above '{YamlNames.Of(highest)}'",
                riskNode.Path, YamlNames.Of(highest));
        }

        if (spec.Risk > RiskTier.Read)
        {
            if (spec.SuccessCriteria.Count == 0)
                _diagnostics.Error("missing-success-criteria", riskNode.Position,
                    $"a skill whose risk is '{YamlNames.Of(spec.Risk)}' must say how to tell it worked: add success_criteria",
                    "spec.success_criteria");
            if (spec.Rollback.IsMissing && !RollbackHasErrors(specNode))
                _diagnostics.Error("missing-rollback", riskNode.Position,
                    $"a skill whose risk is '{YamlNames.Of(spec.Risk)}' must have rollback steps, or 'rollback: {{none: true, reason: ...}}' saying why there is nothing to undo",
                    "spec.rollback");
        }
        if (spec.Risk > RiskTier.Read && metadata.Stage is Stage.Detection or Stage.Diagnosis or Stage.Verification)
            _diagnostics.Warning("stage-mutates", riskNode.Position,
                $"a {YamlNames.Of(metadata.Stage)} skill should only read, but its risk is '{YamlNames.Of(spec.Risk)}'", riskNode.Path);
    }

    /// <summary>A rollback that is present but broken already has its own error; an absent or empty one does not.</summary>
    private bool RollbackHasErrors(YamlMapping specNode) =>
        specNode["rollback"] is { } node && _diagnostics.Items.Any(d => d.Path is { } path && path.StartsWith(node.Path, StringComparison.Ordinal) && d.IsError);

    private void WarnUnusedInputs()
    {
        foreach (var input in _inputs.Where(i => !_usedInputs.Contains(i.Name)))
            _diagnostics.Warning("unused-input", input.Position, $"input '{input.Name}' is declared but never used",
                $"spec.inputs.{input.Name}");
    }

    /// <summary>Step names are unique across the whole skill so that templates and reports name one step.</summary>
    private void RegisterStep(YamlMapping stepNode, string? name, string section, IReadOnlyList<string> fields)
    {
        if (name is null) return;
        var nameNode = stepNode["name"]!;
        if (_stepNames.TryGetValue(name, out var first))
        {
            _diagnostics.Error("duplicate-name", nameNode.Position,
                $"step name '{name}' is already used at line {first.Position.Line} ({first.Section}); step names must be unique within a skill",
                nameNode.Path, length: name.Length);
            return;
        }
        _stepNames[name] = new StepName(name, section, nameNode.Position, fields);
    }
}

public sealed partial class SkillReader
{
    /// <summary>A task card's hidden checks use the same check syntax as a skill; only target.* templates apply.</summary>
    public static IReadOnlyList<CheckStep> ReadHiddenChecks(YamlMapping card, string sourceText, DiagnosticBag diagnostics)
    {
        var reader = new SkillReader(diagnostics, sourceText) { _hiddenChecksOnly = true };
        return reader.ReadChecks(card, "hidden_checks");
    }
}
