using System.Text.RegularExpressions;
using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification;

/// <summary>What a path is, as far as harm goes. A path only partly known (a glob, a variable) is judged by its known start.</summary>
internal enum PathKind
{
    /// <summary>Temporary files and harmless sinks: /tmp/x, /var/tmp/x, /dev/null, /dev/stdout, /proc/self/fd/N.</summary>
    Safe,
    /// <summary>/tmp or /var/tmp as a whole (or anything directly in it): other programs' files live there too.</summary>
    TempRoot,
    /// <summary>Where databases and stores keep their data, and data files (*.db, dump.rdb, ...).</summary>
    Data,
    /// <summary>Backups: /var/backups, /backup, .../backups/... Removing them loses data; writing a new one is routine.</summary>
    Backup,
    /// <summary>A directory that contains data directories: /, /var, /var/lib, ...</summary>
    DataAncestor,
    /// <summary>A block device: /dev/sda, /dev/nvme0n1p1, /dev/mapper/vg-lv, ...</summary>
    Disk,
    /// <summary>Files whose damage breaks logins, boot or the system itself: /etc/passwd, /etc/sudoers, /boot, /usr/bin, ...</summary>
    Critical,
    /// <summary>Log files: /var/log/**, *.log.</summary>
    Log,
    /// <summary>Any other path of the system: /etc/**, /usr/**, /opt/**, /var/**, ...</summary>
    System,
    /// <summary>Relative paths and paths outside the system directories.</summary>
    Other,
    /// <summary>Nothing is known: the path starts with an expansion.</summary>
    Unknown,
}

internal static partial class Paths
{
    public static readonly string[] TempRoots = ["/tmp", "/var/tmp"];

    private static readonly HashSet<string> SafeSinks = ["/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/tty", "/dev/console"];

    /// <summary>Where data stores keep their data. Removing or overwriting anything in them loses data.</summary>
    public static readonly string[] DataRoots =
    [
        "/var/lib/postgresql", "/var/lib/pgsql", "/var/lib/mysql", "/var/lib/mariadb", "/var/lib/redis", "/var/lib/valkey",
        "/var/lib/mongodb", "/var/lib/mongo", "/var/lib/elasticsearch", "/var/lib/opensearch", "/var/lib/cassandra",
        "/var/lib/kafka", "/var/lib/zookeeper", "/var/lib/rabbitmq", "/var/lib/influxdb", "/var/lib/clickhouse",
        "/var/lib/etcd", "/var/lib/docker/volumes", "/var/lib/containers/storage/volumes", "/var/lib/minio",
        "/var/lib/couchdb", "/var/lib/neo4j", "/var/lib/prometheus", "/var/lib/grafana", "/var/lib/loki",
        "/var/lib/ceph", "/var/lib/longhorn", "/var/lib/kubelet/pods", "/var/lib/rancher/k3s/storage", "/var/lib/vault",
        "/var/lib/consul", "/var/lib/mysql-files", "/var/opt/mssql", "/data", "/srv/data",
    ];

    private static readonly HashSet<string> DataSegments =
        ["data", "pgdata", "pg_wal", "pg_xlog", "datadir", "database", "databases"];

    private static readonly string[] BackupRoots = ["/var/backups", "/backup", "/backups"];

    private static readonly HashSet<string> BackupSegments = ["backup", "backups", "snapshots"];

    private static readonly string[] DataExtensions =
        [".db", ".sqlite", ".sqlite3", ".rdb", ".aof", ".ibd", ".myd", ".myi", ".frm", ".wt", ".mdf", ".ldf"];

    private static readonly string[] CriticalPaths =
    [
        "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d", "/etc/fstab",
        "/etc/crypttab", "/etc/pam.d", "/etc/ld.so.preload", "/etc/ld.so.conf", "/etc/ssh", "/etc/security", "/etc/default/grub",
        "/root/.ssh", "/boot", "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/lib", "/lib64", "/usr/lib", "/usr/lib64",
        "/proc/sysrq-trigger", "/dev/mem", "/dev/kmem", "/dev/port",
        // Files whose content runs as root later: writing them is running code.
        "/etc/crontab", "/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly", "/var/spool/cron",
        "/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system", "/etc/profile", "/etc/profile.d", "/etc/bash.bashrc", "/etc/environment",
        "/etc/rc.local", "/etc/init.d", "/etc/ld.so.conf.d", "/etc/modprobe.d", "/etc/udev/rules.d", "/root/.bashrc", "/root/.profile", "/etc/sudo.conf",
    ];

