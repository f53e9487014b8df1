namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Backup tools: pgBackRest, WAL-G, Barman, restic, borg. Listing and checking read; taking a backup changes
/// the repository (service-mutation); restoring overwrites a data directory and expiring or forgetting deletes
/// backups (data-mutation).
/// </summary>
internal static class Backups
{
    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new()
    {
        ["pgbackrest"] = call => new VerbTable("pgbackrest", ["--stanza", "--config", "--log-level-console", "--output", "--repo", "--set", "--type", "--target", "--pg1-path", "--process-max"],
            Read: ["info", "check", "version", "help", "verify", "repo-ls", "repo-get", "annotate --dry-run"],
            Service: ["backup", "archive-push", "archive-get", "stanza-create", "stanza-upgrade", "start", "annotate", "server", "server-ping"],
            Destructive: ["stop"],
            Data: ["restore", "expire", "stanza-delete"]).Judge(call),
        ["wal-g"] = new VerbTable("wal-g", ["--config", "--turbo"],
            Read: ["backup-list", "wal-show", "wal-verify", "st ls", "st cat", "st check*", "catchup-list", "version", "backup-info*", "flags"],
            Service: ["backup-push", "wal-push", "wal-fetch", "catchup-push", "backup-mark", "st put"],
            Destructive: [],
            Data: ["backup-fetch", "delete*", "st rm", "catchup-fetch", "wal-restore", "copy", "daemon"]).Judge,
        ["barman"] = new VerbTable("barman", ["-c", "--config", "-f", "--format"],
            Read: ["list-servers", "list-backups", "list-backup", "list-files", "show-server", "show-servers", "show-backup", "show-backups", "status", "check", "check-backup", "diagnose", "replication-status", "get-wal", "verify-backup", "list-processes", "version"],
            Service: ["backup", "switch-wal", "switch-xlog", "cron", "receive-wal", "archive-wal", "keep", "put-wal", "sync-info", "sync-backup", "sync-wals", "generate-manifest"],
            Destructive: [],
            Data: ["recover", "restore", "delete", "keep --release", "receive-wal --reset", "receive-wal --drop-slot"]).Judge,
        ["restic"] = new VerbTable("restic", ["-r", "--repo", "--repository-file", "-p", "--password-file", "--password-command", "--cache-dir", "--tag", "--host", "--path", "-o", "--option", "--limit-upload", "--limit-download"],
            Read: ["snapshots", "ls", "stats", "check", "find", "diff", "cat", "dump", "version", "list", "key list", "tag --dry-run", "forget --dry-run", "prune --dry-run", "cache", "generate", "self-update --dry-run"],
            Service: ["backup", "init", "tag", "key add", "key passwd", "copy", "rebuild-index", "repair*", "unlock", "mount"],
            Destructive: ["key remove"],
            Data: ["forget", "prune", "restore", "rewrite", "migrate"]).Judge,
        ["borg"] = new VerbTable("borg", ["--rsh", "--remote-path", "--lock-wait"],
            Read: ["list", "info", "check", "diff", "extract --dry-run", "export-tar", "key export", "version", "benchmark*", "config"],
            Service: ["create", "init", "rcreate", "key change-passphrase", "key import", "mount", "umount", "break-lock", "compact --dry-run", "with-lock", "upgrade", "recreate --dry-run", "rename"],
            Destructive: [],
            Data: ["delete", "prune", "compact", "recreate", "extract", "rdelete"]).Judge,
    };
}
