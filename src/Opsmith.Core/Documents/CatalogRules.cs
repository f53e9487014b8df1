using Opsmith.Core.Diagnostics;

namespace Opsmith.Core.Documents;

/// <summary>Rules that span files: a skill name identifies one skill in a catalog.</summary>
public static class CatalogRules
{
    public static IReadOnlyList<LoadedDocument> Apply(IReadOnlyList<LoadedDocument> documents)
    {
        var firstByName = new Dictionary<string, LoadedDocument>();
        var result = new List<LoadedDocument>();
        foreach (var document in documents)
        {
            var skill = document.Skill;
            if (skill is null || !firstByName.TryAdd(skill.Name, document))
            {
                if (skill is not null)
                {
                    var first = firstByName[skill.Name];
                    var diagnostic = new Diagnostic(Severity.Error, "duplicate-skill", document.File,
                        NamePosition(document),
                        $"skill name '{skill.Name}' is already used by {first.File}; names are unique in a catalog", "metadata.name");
                    result.Add(document with { Diagnostics = [.. document.Diagnostics, diagnostic], Model = null });
                    continue;
                }
            }
            result.Add(document);
        }
        return result;
    }

    /// <summary>Where metadata.name is written, block or flow style alike (a line search missed '{name: x}' and said 1:1).</summary>
    private static SourcePosition NamePosition(LoadedDocument document)
    {
        var root = Yaml.YamlDocumentReader.Read(document.SourceText, new DiagnosticBag(document.File));
        return (root as Yaml.YamlMapping)?["metadata"] is Yaml.YamlMapping metadata && metadata["name"] is { } name
            ? name.Position
            : SourcePosition.Start;
    }
}
