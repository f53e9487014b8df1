using System.Text;

namespace Opsmith.Storage.Audit;

/// <summary>
/// What a caller asks the store to append. The store adds what the caller must not choose: the sequence
/// number, the time (from its <see cref="TimeProvider"/>), the previous hash and the hash.
/// <see cref="Detail"/> must already be masked (see <see cref="AuditRecord.Detail"/>).
/// </summary>
public sealed record AuditEntry(
    string RunId,
    AuditKind Kind,
    string Actor,
    string Host,
    string Skill,
    string SkillHash,
    AuditDecision? Decision,
    string Detail,
    RunOwner? Owner = null)
{
    /// <summary>The structured fields (section, step, effective tier, mode, outcome); see <see cref="AuditFacts"/>.</summary>
    public AuditFacts Facts { get; init; } = AuditFacts.None;

    public static AuditEntry RunStarted(string runId, string actor, string skill, string skillHash, RunOwner owner, string detail = "") =>
        new(runId, AuditKind.RunStarted, actor, "", skill, skillHash, null, detail, owner);

    /// <summary><paramref name="detail"/> says how it ended (succeeded, failed, cancelled, rolled back…).</summary>
    public static AuditEntry RunFinished(string runId, string actor, string skill, string skillHash, string detail) =>
        new(runId, AuditKind.RunFinished, actor, "", skill, skillHash, null, detail);

    public static AuditEntry ForDecision(string runId, string actor, string host, string skill, string skillHash,
        AuditDecision decision, string maskedDetail) =>
        new(runId, AuditKind.Decision, actor, host, skill, skillHash, decision, maskedDetail);

    /// <summary>A kill-switch toggle: its own run id, outcome <c>on</c> or <c>off</c>, the reason as detail (masked by the caller).</summary>
    public static AuditEntry ForKillSwitch(string actor, bool on, string maskedReason) =>
        new($"kill-switch-{Guid.NewGuid():N}", AuditKind.KillSwitch, actor, "", "", "", null, maskedReason) { Facts = new AuditFacts(Outcome: on ? "on" : "off") };

    /// <summary>An incident's change: its id as run id, the invariant as skill, the new status as outcome, what happened as detail (masked).</summary>
    public static AuditEntry ForIncident(string incidentId, string actor, string host, string invariant, string status, string maskedDetail) =>
        new(incidentId, AuditKind.Incident, actor, host, invariant, "", null, maskedDetail) { Facts = new AuditFacts(Outcome: status) };

    /// <summary>An agent session starting or ending: its id as run id, the agent as skill, the status as outcome.</summary>
    public static AuditEntry ForSession(string sessionId, string actor, string agent, string status, string maskedDetail) =>
        new(sessionId, AuditKind.AgentSession, actor, "", agent, "", null, maskedDetail) { Facts = new AuditFacts(Outcome: status) };

    public static AuditEntry ForCommand(string runId, string actor, string host, string skill, string skillHash, string maskedDetail) =>
        new(runId, AuditKind.Command, actor, host, skill, skillHash, null, maskedDetail);

    /// <summary>
    /// The entry as it will be stored and hashed. Text goes through <see cref="StorableText"/> so the bytes a
    /// database keeps are the bytes that were hashed; a malformed entry is a programming error and throws.
    /// </summary>
    internal AuditEntry Normalized()
    {
        if (string.IsNullOrWhiteSpace(RunId)) throw new ArgumentException("an audit entry needs a run id", nameof(RunId));
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"unknown audit kind {Kind}", nameof(Kind));
        if ((Kind == AuditKind.Decision) != (Decision is not null))
            throw new ArgumentException("a decision is recorded on decision records, and only there", nameof(Decision));
        if (Decision is { } d && !Enum.IsDefined(d)) throw new ArgumentException($"unknown audit decision {d}", nameof(Decision));
        if ((Kind == AuditKind.RunStarted) != (Owner is not null))
            throw new ArgumentException("a run-started record names its owning process, and only it does", nameof(Owner));
        return this with
        {
            RunId = StorableText(RunId),
            Actor = StorableText(Actor),
            Host = StorableText(Host),
            Skill = StorableText(Skill),
            SkillHash = StorableText(SkillHash),
            Detail = StorableText(Detail),
            Owner = Owner is null ? null : Owner with { Machine = StorableText(Owner.Machine), BootId = StorableText(Owner.BootId) },
            Facts = Facts with { Step = StorableText(Facts.Step), Outcome = StorableText(Facts.Outcome) },
        };
    }

    /// <summary>
    /// PostgreSQL cannot store NUL characters and neither database can store an unpaired UTF-16 surrogate
    /// faithfully, so both become U+FFFD before hashing; null becomes empty. Everything else is kept verbatim.
    /// </summary>
    internal static string StorableText(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        StringBuilder? copy = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var bad = c == '\0'
                      || (char.IsHighSurrogate(c) && (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])))
                      || (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1])));
            if (bad && copy is null) copy = new StringBuilder(text, 0, i, text.Length);
            copy?.Append(bad ? '\uFFFD' : c);
        }
        return copy?.ToString() ?? text;
    }
}
