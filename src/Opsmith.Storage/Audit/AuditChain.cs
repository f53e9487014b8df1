namespace Opsmith.Storage.Audit;

/// <summary>The last committed record: what the next append links to. Kept in the one-row head table.</summary>
public sealed record AuditHead(long Sequence, string Hash)
{
    public static readonly AuditHead Empty = new(0, AuditCanonicalForm.GenesisHash);
}

/// <summary>Turns entries into chained records. Called by the stores inside their write lock, never elsewhere.</summary>
internal static class AuditChain
{
    public static IReadOnlyList<AuditRecord> Seal(IReadOnlyList<AuditEntry> entries, AuditHead head, TimeProvider time)
    {
        var records = new AuditRecord[entries.Count];
        var sequence = head.Sequence;
        var previous = head.Hash;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i].Normalized();
            var unsealed = new AuditRecord(++sequence, e.RunId, AuditCanonicalForm.ToStoredPrecision(time.GetUtcNow()), e.Kind,
                e.Actor, e.Host, e.Skill, e.SkillHash, e.Decision, e.Detail, e.Owner, previous, "") { Facts = e.Facts };
            records[i] = unsealed with { Hash = AuditCanonicalForm.ComputeHash(unsealed) };
            previous = records[i].Hash;
        }
        return records;
    }

    public static AuditHead HeadAfter(IReadOnlyList<AuditRecord> appended, AuditHead before) =>
        appended.Count == 0 ? before : new AuditHead(appended[^1].Sequence, appended[^1].Hash);
}
