using System.Globalization;
using System.Runtime.InteropServices;

namespace Opsmith.Cli;

/// <summary>
/// Descriptors Opsmith inherited from whoever started it (a lock held by <c>flock</c>, the write end of a CI
/// step's pipe) are marked close-on-exec, so nothing Opsmith starts — an SSH client, a lab's long-lived
/// services — keeps them open after Opsmith exits. Without this a lab started under <c>flock LOCK opsmith lab up</c>
/// holds the lock for as long as the lab runs, and a pipe's reader never sees end of file.
/// </summary>
internal static class InheritedDescriptors
{
    public static void MarkCloseOnExec()
    {
        if (!OperatingSystem.IsLinux()) return;
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries("/proc/self/fd");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;   // no /proc: nothing to do that is safe
        }
        foreach (var entry in entries)
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) && fd > 2)
                _ = Fcntl(fd, SetDescriptorFlags, CloseOnExec);   // one closed meanwhile (the listing's own) fails harmlessly
        }
    }

    // Linux's fcntl(2): F_SETFD sets the descriptor flags, of which FD_CLOEXEC is the only one.
    private const int SetDescriptorFlags = 2;
    private const int CloseOnExec = 1;

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);
}
