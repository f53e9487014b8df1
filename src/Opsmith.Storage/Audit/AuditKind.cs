namespace Opsmith.Storage.Audit;

/// <summary>What an audit record is about. Stored and hashed by its wire name (<c>run-started</c>, …).</summary>
public enum AuditKind
{
    RunStarted,
    RunFinished,
    RunInterrupted,
    Decision,
    Command,
    /// <summary>A person switched the kill switch on or off; <see cref="AuditFacts.Outcome"/> says which, the detail why.</summary>
    KillSwitch,
    /// <summary>An incident was opened, held, released or resolved; run id is the incident id, the outcome the new status.</summary>
    Incident,
    /// <summary>An agent session started or ended; run id is the session id, the outcome its status.</summary>
    AgentSession,
}

/// <summary>The outcome of a policy decision, recorded on <see cref="AuditKind.Decision"/> records only.</summary>
public enum AuditDecision
{
    Allowed,
    Blocked,
    ApprovalRequested,
    ApprovalGranted,
    ApprovalDenied,
    /// <summary>Nobody answered an approval request in time; the detail says which outcome applied (cancelled or denied).</summary>
    ApprovalExpired,
}

/// <summary>
/// The stable text names of kinds and decisions: what the database stores, the canonical form hashes and
/// exports show. Renaming an enum member must never change these strings, or old chains stop verifying.
/// </summary>
public static class AuditNames
{
    public static string ToWireName(this AuditKind kind) => kind switch
    {
        AuditKind.RunStarted => "run-started",
        AuditKind.RunFinished => "run-finished",
        AuditKind.RunInterrupted => "run-interrupted",
        AuditKind.Decision => "decision",
        AuditKind.Command => "command",
        AuditKind.KillSwitch => "kill-switch",
        AuditKind.Incident => "incident",
        AuditKind.AgentSession => "agent-session",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown audit kind"),
    };

    public static string ToWireName(this AuditDecision decision) => decision switch
    {
        AuditDecision.Allowed => "allowed",
        AuditDecision.Blocked => "blocked",
        AuditDecision.ApprovalRequested => "approval-requested",
        AuditDecision.ApprovalGranted => "approval-granted",
        AuditDecision.ApprovalDenied => "approval-denied",
        AuditDecision.ApprovalExpired => "approval-expired",
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, "unknown audit decision"),
    };

    public static IReadOnlyList<string> KindNames { get; } = Enum.GetValues<AuditKind>().Select(k => k.ToWireName()).ToArray();

    public static IReadOnlyList<string> DecisionNames { get; } = Enum.GetValues<AuditDecision>().Select(d => d.ToWireName()).ToArray();

    public static bool TryParseKind(string? text, out AuditKind kind)
    {
        foreach (var candidate in Enum.GetValues<AuditKind>())
            if (string.Equals(candidate.ToWireName(), text, StringComparison.Ordinal)) { kind = candidate; return true; }
        kind = default;
        return false;
    }

    /// <summary>Parses <c>approval-granted</c> and friends (what <c>opsmith audit list --decision</c> accepts).</summary>
    public static bool TryParseDecision(string? text, out AuditDecision decision)
    {
        foreach (var candidate in Enum.GetValues<AuditDecision>())
            if (string.Equals(candidate.ToWireName(), text, StringComparison.Ordinal)) { decision = candidate; return true; }
        decision = default;
        return false;
    }
}
