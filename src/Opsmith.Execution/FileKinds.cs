using System.Runtime.InteropServices;
using Opsmith.Core.Inventories;

namespace Opsmith.Execution;

/// <summary>
/// What a path is on this machine's disk (following symbolic links), asked without opening it — opening a FIFO
/// blocks until someone writes to it, and a device never ends. Used before Opsmith reads any document and by the
/// file-system side of <see cref="KnownHostsFiles.CheckOnDisk"/>. .NET has no public API for a file's type, so this
/// asks the runtime's own native shim for stat(2), whose result layout .NET defines the same on every platform.
/// </summary>
public static class FileKinds
{
    /// <summary>A path as ssh reads it in a <c>UserKnownHostsFile</c>: <c>~</c> is the home folder.</summary>
    public static FileKind OfSshPath(string path) => ExpandHome(path) is { } expanded ? Of(expanded) : FileKind.Unknown;

    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Directory => "a folder",
        FileKind.Missing => "missing",
        FileKind.RegularFile => "a regular file",
        _ => "not a regular file",
    };

    public static FileKind Of(string path)
    {
        var expanded = path;
        try
        {
            if (Stat(expanded, out var status) == 0)
                return (status.Mode & 0xF000) switch
                {
                    0x8000 => FileKind.RegularFile,
                    0x4000 => FileKind.Directory,
                    0x2000 => FileKind.CharacterDevice,
                    0x6000 => FileKind.BlockDevice,
                    0x1000 => FileKind.Fifo,
                    0xC000 => FileKind.Socket,
                    _ => FileKind.Unknown,
                };
            return Path.Exists(expanded) ? FileKind.Unknown : FileKind.Missing;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Without the shim, only what .NET can tell: /dev/null and friends are still refused by their path.
            if (Directory.Exists(expanded)) return FileKind.Directory;
            return File.Exists(expanded) ? FileKind.RegularFile : FileKind.Missing;
        }
    }

    /// <summary>ssh expands <c>~</c> and <c>~/</c> to the home folder; <c>~user</c> is not followed here, so it reads as unknown.</summary>
    private static string? ExpandHome(string path)
    {
        if (!path.StartsWith('~')) return path;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (path == "~") return home;
        return path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..]) : null;
    }

    /// <summary>The start of .NET's FileStatus (pal_io.h): flags, then the mode with the file-type bits.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 512)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus status);
}
