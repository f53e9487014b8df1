using System.Runtime.InteropServices;

namespace Opsmith.Cli;

/// <summary>
/// The person at the keyboard, as the operating system knows them: the login name of the effective user, or under
/// sudo the invoking user (root is trusted to say who invoked it, since root could do anything anyway). Read from the
/// user database, never from environment variables a user can set, so nobody can approve as someone else.
/// </summary>
public static class OperatingSystemUser
{
#pragma warning disable SYSLIB1054 // two blittable calls; LibraryImport would need unsafe code in the whole CLI
    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint EffectiveUserId();

    [DllImport("libc", EntryPoint = "getpwuid")]
    private static extern IntPtr PasswordEntry(uint uid);

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint SetFileCreationMask(uint mask);
#pragma warning restore SYSLIB1054

    /// <summary>
    /// Files and folders this process creates from now on are readable and writable by its group and by nobody else
    /// (umask 007): with a team's store (a setgid folder of the team's group), every member can write the audit trail
    /// another member created.
    /// </summary>
    public static void ShareNewFilesWithGroup() => SetFileCreationMask(0b000_000_111);

    /// <summary>The login name; <c>uid-N</c> for a user id the user database does not know.</summary>
    public static string Name()
    {
        var uid = EffectiveUserId();
        if (uid == 0 && uint.TryParse(Environment.GetEnvironmentVariable("SUDO_UID"), out var invoking)) uid = invoking;
        // getpwuid's first field is pw_name.
        var entry = PasswordEntry(uid);
        var name = entry == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry));
        return string.IsNullOrEmpty(name) ? $"uid-{uid}" : name;
    }
}
