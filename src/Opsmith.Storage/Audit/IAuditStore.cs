namespace Opsmith.Storage.Audit;

/// <summary>
/// The append-only, hash-chained audit trail. Two implementations with identical behaviour:
/// <see cref="SqliteAuditStore"/> (the default, a file in the user's data folder) and
/// <see cref="PostgresAuditStore"/> (when a connection string is configured). Several processes may append
/// to the same trail at once; each append reads the chain head and writes under one lock, so the chain
/// never forks. A record is committed — durable, and in every later read — when the append returns.
/// Database failures (unreachable server, full disk) surface as exceptions: the caller, the executor, must
/// refuse to run a command it could not record.
/// </summary>
public interface IAuditStore : IAsyncDisposable
{
    /// <summary>Appends one record and returns it as committed (sequence, time and hashes filled in).</summary>
    Task<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Appends several records in one transaction: all or none, consecutive sequence numbers, in the given
    /// order. Much faster per record than <see cref="AppendAsync"/> (one durable commit for the batch).
    /// </summary>
    Task<IReadOnlyList<AuditRecord>> AppendBatchAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditRecord>> ListAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>The record with this sequence number (what <c>audit show ID</c> takes), or null.</summary>
    Task<AuditRecord?> GetAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>
    /// Re-reads the whole trail from one consistent snapshot and reports the first record that was edited,
    /// deleted or moved. A broken chain is a result, not an exception.
    /// </summary>
    Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes every record, in sequence order, one JSON object per line (format in docs/audit.md), and
    /// returns how many it wrote. Streams: memory use does not grow with the trail.
    /// </summary>
    Task<long> ExportJsonlAsync(TextWriter writer, CancellationToken cancellationToken);

    /// <summary>
    /// Finds runs that started and never finished and whose owning process (<see cref="RunOwner"/>) is gone
    /// from this machine, and appends a run-interrupted record for each; returns those records. Runs owned by
    /// live processes, or by processes on other machines, are left alone. Safe to call from several processes
    /// at once: the search and the appends happen under the append lock, so no run is marked twice.
    /// Call it once when Opsmith starts.
    /// </summary>
    Task<IReadOnlyList<AuditRecord>> MarkInterruptedRunsAsync(CancellationToken cancellationToken);
}
