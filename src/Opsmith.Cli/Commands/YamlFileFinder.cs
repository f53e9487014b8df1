using Opsmith.Execution;
using Opsmith.Application;
using Opsmith.Core.Inventories;

namespace Opsmith.Cli.Commands;

/// <summary>Expands the paths given on the command line into YAML files, in a stable order.</summary>
public static class YamlFileFinder
{
    public static IReadOnlyList<string> Find(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            var kind = FileKinds.Of(path);
            if (kind == FileKind.Directory)
            {
                var found = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                    .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0) throw new UsageException($"no *.yaml or *.yml files under '{path}'");
                files.AddRange(found);
            }
            else if (kind == FileKind.Missing) throw new UsageException($"'{path}' does not exist");
            // A FIFO or a device named on the command line is reported as that file's error, not read.
            else files.Add(path);
        }
        return files.Distinct().ToList();
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot be read as one document (missing, a folder, a FIFO, a device), or null
    /// when it is a regular file. Checked before opening: opening a FIFO blocks until someone writes to it.
    /// </summary>
    public static string? ProblemWithFile(string path, string expected) => FileKinds.Of(path) switch
    {
        FileKind.RegularFile => null,
        FileKind.Missing => $"'{path}' does not exist",
        FileKind.Directory => $"'{path}' is a folder; {expected}",
        var other => $"'{path}' is {FileKinds.Describe(other)}, not a regular file; {expected}",
    };
}
