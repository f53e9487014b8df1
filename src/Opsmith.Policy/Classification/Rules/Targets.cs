using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>How writing to or removing a path is judged, shared by redirections, tee, cp, rm, dd, sed -i, curl -o, ...</summary>
internal static class Targets
{
    /// <summary>
    /// Writing to <paramref name="target"/>. <paramref name="replaces"/> is true when the old content is lost
    /// (<c>&gt;</c>, <c>cp</c>, <c>truncate</c>); false for appending or editing in place.
    /// </summary>
    public static Verdict Write(ShellWord target, string family, bool replaces)
    {
        var path = target.Text;
        return Paths.Kind(target) switch
        {
            PathKind.Safe or PathKind.TempRoot when Paths.IsTemp(target) => Verdict.PrivateTmp($"{family}.temp-path", $"writes only to {path}, a temporary path (read when /tmp is private to the step)"),
            PathKind.Safe or PathKind.TempRoot => Verdict.Read($"{family}.temp-path", $"writes only to {path}, a throw-away path"),
            PathKind.Data or PathKind.DataAncestor => Verdict.Data($"{family}.data-path", $"writes into {path}, where stored data lives"),
            PathKind.Disk => Verdict.Data($"{family}.disk-device", $"writes to the block device {path}, destroying what is on it"),
            PathKind.Backup => Verdict.Service($"{family}.write-backup", $"writes the backup {path}"),
            PathKind.Critical => Verdict.Destructive($"{family}.critical-system-file", $"writes to {path}, which logins, boot or the system depend on"),
            PathKind.Log when replaces => Verdict.Destructive($"{family}.truncate-log", $"replaces the log {path}; what it held is lost"),
            PathKind.Log => Verdict.Service($"{family}.append-log", $"appends to the log {path}"),
            PathKind.System => Verdict.Service($"{family}.write-system-path", $"changes {path}"),
            PathKind.Unknown => Verdict.Destructive($"{family}.unknown-target", $"writes to {path}, a path known only when the command runs"),
            _ => Verdict.Service($"{family}.write-file", $"writes to {path}"),
        };
    }

    /// <summary>Removing <paramref name="target"/> (rm, find -delete, shred, unlink, ...).</summary>
    public static Verdict Remove(ShellWord target, string family, bool recursive)
    {
        var path = target.Text;
        var wholesale = recursive || target.HasGlob || !target.IsLiteral;
        return Paths.Kind(target) switch
        {
            PathKind.Safe => Verdict.PrivateTmp($"{family}.temp-path", $"removes only {path}, a temporary path (read when /tmp is private to the step)"),
            PathKind.TempRoot => Verdict.Destructive($"{family}.temp-root", $"removes {path}: all of the temporary directory, other programs' files included"),
            PathKind.Data => Verdict.Data($"{family}.data-path", $"removes {path}, where stored data lives"),
            PathKind.Backup => Verdict.Data($"{family}.backup", $"removes the backup {path}"),
            PathKind.DataAncestor when wholesale => Verdict.Data($"{family}.data-path", $"removes {path}, which contains database and storage directories"),
            PathKind.Disk => Verdict.Destructive($"{family}.device-node", $"removes the device node {path}"),
            PathKind.Log => Verdict.Destructive($"{family}.logs", $"removes the log {path}; it cannot be put back"),
            PathKind.DataAncestor or PathKind.Critical or PathKind.System when recursive =>
                Verdict.Destructive($"{family}.recursive-system-path", $"removes {path} and everything under it"),
            PathKind.DataAncestor or PathKind.Critical or PathKind.System => Verdict.Destructive($"{family}.system-path", $"removes {path}"),
            PathKind.Unknown => Verdict.Destructive($"{family}.unknown-path", $"removes {path}, a path known only when the command runs"),
            _ => Verdict.Destructive($"{family}.file", $"removes {path}; it cannot be put back"),
        };
    }

    /// <summary>The highest verdict over several targets; <paramref name="none"/> when there are none.</summary>
    public static Verdict Worst(IEnumerable<Verdict> verdicts, Verdict none) =>
        verdicts.Aggregate((Verdict?)null, (best, next) => best is null ? next : Verdict.Max(best.Value, next)) ?? none;
}
