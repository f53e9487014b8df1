namespace Opsmith.Cli.Commands;

/// <summary>Expands the paths given on the command line into YAML files, in a stable order.</summary>
public static class YamlFileFinder
{
    public static IReadOnlyList<string> Find(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path)) files.Add(path);
            else if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                    .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0) throw new UsageException($"no *.yaml or *.yml files under '{path}'");
                files.AddRange(found);
            }
            else throw new UsageException($"'{path}' does not exist");
        }
        return files.Distinct().ToList();
    }
}
