using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Disks, partitions, filesystems and volumes: dd, mkfs, fdisk, parted, wipefs, shred, LVM, ZFS, mdadm,
/// cryptsetup, mount. Anything that rewrites a disk destroys what is stored on it: data-mutation.
/// </summary>
internal static class Disks
{
    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = BuildRules();

    private static Dictionary<string, Func<Invocation, Verdict>> BuildRules()
    {
        var rules = new Dictionary<string, Func<Invocation, Verdict>>
        {
            ["dd"] = Dd,
            ["mkfs"] = Format,
            ["mke2fs"] = Format,
            ["mkswap"] = Format,
            ["mkdosfs"] = Format,
            ["wipefs"] = call => (call.HasShort('a') || call.Has("--all") || call.Value("-o", "--offset") is not null) && !call.HasShort('n') && !call.Has("--no-act")
                ? Verdict.Data("wipefs.erase", $"erases filesystem signatures on {Joined(call)}")
                : Verdict.Read("wipefs.list", "lists filesystem signatures"),
            ["shred"] = call => Targets.Worst(call.Positionals("-n", "-s", "--iterations", "--size", "--random-source").Select(t => Paths.Kind(t) is PathKind.Disk or PathKind.Data or PathKind.DataAncestor
                ? Verdict.Data("shred.data", $"overwrites {t.Text} so nothing can be recovered")
                : Paths.Kind(t) == PathKind.Safe ? Verdict.PrivateTmp("shred.temp-path", $"overwrites the temporary file {t.Text}")
                : Verdict.Destructive("shred.file", $"overwrites {t.Text} so nothing can be recovered")), Verdict.Read("shred.nothing", "no file given")),
            ["blkdiscard"] = call => Verdict.Data("blkdiscard.discard", $"discards every block of {Joined(call)}"),
            ["fdisk"] = call => ListOr(call, "fdisk", call.HasShort('l') || call.Has("--list")),
            ["cfdisk"] = call => Verdict.Data("cfdisk.partition", "edits a partition table"),
            ["sfdisk"] = call => ListOr(call, "sfdisk", call.HasShort('l') || call.HasShort('d') || call.HasShort('s') || call.HasShort('V') || call.Has("--list", "--dump", "--show-size", "--verify", "--json")),
            ["gdisk"] = call => ListOr(call, "gdisk", call.HasShort('l')),
            ["sgdisk"] = call => ListOr(call, "sgdisk", call.HasShort('p') || call.HasShort('i') || call.HasShort('v') || call.Has("--print", "--info", "--verify")),
            ["parted"] = Parted,
            ["badblocks"] = call => call.HasShort('w') ? Verdict.Data("badblocks.write-test", "the write test (-w) overwrites the whole device") : Verdict.Read("badblocks.read-test", "reads the device"),
            ["hdparm"] = call => call.Args.Any(a => a.StartsWith("--security-erase", StringComparison.Ordinal) || a.StartsWith("--trim-sector", StringComparison.Ordinal) || a == "--write-sector")
                ? Verdict.Data("hdparm.erase", "erases or writes sectors of the disk")
                : call.Args.All(a => a is "-I" or "-i" or "-t" or "-T" or "-tT" or "-g" or "-C" || !a.StartsWith('-')) ? Verdict.Read("hdparm.info", "reads drive information") : Verdict.Service("hdparm.settings", "changes drive settings"),
            ["zpool"] = call => Subcommand(call, "zpool", read: ["status", "list", "iostat", "get", "history", "events", "import"], data: ["destroy", "labelclear", "remove", "detach", "split"], destructive: ["export", "offline", "clear"]),
            ["zfs"] = call => Subcommand(call, "zfs", read: ["list", "get", "diff", "holds", "userspace", "groupspace"], data: ["destroy", "rollback", "receive", "recv"], destructive: ["unmount", "umount", "rename"]),
            ["mdadm"] = call => call.Has("--zero-superblock") || call.Has("--create") || call.HasShort('C') ? Verdict.Data("mdadm.rewrite", "creates an array or wipes RAID metadata")
                : call.Has("--detail", "--examine", "--query", "--detail-platform") || call.HasShort('D') || call.HasShort('E') || call.HasShort('Q') ? Verdict.Read("mdadm.info", "reads RAID state")
                : call.Has("--stop", "--fail", "--remove") || call.HasShort('S') || call.HasShort('f') || call.HasShort('r') ? Verdict.Destructive("mdadm.degrade", "stops an array or removes a disk from it")
                : Verdict.Service("mdadm.manage", "changes a RAID array"),
            ["cryptsetup"] = call => Subcommand(call, "cryptsetup", read: ["status", "luksDump", "isLuks", "luksUUID", "tcryptDump", "benchmark"], data: ["luksFormat", "erase", "luksErase", "reencrypt", "luksKillSlot", "luksRemoveKey"], destructive: ["close", "luksClose"]),
            ["mount"] = call => call.Positionals("-t", "-o", "-L", "-U", "-O").Count == 0 && !call.Has("-a", "--all") ? Verdict.Read("mount.list", "lists mounts") : Verdict.Service("mount.mount", "mounts a filesystem"),
            ["umount"] = call => Verdict.Service("umount.unmount", "unmounts a filesystem; programs using it lose it"),
            ["swapon"] = call => call.Has("--show", "-s", "--summary") || call.Args.Count == 0 ? Verdict.Read("swapon.show", "lists swap") : Verdict.Service("swapon.enable", "enables swap"),
            ["swapoff"] = call => Verdict.Service("swapoff.disable", "disables swap"),
            ["fsck"] = Check,
            ["e2fsck"] = Check,
            ["xfs_repair"] = call => call.HasShort('n') ? Verdict.Read("xfs_repair.check", "only checks (-n)") : Verdict.Data("xfs_repair.repair", "repairs a filesystem in place; -L zeroes the log and may lose data"),
            ["resize2fs"] = call => Verdict.Data("resize2fs.resize", "resizes a filesystem; shrinking can lose data"),
            ["tune2fs"] = call => call.HasShort('l') && call.Args.Count <= 2 ? Verdict.Read("tune2fs.list", "lists filesystem settings") : Verdict.Service("tune2fs.settings", "changes filesystem settings"),
            ["xfs_growfs"] = call => call.HasShort('n') ? Verdict.Read("xfs_growfs.info", "shows geometry") : Verdict.Service("xfs_growfs.grow", "grows a filesystem"),
            ["growpart"] = call => Verdict.Service("growpart.grow", "grows a partition"),
            ["losetup"] = call => call.Args.Count == 0 || call.HasShort('a') || call.HasShort('l') || call.Has("--list") ? Verdict.Read("losetup.list", "lists loop devices") : Verdict.Service("losetup.attach", "attaches or detaches loop devices"),
            ["blockdev"] = call => call.Args.All(a => a.StartsWith("--get", StringComparison.Ordinal) || a == "--report" || !a.StartsWith('-')) ? Verdict.Read("blockdev.get", "reads device settings") : Verdict.Service("blockdev.set", "changes device settings"),
            ["partprobe"] = call => Verdict.Service("partprobe.reread", "makes the kernel re-read partition tables"),
            ["fstrim"] = call => Verdict.Service("fstrim.trim", "discards unused blocks"),
            ["sync"] = call => Verdict.Read("sync.flush", "flushes buffers to disk"),
            ["smartctl"] = call => call.HasShort('t') || call.Has("--test") || call.HasShort('s') || call.HasShort('o') || call.HasShort('S') ? Verdict.Service("smartctl.test", "starts a self-test or changes settings") : Verdict.Read("smartctl.info", "reads SMART data"),
            ["nvme"] = call => Subcommand(call, "nvme", read: ["list", "smart-log", "id-ctrl", "id-ns", "error-log", "list-subsys", "show-regs", "fw-log"], data: ["format", "sanitize", "delete-ns", "write-zeroes", "write"], destructive: ["reset", "detach-ns"]),
        };
        foreach (var name in new[] { "pvremove", "vgremove", "lvremove", "lvreduce", "vgreduce", "pvmove" })
            rules[name] = call => Verdict.Data("lvm.remove", $"{call.Program} removes or shrinks storage holding data");
        foreach (var name in new[] { "pvcreate", "vgcreate", "lvcreate" })
            rules[name] = call => call.Has("-ff") || call.HasShort('y') ? Verdict.Data("lvm.overwrite", $"{call.Program} overwrites existing signatures") : Verdict.Service("lvm.create", $"{call.Program} creates storage");
        foreach (var name in new[] { "lvextend", "lvresize", "vgextend", "lvchange", "vgchange", "lvrename", "vgrename" })
            rules[name] = call => call.Program == "lvresize" && call.Args.Any(a => a.StartsWith("-L-", StringComparison.Ordinal) || a.StartsWith("--size=-", StringComparison.Ordinal))
                ? Verdict.Data("lvm.remove", "shrinks a logical volume")
                : Verdict.Service("lvm.change", $"{call.Program} changes volumes");
        foreach (var name in new[] { "pvs", "vgs", "lvs", "pvdisplay", "vgdisplay", "lvdisplay", "pvscan", "vgscan", "lvscan" })
            rules[name] = call => Verdict.Read("lvm.list", "lists volumes");
        return rules;
    }

