using System.Data.Common;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Approvals;

/// <summary>
/// Approval requests in the SQLite audit database (<c>audit.db</c>, table <c>approval_requests</c>, migration 0002).
/// Writes share the audit store's writer connection and its BEGIN IMMEDIATE transaction, so the request and its audit
/// record commit together; reads use their own connections (WAL: they never wait for a writer).
/// </summary>
public sealed class SqliteApprovalStore : ApprovalStore
{
    private readonly SqliteAuditStore _audit;

    public SqliteApprovalStore(SqliteAuditStore audit, PolicySettings settings, TimeProvider time, Random? random = null)
        : base(settings, time, random) => _audit = audit;

    private protected override Task WriteAsync(Func<DbConnection, DbTransaction?, CancellationToken, Task<IReadOnlyList<AuditEntry>>> work,
        CancellationToken cancellationToken) =>
        // The transaction is SQL-level (BEGIN IMMEDIATE on the writer connection), so there is no DbTransaction to pass.
        _audit.WriteWithAsync((connection, token) => work(connection, null, token), cancellationToken);

    private protected override async Task<DbConnection> OpenReaderAsync(CancellationToken cancellationToken) =>
        await _audit.OpenReadConnectionAsync(cancellationToken);

    private protected override object Stored(DateTimeOffset time) => AuditCanonicalForm.FormatTime(time);
}
