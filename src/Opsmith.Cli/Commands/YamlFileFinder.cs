using System.Runtime.InteropServices;

namespace Opsmith.Cli.Commands;

/// <summary>Expands the paths given on the command line into YAML files, in a stable order.</summary>
public static class YamlFileFinder
{
    public static IReadOnlyList<string> Find(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            var type = FileTypes.Of(path);
            if (type == FileType.Folder)
            {
                var found = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                    .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0) throw new UsageException($"no *.yaml or *.yml files under '{path}'");
                files.AddRange(found);
            }
            else if (type == FileType.Missing) throw new UsageException($"'{path}' does not exist");
            // A FIFO or a device named on the command line is reported as that file's error, not read.
            else files.Add(path);
        }
        return files.Distinct().ToList();
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot be read as one document (missing, a folder, a FIFO, a device), or null
    /// when it is a regular file. Checked before opening: opening a FIFO blocks until someone writes to it.
    /// </summary>
    public static string? ProblemWithFile(string path, string expected) => FileTypes.Of(path) switch
    {
        FileType.Regular => null,
        FileType.Missing => $"'{path}' does not exist",
        FileType.Folder => $"'{path}' is a folder; {expected}",
        var other => $"'{path}' is {FileTypes.Describe(other)}, not a regular file; {expected}",
    };
}

public enum FileType { Missing, Regular, Folder, Fifo, CharacterDevice, BlockDevice, Socket, Other }

/// <summary>What a path is, asked of the kernel without opening it (statx, whose layout is the same on every Linux).</summary>
public static class FileTypes
{
    public static FileType Of(string path)
    {
        var buffer = new byte[256];
        try
        {
            // AT_FDCWD, follow symbolic links, ask for STATX_TYPE.
            if (Statx(-100, path, 0, 0x1, buffer) != 0) return Directory.Exists(path) ? FileType.Folder : File.Exists(path) ? FileType.Other : FileType.Missing;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not Linux: fall back to what .NET can tell, which cannot see FIFOs or devices.
            return Directory.Exists(path) ? FileType.Folder : File.Exists(path) ? FileType.Regular : FileType.Missing;
        }
        var mode = BitConverter.ToUInt16(buffer, 28) & 0xF000;
        return mode switch
        {
            0x8000 => FileType.Regular,
            0x4000 => FileType.Folder,
            0x1000 => FileType.Fifo,
            0x2000 => FileType.CharacterDevice,
            0x6000 => FileType.BlockDevice,
            0xC000 => FileType.Socket,
            _ => FileType.Other,
        };
    }

    public static string Describe(FileType type) => type switch
    {
        FileType.Fifo => "a named pipe (FIFO)",
        FileType.CharacterDevice => "a character device",
        FileType.BlockDevice => "a block device",
        FileType.Socket => "a socket",
        FileType.Folder => "a folder",
        FileType.Missing => "missing",
        FileType.Regular => "a regular file",
        _ => "not a regular file",
    };

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
