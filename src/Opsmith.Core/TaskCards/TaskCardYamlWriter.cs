using Opsmith.Core.Skills;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.TaskCards;

/// <summary>Writes a <see cref="TaskCard"/> as task-card YAML that <see cref="TaskCardReader"/> reads back unchanged.</summary>
public static class TaskCardYamlWriter
{
    public static string Write(TaskCard card, string? headerComment = null)
    {
        var w = new YamlWriter();
        if (headerComment is not null)
            foreach (var line in headerComment.Split('\n')) w.Comment(line);
        w.Field("apiVersion", SkillReader.ApiVersion).Field("kind", "TaskCard")
         .Field("name", card.Name).Field("intent", card.Intent).Field("stage", YamlNames.Of(card.Stage))
         .Field("target", card.Target).Field("service", card.Service).Field("symptom", card.Symptom)
         .Field("severity", card.Severity.ToString().ToLowerInvariant()).Field("expected_outcome", card.ExpectedOutcome)
         .Field("family", card.Family);
        if (card.Params.Count > 0) w.Section("params", p => { foreach (var (key, value) in card.Params) p.Field(key, value); });
        if (card.HiddenChecks.Count > 0) w.List("hidden_checks", card.HiddenChecks, SkillYamlWriter.WriteCheck);
        return w.ToString();
    }
}
