namespace Opsmith.Storage.Audit;

/// <summary>
/// Walks a trail in sequence order, once, and reports the first record that is not as Opsmith wrote it.
/// Shared by both stores; they only supply the records (from one consistent snapshot) and the head row.
/// <para>
/// Each record is checked three ways: its sequence follows the previous one (a gap means deleted records),
/// its hash recomputes from its content (else it was edited), and its previous hash is the stored hash of
/// the record before it. A broken link needs one more look: if the hash it names belongs to a record
/// further on, records were moved (reordered); otherwise the record before it was rewritten together with
/// its hash. Finally the head row, updated in the same transaction as every append, must name the last
/// record: that catches records cut off the end, which no link can.
/// </para>
/// </summary>
internal static class AuditChainVerifier
{
    public static async Task<AuditVerification> VerifyAsync(IAsyncEnumerable<AuditRow> rows, AuditHead head,
        CancellationToken cancellationToken)
    {
        long count = 0, expected = 1;
        var previousHash = AuditCanonicalForm.GenesisHash;
        LinkBreak? pending = null;

        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            count++;
            if (pending is not null)
            {
                // Only looking for the record the broken link names; the first break is already known.
                if (string.Equals(row.Hash, pending.NamedPredecessor, StringComparison.Ordinal))
                    return Broken(count, row.Sequence, new AuditBreak(pending.Sequence, AuditBreakKind.Reordered,
                        $"record {pending.Sequence} is out of order: it was written after the record now numbered {row.Sequence}; " +
                        "records were swapped or moved"));
                continue;
            }
            if (row.Sequence != expected)
                return Broken(count, row.Sequence, Gap(expected, row.Sequence));
            if (!row.TryToRecord(out var record, out var problem))
                return Broken(count, row.Sequence, new AuditBreak(row.Sequence, AuditBreakKind.Edited,
                    $"record {row.Sequence} was edited: {problem}"));

            var intact = string.Equals(AuditCanonicalForm.ComputeHash(record), record.Hash, StringComparison.Ordinal);
            if (!string.Equals(record.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                pending = new LinkBreak(record.Sequence, record.PreviousHash, intact);
                continue;
            }
            if (!intact)
                return Broken(count, record.Sequence, new AuditBreak(record.Sequence, AuditBreakKind.Edited,
                    $"record {record.Sequence} was edited: its content no longer matches the hash it was written with"));
            previousHash = record.Hash;
            expected++;
        }

        var last = expected - 1;
        if (pending is not null)
            return Broken(count, pending.Sequence, pending.Intact && pending.Sequence > 1
                ? new AuditBreak(pending.Sequence - 1, AuditBreakKind.Edited,
                    $"record {pending.Sequence - 1} was rewritten (content and hash): record {pending.Sequence} was chained to a different hash")
                : new AuditBreak(pending.Sequence, AuditBreakKind.Edited,
                    pending.Sequence == 1
                        ? "record 1 was edited: it no longer starts the chain (its previous hash is not the genesis value)"
                        : $"record {pending.Sequence} was edited: neither its content nor its link to record {pending.Sequence - 1} is as written"));
        if (head.Sequence > last)
            return Broken(count, last, new AuditBreak(last + 1, AuditBreakKind.Missing,
                head.Sequence == last + 1
                    ? $"record {last + 1} is missing: the trail ends at {last} but {head.Sequence} records were written; it was deleted from the end"
                    : $"records {last + 1} to {head.Sequence} are missing: the trail ends at {last} but {head.Sequence} records were written; they were deleted from the end"));
        if (head.Sequence < last)
            return Broken(count, last, new AuditBreak(head.Sequence + 1, AuditBreakKind.Edited,
                $"records {head.Sequence + 1} to {last} were not appended by Opsmith: the chain head says the trail ends at {head.Sequence}"));
        if (!string.Equals(head.Hash, previousHash, StringComparison.Ordinal))
            return Broken(count, last, new AuditBreak(last, AuditBreakKind.Edited,
                $"record {last} was rewritten (content and hash): the chain head recorded a different hash for it"));
        return new AuditVerification(count, last, null);
    }

    private static AuditBreak Gap(long expected, long found) => new(expected, AuditBreakKind.Missing,
        found == expected + 1
            ? $"record {expected} is missing: the trail jumps from {expected - 1} to {found}; it was deleted"
            : $"records {expected} to {found - 1} are missing: the trail jumps from {expected - 1} to {found}; they were deleted");

    private static AuditVerification Broken(long count, long lastSeen, AuditBreak first) => new(count, lastSeen, first);

    private sealed record LinkBreak(long Sequence, string NamedPredecessor, bool Intact);
}
