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

    private static SourcePosition NamePosition(LoadedDocument document)
    {
        var lines = document.SourceText.Split('\n');
        var metadata = Array.FindIndex(lines, l => l.StartsWith("metadata:", StringComparison.Ordinal));
        for (var i = Math.Max(0, metadata); i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith("name:", StringComparison.Ordinal) && lines[i].Length - trimmed.Length > 0)
                return new SourcePosition(i + 1, lines[i].Length - trimmed.Length + 1);
        }
        return SourcePosition.Start;
    }
}
