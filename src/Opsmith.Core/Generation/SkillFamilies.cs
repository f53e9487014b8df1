using Opsmith.Core.Skills;
using Opsmith.Core.TaskCards;
using static Opsmith.Core.Generation.SkillDraft;

namespace Opsmith.Core.Generation;

/// <summary>
/// The skill families of the template generator. Each writes real commands for a Debian/systemd host or a
/// Kubernetes cluster reached with kubectl; inputs carry the card's values as defaults so the skill can be
/// reused for other hosts and services.
/// </summary>
internal static class SkillFamilies
{
    public static readonly IReadOnlyList<SkillFamily> All =
    [
        new("restart", "restart a systemd unit and wait until it is active",
            ["restart", "down", "crash", "crashed", "stopped", "dead", "hung", "hang", "unresponsive", "refused", "failed"], Restart),
        new("rollout-restart", "rolling restart of a Kubernetes deployment, undone with rollout undo",
            ["kubernetes", "k8s", "deployment", "pod", "pods", "rollout", "kubectl"], RolloutRestart),
        new("scale", "scale a Kubernetes deployment, restoring the previous replica count on failure",
            ["scale", "replicas", "capacity", "overloaded", "saturated", "saturation", "traffic", "load"], Scale),
        new("clear-disk", "delete rotated logs older than N days until the filesystem is below a threshold",
            ["disk", "full", "space", "enospc", "filesystem", "inode", "inodes", "usage"], ClearDisk),
        new("rotate-logs", "force logrotate for a service whose logs grow too fast",
            ["log", "logs", "rotate", "rotation", "logrotate", "verbose", "volume"], RotateLogs),
        new("check-health", "read-only health check: process running and port open", ["health", "check", "detect"], CheckHealth),
        new("collect-diagnostics", "read-only bundle of status, logs and resource usage", ["diagnose", "diagnostics", "why"], CollectDiagnostics),
    ];

    private static Skill Restart(TaskCard card) => Skill(card, "restart", $"Restart {card.Service}", "service", Stage.Recovery,
        RiskTier.ServiceMutation,
        [HostInput(card), Input("unit", InputType.String, Param(card, "unit", card.Service), "systemd unit to restart.")],
        [Check("unit-exists", "systemctl cat -- {{ inputs.unit }} >/dev/null")],
        [Action("restart-unit", "systemctl restart -- {{ inputs.unit }}", RiskTier.ServiceMutation,
            check: "systemctl cat -- {{ inputs.unit }} >/dev/null", onFailure: FailurePolicy.Rollback, timeout: TimeSpan.FromSeconds(90))],
        [Check("unit-active", "systemctl is-active --quiet -- {{ inputs.unit }}", Retry(10, 3))],
        new RollbackPlan([Undo("start-unit", "systemctl start -- {{ inputs.unit }}")], null),
        TimeSpan.FromMinutes(5));

    private static Skill RolloutRestart(TaskCard card) => Skill(card, "rollout-restart", $"Rolling restart of {card.Service}", "kubernetes",
        Stage.Recovery, RiskTier.ServiceMutation,
        [HostInput(card), Deployment(card), Namespace(card)],
        [Check("deployment-exists", "kubectl -n {{ inputs.namespace }} get deployment {{ inputs.deployment }}")],
        [Action("rollout-restart", "kubectl -n {{ inputs.namespace }} rollout restart deployment {{ inputs.deployment }}",
            RiskTier.ServiceMutation, check: "kubectl -n {{ inputs.namespace }} rollout history deployment {{ inputs.deployment }}",
            onFailure: FailurePolicy.Rollback)],
        [Check("rollout-complete", "kubectl -n {{ inputs.namespace }} rollout status deployment {{ inputs.deployment }} --timeout=180s", Retry(3, 10))],
        new RollbackPlan([Undo("rollout-undo", "kubectl -n {{ inputs.namespace }} rollout undo deployment {{ inputs.deployment }}")], null),
        TimeSpan.FromMinutes(10));

    private static Skill Scale(TaskCard card) => Skill(card, "scale", $"Scale {card.Service}", "kubernetes", Stage.Recovery,
        RiskTier.ServiceMutation,
        [HostInput(card), Deployment(card), Namespace(card),
         Input("replicas", InputType.Int, Param(card, "replicas", "3"), "Replica count to scale to.", 0, 1000)],
        [Check("current-replicas", "kubectl -n {{ inputs.namespace }} get deployment {{ inputs.deployment }} -o jsonpath='{.spec.replicas}'",
            expect: new RunExpectation(0, null, null, "^[0-9]+$", null))],
        [Action("scale-deployment", "kubectl -n {{ inputs.namespace }} scale deployment {{ inputs.deployment }} --replicas={{ inputs.replicas }}",
            RiskTier.ServiceMutation, check: "kubectl -n {{ inputs.namespace }} get deployment {{ inputs.deployment }}",
            onFailure: FailurePolicy.Rollback)],
        [Check("rollout-complete", "kubectl -n {{ inputs.namespace }} rollout status deployment {{ inputs.deployment }} --timeout=180s", Retry(3, 10))],
        new RollbackPlan([Undo("restore-replicas",
            "kubectl -n {{ inputs.namespace }} scale deployment {{ inputs.deployment }} --replicas={{ preconditions.current-replicas.stdout }}")], null),
        TimeSpan.FromMinutes(10));

    private const string RotatedLogs = @"-type f \( -name '*.gz' -o -name '*.[0-9]' -o -name '*.old' \) -mtime +{{ inputs.older_than_days }}";