    private static readonly string[] SystemRoots =
        ["/etc", "/usr", "/var", "/opt", "/root", "/home", "/srv", "/boot", "/proc", "/sys", "/run", "/dev", "/lib", "/lib64", "/bin", "/sbin", "/snap", "/mnt", "/media"];

    public static PathKind Kind(ShellWord word)
    {
        if (word.Parts.Count == 0) return PathKind.Other;
        if (word.Parts[0] is not LiteralPart) return PathKind.Unknown;
        return Kind(word.KnownPrefix, word.IsExact);
    }

    /// <summary>Judges <paramref name="text"/>; when <paramref name="exact"/> is false it is only the start of the path.</summary>
    public static PathKind Kind(string text, bool exact)
    {
        if (text.Length == 0)
        {
            // "*" after "cd /var/lib/mysql" is everything in /var/lib/mysql.
            if (exact) return PathKind.Other;
            if (PathContext.WorkingDirectory is not { Length: > 0 } cwd) return PathKind.Unknown;
            text = cwd.TrimEnd('/') + "/";
        }
        text = Absolute(text);
        if (text.Length == 0) return PathKind.Unknown;
        if (!text.StartsWith('/')) return HasDataShape(text) ? PathKind.Data : text.Split('/').Any(BackupSegments.Contains) ? PathKind.Backup : PathKind.Other;
        // A partly known path "/var/lib/" means anything under /var/lib; "/var/lib/my" anything starting so.
        var path = Normalize(text, out _);
        // /proc/PID/root/etc is /etc as that process sees it (the host's for PID 1); /proc/PID/cwd is wherever it runs.
        var viaProc = ProcRoot().Match(path);
        if (viaProc.Success)
        {
            if (viaProc.Groups["kind"].Value == "cwd") return PathKind.Unknown;
            path = "/" + viaProc.Groups["rest"].Value.TrimStart('/');
        }
        var inventory = PathContext.Inventory;
        if (inventory.ContainsPath(path)) return PathKind.Data;
        if (inventory.IsAncestorOf(path) && path != "/tmp" && path != "/var/tmp") return PathKind.DataAncestor;

        if (SafeSinks.Contains(path) && exact || FdPath().IsMatch(path)) return PathKind.Safe;
        foreach (var temp in TempRoots)
        {
            if (path == temp) return PathKind.TempRoot;
            if (path.StartsWith(temp + "/", StringComparison.Ordinal)) return PathKind.Safe;
        }
        if (DiskDevice().IsMatch(path) || VolumeGroupDevice().IsMatch(path)) return PathKind.Disk;
        if (IsUnder(path, DataRoots) || HasDataShape(path)) return PathKind.Data;
        if (IsUnder(path, BackupRoots) || path.Split('/').Any(BackupSegments.Contains)) return PathKind.Backup;
        if (DataRoots.Concat(BackupRoots).Any(root => IsUnder(root, [path]) || !exact && root.StartsWith(path, StringComparison.Ordinal))) return PathKind.DataAncestor;
        if (IsUnder(path, CriticalPaths) || AuthorizedKeys().IsMatch(path) || SystemRoots.Contains(path)) return PathKind.Critical;
        if (path.StartsWith("/var/log/", StringComparison.Ordinal) || path == "/var/log" || LogFile().IsMatch(path)) return PathKind.Log;
        if (IsUnder(path, SystemRoots)) return PathKind.System;
        return PathKind.Other;
    }

    /// <summary>True when the word is under /tmp or /var/tmp (not a sink such as /dev/null): writing there needs a private /tmp to stay harmless.</summary>
    public static bool IsTemp(ShellWord word)
    {
        var text = word.KnownPrefix;
        if (text.Length == 0 || text[0] != '/') return false;
        var path = Normalize(text, out _);
        return TempRoots.Any(t => path == t || path.StartsWith(t + "/", StringComparison.Ordinal));
    }

    /// <summary>True when the text names a data path anywhere in it (used to judge code that cannot be read, such as python -c).</summary>
    public static bool MentionsData(string text) =>
        DataRoots.Any(root => text.Contains(root, StringComparison.Ordinal)) || DataExtensions.Any(e => text.Contains(e + "'") || text.Contains(e + "\""))
        || DiskDevice().IsMatch(text);

