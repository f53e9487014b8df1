using Opsmith.Core.Yaml;

namespace Opsmith.Application.Import;

/// <summary>
/// Reads each document of a Legator file by its <c>kind</c>: <c>LegatorAgent</c>, <c>LegatorEnvironment</c>,
/// <c>ModelTierConfig</c>, and ConfigMaps that carry a skill's <c>SKILL.md</c>. Kubernetes Secrets are never imported.
/// </summary>
public static class LegatorImporter
{
    /// <summary>
    /// Notes the environments and skill ConfigMaps of the sources first, so an agent imported before its environment still
    /// binds to it, and is given the procedures of its skills as instructions.
    /// </summary>
    public static void ClaimEnvironments(IReadOnlyList<(string File, string Text)> sources, ImportContext context)
    {
        foreach (var (file, text) in sources)
            foreach (var doc in SourceYaml.ReadAll(file, text, new ImportNotes(file)))
                if (doc.Str("kind") == "LegatorEnvironment" && SourceYaml.Str(SourceYaml.Map(doc.Root, "metadata"), "name") is { } name)
                    context.Environments.Add(SourceYaml.Kebab(name));
                else if (doc.Str("kind") == "ConfigMap" && SourceYaml.Map(doc.Root, "data")?.Find("SKILL.md") is not null &&
                         SourceYaml.Str(SourceYaml.Map(doc.Root, "metadata"), "name") is { } configMap)
                    context.Instructions.Add(SkillName(configMap));
    }

    public static Conversion Convert(string file, string text, ImportContext context, ImportNotes notes)
    {
        var result = Conversion.Empty;
        foreach (var doc in SourceYaml.ReadAll(file, text, notes))
        {
            var kind = doc.Str("kind");
            result = result.Add(kind switch
            {
                "LegatorAgent" => LegatorAgents.Convert(doc, file, context, notes),
                "LegatorEnvironment" => LegatorEnvironments.Convert(doc, file, context, notes),
                "ModelTierConfig" => LegatorModelTiers.Convert(doc, file, context, notes),
                "ConfigMap" => SkillConfigMap(doc, file, context, notes),
                "Secret" => Secret(doc, notes),
                null => Unknown(doc, notes, "the document has no 'kind'; a Legator file holds LegatorAgent, LegatorEnvironment and ModelTierConfig resources"),
                _ => Unknown(doc, notes, $"a {kind} has no Opsmith counterpart; Opsmith imports LegatorAgent, LegatorEnvironment, ModelTierConfig and skill ConfigMaps"),
            });
        }
        return result;
    }

    /// <summary>A Legator skill shipped as a ConfigMap: <c>data.SKILL.md</c> (the procedure) and <c>data.actions.yaml</c> (its action sheet).</summary>
    private static Conversion SkillConfigMap(SourceDocument doc, string file, ImportContext context, ImportNotes notes)
    {
        var data = SourceYaml.Map(doc.Root, "data");
        if (data?.Find("SKILL.md") is not { Value: YamlScalar markdown } entry)
            return Unknown(doc, notes, "a ConfigMap without data.SKILL.md is not a Legator skill; nothing to import");
        if (data.Find("actions.yaml") is { } actions)
            notes.NotCarried(actions.Key.Position.Line, "data.actions.yaml",
                "Legator's action sheet allowlists tool calls by pattern and tier; Opsmith classifies every command the agent runs itself, so the sheet has no counterpart");
        var configMap = SourceYaml.Str(SourceYaml.Map(doc.Root, "metadata"), "name") ?? "skill";
        // A block scalar starts on the line after its key.
        return AgentSkills.Convert(file, markdown.Value, SkillName(configMap), context, notes, lineOffset: entry.Key.Position.Line);
    }

    /// <summary>The skill a ConfigMap or a <c>configmap://</c> source names: <c>skill-server-health</c> → <c>server-health</c>.</summary>
    internal static string SkillName(string configMap)
    {
        var name = SourceYaml.Kebab(configMap);
        if (name.StartsWith("skill-", StringComparison.Ordinal) && name.Length > 6) name = name[6..];
        if (name.EndsWith("-skill", StringComparison.Ordinal) && name.Length > 6) name = name[..^6];
        return name;
    }

    private static Conversion Secret(SourceDocument doc, ImportNotes notes)
    {
        var name = SourceYaml.Str(SourceYaml.Map(doc.Root, "metadata"), "name") ?? "secret";
        var inline = doc.Root.Find("stringData") ?? doc.Root.Find("data");
        notes.Changed(inline?.Key.Position.Line ?? doc.Line, "Secret",
            $"Secret '{name}' is not imported: it writes credentials into the file, and Opsmith takes credentials only by reference " +
            "(an environment variable or a file: api_key_env, url_env, identity_file, OPSMITH_SECRET_NAME for secret inputs). Keep the values in your secret store");
        return Conversion.Empty;
    }

    private static Conversion Unknown(SourceDocument doc, ImportNotes notes, string why)
    {
        notes.CannotImport(doc.Line, SourceYaml.Str(doc.Root, "kind") ?? "document", why);
        return Conversion.Empty;
    }
}
