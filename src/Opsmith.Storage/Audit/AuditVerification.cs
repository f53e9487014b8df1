namespace Opsmith.Storage.Audit;

public enum AuditBreakKind
{
    /// <summary>The record's content (or hash) was changed after it was written.</summary>
    Edited,
    /// <summary>One or more records were deleted (a gap in the sequence, or the end cut off).</summary>
    Missing,
    /// <summary>Records are out of the order they were written in.</summary>
    Reordered,
}

/// <summary>The first place the chain stops being the one Opsmith wrote.</summary>
/// <param name="Sequence">The first broken record (for a deletion: the first missing sequence number).</param>
public sealed record AuditBreak(long Sequence, AuditBreakKind Kind, string Reason);

/// <summary>The outcome of <see cref="IAuditStore.VerifyAsync"/>: a value, never an exception, for a broken chain.</summary>
/// <param name="RecordsChecked">How many records were read.</param>
/// <param name="LastSequence">The highest sequence read (0 for an empty trail).</param>
/// <param name="FirstBreak">Null when every record is intact and in place.</param>
public sealed record AuditVerification(long RecordsChecked, long LastSequence, AuditBreak? FirstBreak)
{
    public bool IsValid => FirstBreak is null;
}