    /// <summary>Home directories of the service accounts that own data: ~postgres/14/main is a data directory.</summary>
    private static readonly Dictionary<string, string> ServiceHomes = new()
    {
        ["root"] = "/root", ["postgres"] = "/var/lib/postgresql", ["mysql"] = "/var/lib/mysql", ["redis"] = "/var/lib/redis",
        ["mongodb"] = "/var/lib/mongodb", ["elasticsearch"] = "/var/lib/elasticsearch", ["etcd"] = "/var/lib/etcd", ["kafka"] = "/var/lib/kafka",
        ["rabbitmq"] = "/var/lib/rabbitmq", ["clickhouse"] = "/var/lib/clickhouse", ["influxdb"] = "/var/lib/influxdb", ["cassandra"] = "/var/lib/cassandra",
        ["zookeeper"] = "/var/lib/zookeeper", ["minio"] = "/var/lib/minio", ["ceph"] = "/var/lib/ceph",
    };

    /// <summary>
    /// ~user/x becomes that user's home (a service account's home is its data directory); a relative path is joined to
    /// the working directory when a <c>cd</c> earlier on the line set it, and is "" (unknown) when that directory is known only at run time.
    /// </summary>
    private static string Absolute(string text)
    {
        if (text[0] == '~' && text.Length > 1 && text[1] != '/')
        {
            var slash = text.IndexOf('/');
            var user = slash < 0 ? text[1..] : text[1..slash];
            var home = ServiceHomes.TryGetValue(user, out var known) ? known : "/home/" + user;
            return home + (slash < 0 ? "" : text[slash..]);
        }
        if (text[0] is '/' or '~') return text;
        return PathContext.WorkingDirectory switch
        {
            null => text,
            "" => "",
            var cwd => cwd.TrimEnd('/') + "/" + text,
        };
    }

    private static bool HasDataShape(string path)
    {
        if (path.StartsWith("/etc/", StringComparison.Ordinal) || path.StartsWith("/proc/", StringComparison.Ordinal) || path.StartsWith("/sys/", StringComparison.Ordinal)) return false;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(DataSegments.Contains)) return true;
        var name = segments.LastOrDefault() ?? "";
        return DataExtensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase)) || name is "dump.rdb" or "appendonly.aof" or "ibdata1";
    }

    private static bool IsUnder(string path, IEnumerable<string> roots) =>
        roots.Any(root => path == root || path.StartsWith(root + "/", StringComparison.Ordinal) || root == "/");

    /// <summary>Collapses //, /./ and /../ so that /tmp/../etc/passwd is judged as /etc/passwd.</summary>
    public static string Normalize(string path, out bool endsInSlash)
    {
        endsInSlash = path.EndsWith('/');
        var stack = new List<string>();
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".") continue;
            if (segment == "..")
            {
                if (stack.Count > 0) stack.RemoveAt(stack.Count - 1);
                continue;
            }
            stack.Add(segment);
        }
        return "/" + string.Join('/', stack);
    }

    [GeneratedRegex(@"^/(dev/fd|proc/self/fd|proc/\d+/fd)/\d+$")]
    private static partial Regex FdPath();

    [GeneratedRegex(@"/dev/(sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|md\d|md/|dm-\d|mapper/|disk/|loop\d|zd\d|zvol/|rbd\d|nbd\d|bcache\d|cciss/|drbd\d|block/|sr\d|sd$|nvme$)")]
    private static partial Regex DiskDevice();

    /// <summary>/dev/VG/LV (LVM logical volumes) and other two-level device paths that are not pseudo-devices.</summary>
    [GeneratedRegex(@"^/dev/(?!(pts|shm|fd|mqueue|hugepages|net|input|snd|bus|char|cpu|dri|usb|serial|v4l|tcp|udp|log|core|vfio|hidraw|bsg|ptmx)(/|$))[A-Za-z0-9_.+-]+/[A-Za-z0-9_.+:-]+$")]
    private static partial Regex VolumeGroupDevice();

    [GeneratedRegex(@"^/proc/[^/]+/(?<kind>root|cwd)(?<rest>/.*)?$")]
    private static partial Regex ProcRoot();

    [GeneratedRegex(@"/\.ssh/authorized_keys2?$")]
    private static partial Regex AuthorizedKeys();

    [GeneratedRegex(@"\.log(\.\d+)?(\.gz)?$")]
    private static partial Regex LogFile();
}
