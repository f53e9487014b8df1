namespace Opsmith.Storage.Approvals;

/// <summary>
/// One step of one run on one host that waits for a person to say yes or no (docs/approvals.md).
/// Approval is per step, not per run: a run with three such steps makes three requests.
/// </summary>
/// <param name="Id">Short, unique and easy to type (<c>ap-7f3k2</c>): what <c>opsmith approvals approve ID</c> takes.</param>
/// <param name="RunId">The run the step belongs to (the audit trail's run id).</param>
/// <param name="Proposer">Who or what proposed the step, as actor text: <c>user:alice</c>, <c>agent:opsmith</c>. Can never approve it.</param>
/// <param name="Skill">The skill's name.</param>
/// <param name="SkillHash">SHA-256 of the skill file as loaded, carried into the audit records of the request.</param>
/// <param name="Host">The inventory host the step would run on.</param>
/// <param name="Step">The step's name within the skill (for example <c>actions/restart</c>).</param>
/// <param name="Command">
/// The exact rendered command that would run, ALREADY MASKED by the caller: the store writes it verbatim, shows it to
/// approvers and copies it into the audit trail, where a secret could never be removed again.
/// </param>
/// <param name="Tier">The risk tier that made approval necessary, as kebab text (<c>destructive</c>, <c>data-mutation</c>).</param>
/// <param name="Reason">Why approval is needed: the policy engine's reason.</param>
/// <param name="Created">When the store created the request (its injected clock, microseconds, UTC).</param>
/// <param name="Expires">After this moment nobody can approve it; the configured expiry outcome applies.</param>
/// <param name="Status">Where it is in its life (<see cref="ApprovalStatus"/>).</param>
/// <param name="DecidedBy">Who approved or denied it, <c>opsmith</c> when it expired; null while pending.</param>
/// <param name="DecidedAt">When it was decided or expired; null while pending.</param>
/// <param name="DecisionNote">The decider's note (<c>--note</c>), or how it expired.</param>
public sealed record ApprovalRequest(
    string Id,
    string RunId,
    string Proposer,
    string Skill,
    string SkillHash,
    string Host,
    string Step,
    string Command,
    string Tier,
    string Reason,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    ApprovalStatus Status,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? DecisionNote);

/// <summary>
/// The life of a request: <see cref="Pending"/> until a person approves or denies it or it expires.
/// <see cref="Expired"/> is what readers see for a request still pending past its expiry that nobody has swept yet
/// (<see cref="IApprovalStore.ExpireDueAsync"/> then turns it into <see cref="Cancelled"/> or <see cref="Denied"/>,
/// as configured); it is never stored.
/// </summary>
public enum ApprovalStatus
{
    Pending,
    Approved,
    Denied,
    Expired,
    Cancelled,
}

/// <summary>The stable text names of statuses: stored in the database, shown by the CLI and its JSON.</summary>
public static class ApprovalStatusNames
{
    public static string ToWireName(this ApprovalStatus status) => status switch
    {
        ApprovalStatus.Pending => "pending",
        ApprovalStatus.Approved => "approved",
        ApprovalStatus.Denied => "denied",
        ApprovalStatus.Expired => "expired",
        ApprovalStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown approval status"),
    };

    public static IReadOnlyList<string> All { get; } = Enum.GetValues<ApprovalStatus>().Select(s => s.ToWireName()).ToArray();

    public static bool TryParse(string? text, out ApprovalStatus status)
    {
        foreach (var candidate in Enum.GetValues<ApprovalStatus>())
            if (string.Equals(candidate.ToWireName(), text, StringComparison.Ordinal)) { status = candidate; return true; }
        status = default;
        return false;
    }
}