    private static string Joined(Invocation call) => string.Join(' ', call.Positionals().Select(w => w.Text));

    private static Verdict Dd(Invocation call)
    {
        var target = call.Words.FirstOrDefault(w => w.Parts.FirstOrDefault() is LiteralPart l && l.Text.StartsWith("of=", StringComparison.Ordinal));
        if (target is null) return Verdict.Read("dd.stdout", "copies to standard output");
        var first = (LiteralPart)target.Parts[0];
        var rest = first.Text[3..];
        IReadOnlyList<WordPart> parts = rest.Length > 0 ? [new LiteralPart(rest, first.Quoted, rest), .. target.Parts.Skip(1)] : target.Parts.Skip(1).ToList();
        var path = new ShellWord(parts, target.Raw.Length > 3 ? target.Raw[3..] : "");
        return Targets.Write(path, "dd", replaces: !call.Args.Contains("conv=notrunc") || Paths.Kind(path) == PathKind.Disk);
    }

    private static Verdict Format(Invocation call)
    {
        var devices = call.Positionals("-t", "-L", "-b", "-c", "-E", "-g", "-G", "-i", "-I", "-j", "-J", "-l", "-m", "-M", "-N", "-o", "-O", "-r", "-T", "-U", "-n");
        return Verdict.Data("mkfs.format", $"creates a new filesystem on {string.Join(' ', devices.Select(d => d.Text))}, destroying what was there");
    }

