using System.Globalization;

namespace Opsmith.Storage.Audit;

/// <summary>
/// One row of <c>audit_records</c> exactly as the database returns it: plain text and numbers, nothing
/// parsed. Dapper fills it (the stores alias snake_case columns to these names); converting to an
/// <see cref="AuditRecord"/> is a separate, checked step, so a tampered row is reported, not a crash.
/// </summary>
internal sealed class AuditRow
{
    /// <summary>Select list shared by both dialects: column names are the same in both schemas.</summary>
    public const string Columns =
        "sequence AS Sequence, run_id AS RunId, time_utc AS Time, kind AS Kind, actor AS Actor, host AS Host, " +
        "skill AS Skill, skill_hash AS SkillHash, decision AS Decision, detail AS Detail, owner_machine AS OwnerMachine, " +
        "owner_pid AS OwnerPid, owner_boot_id AS OwnerBootId, owner_start AS OwnerStart, previous_hash AS PreviousHash, hash AS Hash, " +
        "format AS Format, section AS Section, step AS Step, tier AS Tier, mode AS Mode, outcome AS Outcome";

    public long Sequence { get; set; }
    public string? RunId { get; set; }
    /// <summary>SQLite: the canonical time text. PostgreSQL: a UTC <see cref="DateTime"/> (timestamptz).</summary>
    public object? Time { get; set; }
    public string? Kind { get; set; }
    public string? Actor { get; set; }
    public string? Host { get; set; }
    public string? Skill { get; set; }
    public string? SkillHash { get; set; }
    public string? Decision { get; set; }
    public string? Detail { get; set; }
    public string? OwnerMachine { get; set; }
    public long? OwnerPid { get; set; }
    public string? OwnerBootId { get; set; }
    public long? OwnerStart { get; set; }
    public string? PreviousHash { get; set; }
    public string? Hash { get; set; }
    public long Format { get; set; } = 1;
    public string? Section { get; set; }
    public string? Step { get; set; }
    public string? Tier { get; set; }
    public string? Mode { get; set; }
    public string? Outcome { get; set; }

    /// <summary>The time as the canonical form writes it, or the raw text when it is not a valid time.</summary>
    public string TimeText => Time switch
    {
        DateTime d => AuditCanonicalForm.FormatTime(new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc))),
        DateTimeOffset o => AuditCanonicalForm.FormatTime(o),
        string s => s,
        null => "",
        var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? "",
    };

    public bool TryToRecord(out AuditRecord record, out string problem)
    {
        record = null!;
        if (!AuditNames.TryParseKind(Kind, out var kind)) { problem = $"its kind '{Kind}' is not one Opsmith writes"; return false; }
        AuditDecision? decision = null;
        if (!string.IsNullOrEmpty(Decision))
        {
            if (!AuditNames.TryParseDecision(Decision, out var d)) { problem = $"its decision '{Decision}' is not one Opsmith writes"; return false; }
            decision = d;
        }
        DateTimeOffset time;
        try { time = Time is string s ? AuditCanonicalForm.ParseTime(s) : AuditCanonicalForm.ParseTime(TimeText); }
        catch (FormatException) { problem = $"its time '{TimeText}' is not a valid UTC time"; return false; }
        if (OwnerPid is < int.MinValue or > int.MaxValue) { problem = $"its owner process id {OwnerPid} is out of range"; return false; }
        if (Format is not (1 or 2)) { problem = $"its format {Format} is not one Opsmith writes"; return false; }
        if (!AuditFacts.TryParse(Section, Step, Tier, Mode, Outcome, out var facts, out problem)) return false;
        if (Format == 1 && facts != AuditFacts.None) { problem = "it is a format 1 record but carries structured fields"; return false; }
        var owner = OwnerMachine is null && OwnerPid is null && OwnerBootId is null && OwnerStart is null
            ? null
            : new RunOwner(OwnerMachine ?? "", (int)(OwnerPid ?? 0), OwnerBootId ?? "", OwnerStart ?? 0);
        record = new AuditRecord(Sequence, RunId ?? "", time, kind, Actor ?? "", Host ?? "", Skill ?? "", SkillHash ?? "",
            decision, Detail ?? "", owner, PreviousHash ?? "", Hash ?? "") { Format = (int)Format, Facts = facts };
        problem = "";
        return true;
    }

    public AuditRecord ToRecord() => TryToRecord(out var record, out var problem)
        ? record
        : throw new InvalidDataException($"audit record {Sequence} is damaged: {problem}. Run `opsmith audit verify` to see where the trail was tampered with.");

    /// <summary>Parameters for the INSERT; <paramref name="time"/> is what the dialect stores (text or DateTime).</summary>
    public static AuditRow From(AuditRecord r, object time) => new()
    {
        Sequence = r.Sequence,
        RunId = r.RunId,
        Time = time,
        Kind = r.Kind.ToWireName(),
        Actor = r.Actor,
        Host = r.Host,
        Skill = r.Skill,
        SkillHash = r.SkillHash,
        Decision = r.Decision?.ToWireName(),
        Detail = r.Detail,
        OwnerMachine = r.Owner?.Machine,
        OwnerPid = r.Owner?.ProcessId,
        OwnerBootId = r.Owner?.BootId,
        OwnerStart = r.Owner?.StartTicks,
        PreviousHash = r.PreviousHash,
        Hash = r.Hash,
        Format = r.Format,
        Section = r.Facts.SectionText,
        Step = r.Facts.Step,
        Tier = r.Facts.TierText,
        Mode = r.Facts.ModeText,
        Outcome = r.Facts.Outcome,
    };
}
