namespace Opsmith.Application.Import;

/// <summary>
/// What the conversions of one import share: the names already given (two sources may use one name, as OpsSkill's
/// optimized variants of a skill do, and two files may not), and which environments exist for agents to bind to.
/// </summary>
public sealed class ImportContext(IEnumerable<string>? environments = null)
{
    private readonly Dictionary<(ImportedKind, string), string> _taken = [];

    /// <summary>Environments (by source name) that this import writes or that the output folder already holds.</summary>
    public HashSet<string> Environments { get; } = [.. environments ?? []];

    /// <summary>Skills (by Opsmith name) whose procedure (SKILL.md) this import writes as instructions, for agents that name them.</summary>
    public HashSet<string> Instructions { get; } = [];

    /// <summary>A name for a file of this kind that no earlier source of this import took; a renamed one gets a note.</summary>
    public string Claim(ImportedKind kind, string name, string sourceFile, int line, ImportNotes notes)
    {
        if (_taken.TryAdd((kind, name), sourceFile)) return name;
        var stem = SourceYaml.Kebab(Path.GetFileNameWithoutExtension(sourceFile));
        var candidate = stem.StartsWith(name, StringComparison.Ordinal) ? stem : $"{name}-{stem}";
        for (var i = 2; !_taken.TryAdd((kind, candidate), sourceFile); i++) candidate = $"{name}-{i}";
        notes.Review(line, "name", $"{_taken[(kind, name)]} also gives a {kind.ToString().ToLowerInvariant()} the name '{name}'; this one is named '{candidate}'");
        return candidate;
    }
}
