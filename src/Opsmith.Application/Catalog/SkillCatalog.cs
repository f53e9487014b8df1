using Opsmith.Application.Validation;
using Opsmith.Core.Documents;
using Opsmith.Core.Linting;
using Opsmith.Core.Skills;

namespace Opsmith.Application.Catalog;

/// <summary>One valid skill of a catalog: the skill, its file and its content hash (the version that runs).</summary>
public sealed record CatalogEntry(Skill Skill, string File)
{
    public string Name => Skill.Name;
    public string ContentHash => Skill.ContentHash;
}

/// <summary>What to look for in a catalog; every filter is optional and they combine with AND.</summary>
/// <param name="Text">Matched, case-insensitively, against name, title, description and tags.</param>
public sealed record CatalogQuery(Stage? Stage = null, string? Category = null, string? Tag = null, RiskTier? Risk = null, string? Text = null);

/// <summary>
/// A folder of skills, loaded and validated with the same rules as <c>opsmith validate</c>, indexed by name,
/// stage, category, tag and risk. Invalid files are kept with their diagnostics so a surface can show them;
/// only valid skills are offered. Two files with the same skill name are both reported invalid.
/// </summary>
public sealed class SkillCatalog
{
    private readonly Dictionary<string, CatalogEntry> _byName;

    private SkillCatalog(string folder, IReadOnlyList<CatalogEntry> skills, IReadOnlyList<LoadedDocument> invalid)
    {
        Folder = folder;
        Skills = skills;
        Invalid = invalid;
        _byName = skills.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    public string Folder { get; }

    /// <summary>Valid skills, by name.</summary>
    public IReadOnlyList<CatalogEntry> Skills { get; }

    /// <summary>Files that are not valid skills, with every problem found.</summary>
    public IReadOnlyList<LoadedDocument> Invalid { get; }

    public static async Task<SkillCatalog> LoadAsync(string folder, IScriptLinter linter, CancellationToken ct)
    {
        var files = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];
        var result = await DocumentValidation.ValidateAsync(files, strict: false, linter, ct);
        var valid = result.Documents.Where(d => d.IsValid && d.Skill is not null).Select(d => new CatalogEntry(d.Skill!, d.File)).ToList();
        var invalid = result.Documents.Where(d => !d.IsValid && d.Kind is DocumentKind.Skill or DocumentKind.Unknown).ToList();
        var duplicates = valid.GroupBy(s => s.Name).Where(g => g.Count() > 1).SelectMany(g => g).ToHashSet();
        foreach (var duplicate in duplicates)
        {
            var others = string.Join(", ", valid.Where(v => v.Name == duplicate.Name && v != duplicate).Select(v => v.File));
            invalid.Add(new LoadedDocument(duplicate.File, DocumentKind.Skill, null,
                [new Core.Diagnostics.Diagnostic(Core.Diagnostics.Severity.Error, "duplicate-skill", duplicate.File, Core.Diagnostics.SourcePosition.Start,
                    $"skill '{duplicate.Name}' is also defined in {others}; a catalog holds each name once", "metadata.name")], [], ""));
        }
        return new SkillCatalog(folder, valid.Where(v => !duplicates.Contains(v)).OrderBy(v => v.Name, StringComparer.Ordinal).ToList(), invalid);
    }

    /// <summary>A catalog of skills validated elsewhere (the skills repository validates each version once).</summary>
    public static SkillCatalog Of(string source, IEnumerable<CatalogEntry> skills) =>
        new(source, skills.OrderBy(v => v.Name, StringComparer.Ordinal).ToList(), []);

    public CatalogEntry? Find(string name) => _byName.GetValueOrDefault(name);

    public IReadOnlyList<CatalogEntry> Query(CatalogQuery query) => Skills.Where(entry =>
    {
        var skill = entry.Skill;
        var m = skill.Metadata;
        if (query.Stage is { } stage && m.Stage != stage) return false;
        if (query.Category is { } category && !string.Equals(m.Category, category, StringComparison.OrdinalIgnoreCase)) return false;
        if (query.Tag is { } tag && !m.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)) return false;
        if (query.Risk is { } risk && skill.Spec.Risk != risk) return false;
        if (query.Text is { Length: > 0 } text &&
            !new[] { m.Name, m.Title, m.Description }.Concat(m.Tags).Any(f => f.Contains(text, StringComparison.OrdinalIgnoreCase))) return false;
        return true;
    }).ToList();
}
