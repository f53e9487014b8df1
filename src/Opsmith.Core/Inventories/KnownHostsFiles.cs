using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;

namespace Opsmith.Core.Inventories;

/// <summary>What a path names on disk, as far as keeping host keys goes.</summary>
public enum FileKind { Missing, RegularFile, Directory, CharacterDevice, BlockDevice, Fifo, Socket, Unknown }

/// <summary>A <c>known_hosts</c> value as written, with where: what the on-disk check points its diagnostics at.</summary>
public sealed record KnownHostsSetting(string Path, string Field, SourcePosition Position, int Length);

/// <summary>
/// A known_hosts file must be able to keep keys. ssh treats one that cannot (<c>/dev/null</c>, a folder, a
/// device, a FIFO) as empty and, with <c>host_key_checking: accept-new</c>, accepts every key on every
/// connection and remembers none: host-key checking silently off. What the path's text shows is judged when
/// the inventory is read (<see cref="ProblemWithPathText"/>, pure); what only the disk shows is judged where the
/// inventory is read from disk, with the file system passed in (<see cref="CheckOnDisk"/>).
/// </summary>
public static class KnownHostsFiles
{
    public const string Code = "known-hosts-cannot-keep-keys";

    /// <summary>Why the path, by its text alone, cannot keep keys; null when the text is fine.</summary>
    public static string? ProblemWithPathText(string path)
    {
        var trimmed = path.TrimEnd();
        if (trimmed.EndsWith('/') || trimmed is "~" or "." or ".." || trimmed.EndsWith("/.", StringComparison.Ordinal) || trimmed.EndsWith("/..", StringComparison.Ordinal))
            return "it names a folder, not a file";
        if (!trimmed.StartsWith('/')) return null;
        var full = Path.GetFullPath(trimmed); // pure on an absolute path: folds '..', '.' and '//'
        if (full == "/dev/null") return "/dev/null throws away every key written to it";
        if (full.StartsWith("/dev/", StringComparison.Ordinal) && !full.StartsWith("/dev/shm/", StringComparison.Ordinal))
            return "files under /dev are devices and terminals, not files that keep what is written";
        if (full.StartsWith("/proc/", StringComparison.Ordinal) || full.StartsWith("/sys/", StringComparison.Ordinal))
            return "files under /proc and /sys are the kernel's, not files that keep what is written";
        return null;
    }

    /// <summary>Why a path of this kind (and, when it is missing, a folder of this kind) cannot keep keys.</summary>
    public static string? ProblemWithKind(FileKind kind, FileKind folder) => kind switch
    {
        FileKind.RegularFile => null,
        FileKind.Directory => "it is a folder, not a file",
        FileKind.CharacterDevice or FileKind.BlockDevice => "it is a device, which does not keep what is written to it",
        FileKind.Fifo => "it is a named pipe (FIFO), which does not keep what is written to it",
        FileKind.Socket => "it is a socket, not a file",
        FileKind.Missing => folder == FileKind.Directory ? null
            : "it does not exist and its folder does not either, so ssh cannot create it to keep a key",
        _ => "Opsmith cannot tell what kind of file it is",
    };

    /// <summary>
    /// The document with an error for every known_hosts path that <paramref name="kindOf"/> (the file system, or a
    /// stand-in) shows cannot keep keys; an inventory with such an error is no longer valid.
    /// </summary>
    public static LoadedDocument CheckOnDisk(LoadedDocument document, Func<string, FileKind> kindOf)
    {
        if (document.Inventory is not { } inventory) return document;
        var problems = new List<Diagnostic>();
        foreach (var setting in inventory.KnownHostsSettings)
        {
            var kind = kindOf(setting.Path);
            var folder = kind == FileKind.Missing ? kindOf(Path.GetDirectoryName(setting.Path) is { Length: > 0 } parent ? parent : "/") : FileKind.Directory;
            if (ProblemWithKind(kind, folder) is { } why)
                problems.Add(Diagnostic(document.File, setting, why));
        }
        if (problems.Count == 0) return document;
        var all = document.Diagnostics.Concat(problems).OrderBy(d => d.Position.Line).ThenBy(d => d.Position.Column).ToList();
        return document with { Diagnostics = all, Model = null };
    }

    internal static Diagnostic Diagnostic(string file, KnownHostsSetting setting, string why) =>
        new(Severity.Error, Code, file, setting.Position,
            $"'{setting.Field}' is '{setting.Path}', which cannot keep host keys: {why}. ssh would treat it as empty, " +
            "and with host_key_checking: accept-new accept any key on every connection, which is host-key checking turned off. " +
            "Point it at a file, such as ~/.ssh/known_hosts, or leave it out to use ssh's default",
            setting.Field, "~/.ssh/known_hosts", setting.Length);
}
