namespace Opsmith.Lab.Bench;

/// <summary>
/// The answer key for diagnosis tasks: which lab fault type a hypothesis id of the catalog's findings stands for.
/// It lives with the lab (which may name its faults), never in agent code. A hypothesis not listed is its own answer.
/// CatalogCoverageTests checks that every hypothesis a catalog finding names is listed here.
/// </summary>
public static class DiagnosisKey
{
    public static readonly IReadOnlyDictionary<string, string> Faults = new Dictionary<string, string>
    {
        ["service-down"] = "service-crash",
        ["nginx-down"] = "service-crash",
        ["service-hung"] = "service-hang",
        ["disk-full"] = "disk-full",
        ["old-rotated-logs"] = "disk-full",
        ["runaway-log-writer"] = "log-explosion",
        ["traffic-shaping"] = "latency",
        ["undeclared-firewall-rule"] = "network-partition",
        ["nginx-config-changed"] = "nginx-bad-config",
        ["nginx-upstream-unreachable"] = "nginx-bad-config",
        ["tls-certificate-expired"] = "tls-expired",
        ["postgres-connections-exhausted"] = "postgres-connections",
        ["postgres-idle-in-transaction"] = "postgres-connections",
        ["redis-out-of-memory"] = "redis-oom",
        ["redis-writes-paused"] = "redis-paused",
        ["runaway-cpu-process"] = "cpu-hog",
        ["runaway-memory-process"] = "memory-hog",
        ["sshd-down"] = "sshd-killed",
    };

    public static string? FaultOf(string hypothesis) => Faults.GetValueOrDefault(hypothesis, hypothesis);
}
