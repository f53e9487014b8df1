using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Linting;
using Opsmith.Core.Skills;
using Opsmith.Core.Yaml;

namespace Opsmith.Policy.Classification;

/// <summary>
/// A step may not claim less risk than its command has: each command of a skill is classified (templates
/// replaced by the placeholder words the linter uses) and compared with the risk the skill declares for it.
/// Programs the skill lists under <c>read_only_programs</c> count as read (with their reason); rules still apply.
/// </summary>
public static class DeclaredRiskCheck
{
    public static LoadedDocument Apply(LoadedDocument document)
    {
        if (document.Skill is not { } skill || document.Commands.Count == 0) return document;
        var classifier = new CommandClassifier(new ClassifierOptions(skill.Spec.DeclaredReadPrograms));
        var locator = new ScalarLocator(document.SourceText);
        var added = new List<Diagnostic>();
        foreach (var command in document.Commands)
        {
            var classification = classifier.Classify(ScriptLinting.Prepare(command.Node.Value, command.NumericInputs));
            if (classification.Tier <= command.Declared) continue;
            var decisive = classification.Decisive;
            var hint = classification.DecidingRule == "unknown-program" && decisive is not null
                ? $"; if {decisive.Program} only reads, list it under read_only_programs with the reason"
                : "";
            added.Add(new Diagnostic(Severity.Error, "risk-understated", document.File, locator.Locate(command.Node, 0),
                $"{command.Context} is declared {YamlNames.Of(command.Declared)}, but its command reads as " +
                $"{YamlNames.Of(classification.Tier)} ({classification.DecidingRule}: {decisive?.Reason ?? "see opsmith policy classify"}){hint}",
                command.Node.Path, YamlNames.Of(classification.Tier)));
        }
        if (added.Count == 0) return document;
        return document with
        {
            Diagnostics = document.Diagnostics.Concat(added).OrderBy(d => d.Position.Line).ThenBy(d => d.Position.Column).ToList(),
            Model = null,
        };
    }
}
