using Opsmith.Policy.Decisions;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Approvals;

/// <summary>Approval requests live in the audit trail's database, so they are opened from an open audit store.</summary>
public static class ApprovalStores
{
    /// <param name="audit">An open store from <see cref="AuditStores.OpenAsync"/>; it must stay open while approvals are used.</param>
    /// <param name="settings">Where <see cref="PolicySettings.ApprovalExpiry"/> and <see cref="PolicySettings.OnExpiry"/> come from.</param>
    /// <param name="random">For request ids; tests pass a seeded one.</param>
    public static IApprovalStore For(IAuditStore audit, PolicySettings settings, TimeProvider time, Random? random = null) => audit switch
    {
        SqliteAuditStore sqlite => new SqliteApprovalStore(sqlite, settings, time, random),
        PostgresAuditStore postgres => new PostgresApprovalStore(postgres, settings, time, random),
        _ => throw new ArgumentException(
            $"approval requests are kept in the audit database and commit with their audit records; {audit.GetType().Name} is not a database store",
            nameof(audit)),
    };
}
