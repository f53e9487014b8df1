using Opsmith.Core.Diagnostics;
using Opsmith.Core.Skills;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.TaskCards;

public static class TaskCardReader
{
    public static TaskCard? Read(YamlMapping root, string sourceText, DiagnosticBag diagnostics)
    {
        var read = new NodeReader(diagnostics);
        const string context = "the task card";
        read.AllowOnly(root, context, "apiVersion", "kind", "name", "intent", "stage", "target", "service", "symptom",
            "severity", "expected_outcome", "hidden_checks", "family", "params");
        var name = read.String(root, "name", context, required: true);
        read.Matches(root["name"], name, NodeReader.KebabName(), "task card name", "use lower-kebab-case such as nginx-down-web1");
        var intent = read.String(root, "intent", context, required: true);
        var stage = read.Enum<Stage>(root, "stage", context, required: true);
        var target = read.String(root, "target", context, required: true);
        var service = read.String(root, "service", context, required: true);
        var symptom = read.String(root, "symptom", context);
        var severity = read.Enum<Severity>(root, "severity", context) ?? Severity.Medium;
        var outcome = read.String(root, "expected_outcome", context, required: true);
        var family = read.String(root, "family", context);
        var hidden = SkillReader.ReadHiddenChecks(root, sourceText, diagnostics);
        var parameters = new Dictionary<string, string>();
        if (read.Mapping(root["params"], "'params' in the task card") is { } paramsNode)
        {
            foreach (var entry in paramsNode.Entries)
            {
                var value = read.String(entry.Value, $"param '{entry.Key.Value}'");
                if (value is not null) parameters[entry.Key.Value] = value;
            }
        }
        if (diagnostics.HasErrors) return null;
        return new TaskCard(name!, intent!, stage!.Value, target!, service!, symptom, severity, outcome!, hidden, family, parameters);
    }
}
