using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Approvals;

/// <summary>One row of <c>approval_requests</c> as the database returns it (times: SQLite text, PostgreSQL DateTime).</summary>
internal sealed class ApprovalRow
{
    public const string Columns =
        "id AS Id, run_id AS RunId, proposer AS Proposer, skill AS Skill, skill_hash AS SkillHash, host AS Host, step AS Step, " +
        "command AS Command, tier AS Tier, reason AS Reason, created_utc AS Created, expires_utc AS Expires, status AS Status, " +
        "decided_by AS DecidedBy, decided_utc AS DecidedAt, decision_note AS DecisionNote";

    public string Id { get; set; } = "";
    public string RunId { get; set; } = "";
    public string Proposer { get; set; } = "";
    public string Skill { get; set; } = "";
    public string SkillHash { get; set; } = "";
    public string Host { get; set; } = "";
    public string Step { get; set; } = "";
    public string Command { get; set; } = "";
    public string Tier { get; set; } = "";
    public string Reason { get; set; } = "";
    public object? Created { get; set; }
    public object? Expires { get; set; }
    public string Status { get; set; } = "";
    public string? DecidedBy { get; set; }
    public object? DecidedAt { get; set; }
    public string? DecisionNote { get; set; }

    /// <summary>The request as readers see it at <paramref name="now"/>: pending past its expiry reads as expired.</summary>
    public ApprovalRequest ToRequest(DateTimeOffset now)
    {
        if (!ApprovalStatusNames.TryParse(Status, out var status))
            throw new InvalidOperationException($"approval request {Id} has status '{Status}', which Opsmith never writes");
        var expires = Time(Expires)!.Value;
        if (status == ApprovalStatus.Pending && now >= expires) status = ApprovalStatus.Expired;
        return new ApprovalRequest(Id, RunId, Proposer, Skill, SkillHash, Host, Step, Command, Tier, Reason, Time(Created)!.Value,
            expires, status, DecidedBy, Time(DecidedAt), DecisionNote);
    }

    private static DateTimeOffset? Time(object? value) => AuditCanonicalForm.ReadStoredTime(value);
}
