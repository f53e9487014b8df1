using Opsmith.Core.Diagnostics;
using Opsmith.Core.Templates;
using Opsmith.Core.Text;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Skills;

/// <summary>A shell command as written in the file, kept with its node so linters can point into it.</summary>
/// <param name="Declared">The risk the skill declares for this command: an action's risk, the skill's risk for a
/// rollback step, read for checks. A classifier compares it with what the command does.</param>
public sealed record CommandSource(YamlScalar Node, string Context, IReadOnlySet<string> NumericInputs, RiskTier Declared);

public sealed partial class SkillReader
{
    private static readonly string[] TemplateRoots = ["inputs", "target", "preconditions", "actions", "success_criteria"];
    private static readonly string[] TargetFields = ["name", "address", "port", "user", "vars"];

    private readonly List<CommandSource> _commands = [];
    private bool _hiddenChecksOnly;

    /// <summary>Every shell command in the skill (run, check, rollback), for shellcheck.</summary>
    public IReadOnlyList<CommandSource> Commands => _commands;

    /// <param name="facts">Where a finding's summary is checked: the facts its condition captures, readable as <c>facts.NAME</c>.</param>
    private void CheckTemplate(YamlScalar scalar, bool allowSteps, bool inRollback = false, bool allowTarget = true, ISet<string>? facts = null)
    {
        var parsed = TemplateText.Parse(scalar.Value);
        foreach (var error in parsed.Errors)
            _diagnostics.Error("bad-template", _locator.Locate(scalar, error.Offset), error.Message, scalar.Path, length: error.Length);
        if (parsed.Errors.Count > 0)
        {
            // The broken template is the problem; do not also call the inputs it names unused.
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(scalar.Value, @"inputs\.([A-Za-z_][A-Za-z0-9_]*)"))
                _usedInputs.Add(m.Groups[1].Value);
        }
        foreach (var reference in parsed.References)
        {
            var at = _locator.Locate(scalar, reference.Offset);
            var segments = reference.Segments;
            if (_hiddenChecksOnly && reference.Root != "target")
            {
                _diagnostics.Error("bad-reference", at,
                    $"'{{{{ {reference.Dotted} }}}}' cannot be used in a task card's hidden checks; they may use only target.* (target.address, target.vars.NAME, ...)",
                    scalar.Path, length: reference.Length);
                continue;
            }
            switch (reference.Root)
            {
                case "inputs":
                    CheckInputReference(scalar, reference, at);
                    break;
                case "target" when !allowTarget:
                    _diagnostics.Error("bad-reference", at,
                        $"'{{{{ {reference.Dotted} }}}}' cannot be used in targets: the target is what targets decides; use inputs.", scalar.Path, length: reference.Length);
                    break;
                case "target":
                    if (segments.Count < 2 || !TargetFields.Contains(segments[1]) || (segments[1] == "vars") != (segments.Count == 3) || segments.Count > 3)
                        _diagnostics.Error("bad-reference", at,
                            $"'{{{{ {reference.Dotted} }}}}' is not a target field; use target.name, target.address, target.port, target.user or target.vars.NAME",
                            scalar.Path, segments.Count > 1 ? Suggestions.Closest(segments[1], TargetFields) is { } f ? $"target.{f}" : null : null, reference.Length);
                    break;
                case "facts" when facts is not null:
                    if (reference.Segments.Count != 2 || !facts.Contains(reference.Segments[1]))
                        _diagnostics.Error("bad-reference", at,
                            facts.Count == 0
                                ? $"'{{{{ {reference.Dotted} }}}}' names a fact, but this finding's condition captures none (facts are the named groups of stdout_matches, such as (?<pid>[0-9]+))"
                                : $"'{{{{ {reference.Dotted} }}}}' names no fact of this finding; it captures {string.Join(", ", facts.Order(StringComparer.Ordinal))}",
                            scalar.Path, reference.Segments.Count > 1 && Suggestions.Closest(reference.Segments[1], facts) is { } fact ? $"facts.{fact}" : null, reference.Length);
                    break;
                case "preconditions" or "actions" or "success_criteria" when allowSteps:
                    CheckStepReference(scalar, segments.ToArray(), inRollback, isOutput: false, at, reference.Length);
                    break;
                default:
                    var root = Suggestions.Closest(reference.Root, TemplateRoots);
                    _diagnostics.Error("bad-reference", at,
                        allowSteps
                            ? $"'{{{{ {reference.Dotted} }}}}' names nothing; a template starts with inputs., target. or an earlier step (preconditions., actions., success_criteria.)"
                            : $"'{{{{ {reference.Dotted} }}}}' cannot be used here; only inputs. are known at this point",
                        scalar.Path, root is null || root == reference.Root ? null : $"{root}.{string.Join('.', segments.Skip(1))}", reference.Length);
                    break;
            }
        }
    }

    private void CheckInputReference(YamlScalar scalar, ReferencePart reference, SourcePosition at)
    {
        if (reference.Segments.Count != 2)
        {
            _diagnostics.Error("bad-reference", at, $"'{{{{ {reference.Dotted} }}}}' must name one input, like inputs.port", scalar.Path, length: reference.Length);
            return;
        }
        var name = reference.Segments[1];
        if (_inputs.Any(i => i.Name == name))
        {
            _usedInputs.Add(name);
            return;
        }
        var suggestion = Suggestions.Closest(name, _inputs.Select(i => i.Name));
        _diagnostics.Error("undeclared-input", at,
            $"template refers to input '{name}', which is not declared in spec.inputs", scalar.Path,
            suggestion is null ? null : $"inputs.{suggestion}", reference.Length);
    }

    /// <summary>
    /// A reference to another step's result: <c>section.step.field</c>. The step must come earlier in the
    /// order steps run (preconditions, actions, success criteria); rollback may read any of them.
    /// Outputs are read after everything, so they may name any step.
    /// </summary>
    private void CheckStepReference(YamlNode node, string[] segments, bool inRollback, bool isOutput,
        SourcePosition? at = null, int length = 1)
    {
        var position = at ?? node.Position;
        var dotted = string.Join('.', segments);
        if (segments.Length != 3 || !TemplateRoots.Skip(2).Contains(segments[0]) && !(isOutput && segments[0] == "rollback"))
        {
            _diagnostics.Error("bad-reference", position,
                $"'{dotted}' must have the form SECTION.STEP.FIELD, for example actions.collect.stdout", node.Path, length: length);
            return;
        }
        var (section, stepName, field) = (segments[0], segments[1], segments[2]);
        if (!_stepNames.TryGetValue(stepName, out var step))
        {
            // Outputs may name steps declared later in the file; those are checked once every step is read.
            var suggestion = Suggestions.Closest(stepName, _stepNames.Keys);
            _diagnostics.Error("unknown-step", position,
                isOutput || inRollback
                    ? $"'{dotted}' names step '{stepName}', which does not exist"
                    : $"'{dotted}' names step '{stepName}', which does not exist or runs later; a template can read only steps that ran before it",
                node.Path, suggestion is null ? null : $"{section}.{suggestion}.{field}", length);
            return;
        }
        if (step.Section != section)
        {
            _diagnostics.Error("bad-reference", position, $"step '{stepName}' is in {step.Section}, not {section}", node.Path,
                $"{step.Section}.{stepName}.{field}", length);
            return;
        }
        if (!step.Fields.Contains(field))
            _diagnostics.Error("bad-reference", position,
                $"step '{stepName}' has no result field '{field}'; it has {string.Join(", ", step.Fields)}", node.Path,
                Suggestions.Closest(field, step.Fields) is { } f ? $"{section}.{stepName}.{f}" : null, length);
    }
}
