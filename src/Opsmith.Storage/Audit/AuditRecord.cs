namespace Opsmith.Storage.Audit;

/// <summary>
/// One committed, hash-chained entry of the audit trail, as stored. Records are append-only: nothing in
/// Opsmith updates or deletes them, and <see cref="IAuditStore.VerifyAsync"/> detects anyone who does.
/// </summary>
/// <param name="Sequence">Position in the chain: 1, 2, 3, … with no gaps. Also the id <c>audit show</c> takes.</param>
/// <param name="RunId">The run this record belongs to (every record belongs to one).</param>
/// <param name="Time">When the store committed it, UTC, microsecond precision, from the store's injected <see cref="TimeProvider"/>.</param>
/// <param name="Kind">Run start/end/interruption, a policy decision, or an executed command.</param>
/// <param name="Actor">Who acted: the user running Opsmith, an approver, or <c>opsmith</c> itself.</param>
/// <param name="Host">The inventory host the record concerns; empty for records about the whole run.</param>
/// <param name="Skill">The skill's name.</param>
/// <param name="SkillHash">SHA-256 of the skill file as it was loaded, so the exact skill version is known.</param>
/// <param name="Decision">The policy outcome; set on <see cref="AuditKind.Decision"/> records only.</param>
/// <param name="Detail">
/// Free text: the command line, the rule that decided, the exit code… ALREADY MASKED by the caller: the
/// store writes it verbatim and a secret that reaches it is in the trail for good (the chain forbids edits).
/// </param>
/// <param name="Owner">The process that owns the run; set on <see cref="AuditKind.RunStarted"/> records only.</param>
/// <param name="PreviousHash">The <see cref="Hash"/> of record <c>Sequence - 1</c> (64 zeros for record 1).</param>
/// <param name="Hash">Lowercase hex SHA-256 of this record's <see cref="AuditCanonicalForm"/>, which includes <see cref="PreviousHash"/>.</param>
public sealed record AuditRecord(
    long Sequence,
    string RunId,
    DateTimeOffset Time,
    AuditKind Kind,
    string Actor,
    string Host,
    string Skill,
    string SkillHash,
    AuditDecision? Decision,
    string Detail,
    RunOwner? Owner,
    string PreviousHash,
    string Hash)
{
    /// <summary>
    /// Which canonical form <see cref="Hash"/> covers: 1 for records written before structured fields existed
    /// (their <see cref="Facts"/> are empty), 2 since. See <see cref="AuditCanonicalForm"/>.
    /// </summary>
    public int Format { get; init; } = AuditCanonicalForm.CurrentFormat;

    /// <summary>Section, step, effective tier, mode and outcome: the fields code reads back instead of parsing <see cref="Detail"/>.</summary>
    public AuditFacts Facts { get; init; } = AuditFacts.None;
}