    private static Verdict ListOr(Invocation call, string program, bool lists) => lists
        ? Verdict.Read($"{program}.list", "lists partitions")
        : Verdict.Data($"{program}.partition", $"changes the partition table of {Joined(call)}");

    private static Verdict Parted(Invocation call)
    {
        var words = call.Positionals("-a", "--align").Select(w => w.Text).ToList();
        var commands = words.Skip(1).ToList();
        if (call.HasShort('l') || call.Has("--list") || commands.All(c => c is "print" or "p" or "unit" or "s" or "B" or "MB" or "GB" or "free" or "list" or "all" or "help") && commands.Count > 0)
            return Verdict.Read("parted.list", "prints partitions");
        return Verdict.Data("parted.partition", $"changes the partition table of {words.FirstOrDefault()}");
    }

    private static Verdict Check(Invocation call) =>
        call.HasShort('n') || call.HasShort('N') ? Verdict.Read($"{call.Program}.check", "only checks (-n)")
            : Verdict.Destructive($"{call.Program}.repair", "repairs a filesystem in place; files it cannot fix are lost");

    /// <summary>Tools shaped <c>TOOL SUBCOMMAND ...</c> judged by the sub-command.</summary>
    public static Verdict Subcommand(Invocation call, string program, string[] read, string[] data, string[] destructive)
    {
        var sub = call.Positionals().Select(w => w.Text).FirstOrDefault() ?? "";
        if (read.Contains(sub) || sub.Length == 0) return Verdict.Read($"{program}.{(sub.Length == 0 ? "help" : sub)}", $"{program} {sub} only reads");
        if (data.Contains(sub)) return Verdict.Data($"{program}.{sub}", $"{program} {sub} destroys or rewrites stored data");
        if (destructive.Contains(sub)) return Verdict.Destructive($"{program}.{sub}", $"{program} {sub} cannot be undone");
        return Verdict.Service($"{program}.change", $"{program} {sub} changes the system");
    }
}
