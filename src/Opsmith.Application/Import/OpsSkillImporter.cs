using Opsmith.Core.Yaml;

namespace Opsmith.Application.Import;

/// <summary>Reads each document of an OpsSkill file by its shape: a skill, a task card, a cluster configuration or benchmark task instances.</summary>
public static class OpsSkillImporter
{
    public static Conversion Convert(string file, string text, ImportContext context, ImportNotes notes)
    {
        var result = Conversion.Empty;
        foreach (var doc in SourceYaml.ReadAll(file, text, notes))
        {
            var root = doc.Root;
            if (OpsSkillSkills.Recognise(root)) result = result.Add(OpsSkillSkills.Convert(doc, file, context, notes));
            else if (OpsSkillClusters.Recognise(root)) result = result.Add(OpsSkillClusters.Convert(doc, file, context, notes));
            else if (OpsSkillCards.RecogniseInstances(root)) result = result.Add(OpsSkillCards.ConvertInstances(doc, file, context, notes));
            else if (OpsSkillCards.RecogniseCard(root)) result = result.Add(OpsSkillCards.ConvertCard(doc, file, context, notes));
            else notes.CannotImport(doc.Line, "document", Unrecognised(root));
        }
        return result;
    }

    private static string Unrecognised(YamlMapping root)
    {
        if (SourceYaml.Str(root, "apiVersion") is { } api)
            return api == "opsmith/v1"
                ? "this is already an Opsmith document; nothing to import"
                : $"a '{api}' {SourceYaml.Str(root, "kind") ?? "document"} is not an OpsSkill skill, task card, cluster configuration or benchmark file";
        if (root["stages"] is YamlMapping)
            return "a catalog of skill descriptions (inputs, tools, outputs; no commands): there is nothing to run, so nothing to import";
        return "not an OpsSkill skill (name, intent, actions of commands), task card (name, intent), cluster configuration (jump_host, target_host) or benchmark file (task_instances)";
    }
}
