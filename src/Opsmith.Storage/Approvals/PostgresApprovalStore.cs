using System.Data.Common;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Approvals;

/// <summary>
/// Approval requests in the PostgreSQL audit database (table <c>approval_requests</c>, migration 0002). Writes run in
/// the audit store's append transaction (audit_head locked), so the request and its audit record commit together and
/// deciders on every machine are serialized.
/// </summary>
public sealed class PostgresApprovalStore : ApprovalStore
{
    private readonly PostgresAuditStore _audit;

    public PostgresApprovalStore(PostgresAuditStore audit, PolicySettings settings, TimeProvider time, Random? random = null)
        : base(settings, time, random) => _audit = audit;

    private protected override Task WriteAsync(Func<DbConnection, DbTransaction?, CancellationToken, Task<IReadOnlyList<AuditEntry>>> work,
        CancellationToken cancellationToken) =>
        _audit.WriteWithAsync((connection, transaction, token) => work(connection, transaction, token), cancellationToken);

    private protected override async Task<DbConnection> OpenReaderAsync(CancellationToken cancellationToken) =>
        await _audit.OpenReadConnectionAsync(cancellationToken);

    private protected override object Stored(DateTimeOffset time) => time.UtcDateTime;
}