    private static Skill ClearDisk(TaskCard card) => Skill(card, "clear-disk", $"Free disk space used by {card.Service} logs", "disk",
        Stage.Recovery, RiskTier.Destructive,
        [HostInput(card),
         Input("path", InputType.String, Param(card, "path", "/var/log"), "Folder whose rotated logs may be deleted."),
         Input("older_than_days", InputType.Int, Param(card, "older_than_days", "7"), "Delete rotated logs older than this many days.", 1, 3650),
         Input("max_use_percent", InputType.Int, Param(card, "max_use_percent", "90"), "The filesystem must end below this use percentage.", 1, 100)],
        [Check("path-is-folder", "test -d {{ inputs.path }}")],
        [Action("disk-usage-before", "df -P {{ inputs.path }}", RiskTier.Read),
         Action("delete-rotated-logs", $"find {{{{ inputs.path }}}} -xdev {RotatedLogs} -print -delete", RiskTier.Destructive,
            check: $"find {{{{ inputs.path }}}} -xdev {RotatedLogs} -print")],
        [Check("below-threshold",
            // The pipeline's status is awk's: when df fails (no such folder) awk sees no line 2, which must fail too.
            "df -P {{ inputs.path }} | awk -v max={{ inputs.max_use_percent }} 'NR == 2 { sub(\"%\", \"\", $5); used = $5 + 0 } END { exit (NR < 2 || used >= max + 0) }'")],
        new RollbackPlan([], "deleted rotated logs cannot be restored; the dry run lists every file that --execute would delete"));

    private static Skill RotateLogs(TaskCard card) => Skill(card, "rotate-logs", $"Rotate {card.Service} logs now", "logs",
        Stage.Recovery, RiskTier.Destructive,
        [HostInput(card),
         Input("config", InputType.String, Param(card, "config", $"/etc/logrotate.d/{card.Service}"), "logrotate configuration to force."),
         Input("log_dir", InputType.String, Param(card, "log_dir", $"/var/log/{card.Service}"), "Folder holding the service's logs."),
         Input("max_size_mb", InputType.Int, Param(card, "max_size_mb", "100"), "No active *.log may be larger than this afterwards.", 1, 1_000_000)],
        [Check("config-parses", "logrotate --debug {{ inputs.config }}")],
        [Action("force-rotate", "logrotate --force {{ inputs.config }}", RiskTier.Destructive, check: "logrotate --debug {{ inputs.config }}")],
        [Check("active-logs-small", "find {{ inputs.log_dir }} -maxdepth 1 -name '*.log' -size +{{ inputs.max_size_mb }}M",
            expect: new RunExpectation(0, null, null, "^$", null))],
        new RollbackPlan([], "logrotate renames and compresses logs and drops the oldest rotation; that cannot be undone"));

    private static Skill CheckHealth(TaskCard card) => Skill(card, "check-health", $"Check {card.Service} health", "service",
        card.Stage == Stage.Verification ? Stage.Verification : Stage.Detection, RiskTier.Read,
        [HostInput(card),
         Input("process", InputType.String, Param(card, "process", card.Service), "Process name that must be running."),
         Input("port", InputType.Int, Param(card, "port", DefaultPort(card.Service)), "TCP port the service listens on.", 1, 65535)],
        [],
        [Action("process-running", "pgrep -x -- {{ inputs.process }}", RiskTier.Read),
         // ss exits 0 whether or not a socket matches; grep makes "nothing listens" a failure.
         Action("port-listening", "ss -Hltn sport = :{{ inputs.port }} | grep -q .", RiskTier.Read)],
        [Check("port-open", new TcpProbe("{{ target.address }}", "{{ inputs.port }}", TcpExpectation.Open), Retry(3, 2))],
        RollbackPlan.Missing);

    private static Skill CollectDiagnostics(TaskCard card) => Skill(card, "collect-diagnostics", $"Collect {card.Service} diagnostics",
        "diagnostics", Stage.Diagnosis, RiskTier.Read,
        [HostInput(card), Input("unit", InputType.String, Param(card, "unit", card.Service), "systemd unit to inspect.")],
        [],
        [Action("system-overview", "uptime; free -m; df -hP", RiskTier.Read, onFailure: FailurePolicy.Continue),
         Action("unit-status", "systemctl status --no-pager --lines=0 -- {{ inputs.unit }} || true", RiskTier.Read, onFailure: FailurePolicy.Continue),
         Action("recent-logs", "journalctl --no-pager --since=-1h --lines=200 --unit={{ inputs.unit }}", RiskTier.Read, onFailure: FailurePolicy.Continue),
         Action("top-processes", "ps -eo pid,ppid,stat,pcpu,pmem,rss,etime,comm --sort=-pcpu | head -n 20", RiskTier.Read, onFailure: FailurePolicy.Continue),
         Action("listening-sockets", "ss -Hltnp", RiskTier.Read, onFailure: FailurePolicy.Continue)],
        [],
        RollbackPlan.Missing);

    private static InputDefinition Deployment(TaskCard card) =>
        Input("deployment", InputType.String, Param(card, "deployment", card.Service), "Kubernetes deployment name.");

    private static InputDefinition Namespace(TaskCard card) =>
        Input("namespace", InputType.String, Param(card, "namespace", "default"), "Kubernetes namespace.");

    private static string DefaultPort(string service) => service.ToLowerInvariant() switch
    {
        "redis" or "redis-server" => "6379",
        "postgresql" or "postgres" => "5432",
        "mysql" or "mariadb" => "3306",
        "ssh" or "sshd" => "22",
        _ => "80",
    };
}
