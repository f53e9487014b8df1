namespace Opsmith.Execution.Processes;

/// <summary>
/// A private folder (mode 0700) for short-lived files handed to a local program, such as the scripts shellcheck
/// reads. It is made in memory when the machine offers a memory file system — the user's runtime folder
/// (<c>$XDG_RUNTIME_DIR</c>) or <c>/dev/shm</c> — because creating thousands of small files costs over a
/// millisecond each on some disk file systems; otherwise in the temporary folder (<c>$TMPDIR</c>, <c>/tmp</c>).
/// </summary>
internal static class ScratchFolder
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>A new folder named <paramref name="prefix"/> and a random suffix, in the first place that takes it.</summary>
    public static DirectoryInfo Create(string prefix, bool inMemory = true)
    {
        if (inMemory)
        {
            foreach (var parent in MemoryFolders())
            {
                try
                {
                    return Directory.CreateDirectory(Path.Combine(parent, prefix + Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal)), OwnerOnly);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Full, read-only or not ours: try the next place.
                }
            }
        }
        return Directory.CreateTempSubdirectory(prefix);
    }

    private static IEnumerable<string> MemoryFolders()
    {
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && Path.IsPathRooted(runtime) && Directory.Exists(runtime))
            yield return runtime;
        if (OperatingSystem.IsLinux() && Directory.Exists("/dev/shm")) yield return "/dev/shm";
    }
}
