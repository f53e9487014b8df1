using Opsmith.Policy.Decisions;

namespace Opsmith.Storage.Approvals;

/// <summary>
/// Approval requests: one per step that needs a person, kept in the same database as the audit trail
/// (<see cref="ApprovalStores.For"/>). Every change — created, approved, denied, expired — commits in one transaction
/// with its audit decision record (approval-requested, -granted, -denied, -expired), so the trail never misses a
/// decision and never records one that did not happen. Four-eyes is enforced here, not by callers: whoever proposed a
/// step can never approve (or deny) it, and only a person can decide.
/// </summary>
public interface IApprovalStore
{
    /// <summary>Creates a pending request that expires after the configured <see cref="PolicySettings.ApprovalExpiry"/>.</summary>
    Task<ApprovalRequest> CreateAsync(ApprovalProposal proposal, CancellationToken cancellationToken);

    /// <summary>The request, or null. A pending request past its expiry reads as <see cref="ApprovalStatus.Expired"/>.</summary>
    Task<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Requests oldest first, all of them or only those with <paramref name="status"/>.</summary>
    Task<IReadOnlyList<ApprovalRequest>> ListAsync(ApprovalStatus? status, CancellationToken cancellationToken);

    /// <summary>Approves a pending, unexpired request if <paramref name="approver"/> may (four-eyes). Atomic: of two racing deciders one wins.</summary>
    Task<ApprovalResult> ApproveAsync(string id, Actor approver, string? note, CancellationToken cancellationToken);

    /// <summary>Denies a pending, unexpired request; the same rules as <see cref="ApproveAsync"/>.</summary>
    Task<ApprovalResult> DenyAsync(string id, Actor decider, string? note, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the configured <see cref="PolicySettings.OnExpiry"/> to every request still pending at
    /// <paramref name="now"/> after its expiry (cancel → cancelled, deny → denied) and returns them as they now are.
    /// </summary>
    Task<IReadOnlyList<ApprovalRequest>> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Polls until the request is no longer pending — decided by anyone, in any process — and returns it; applies the
    /// expiry outcome itself once the request is overdue, so it always ends. Unknown id: <see cref="ArgumentException"/>.
    /// </summary>
    Task<ApprovalRequest> WaitForDecisionAsync(string id, TimeSpan pollInterval, CancellationToken cancellationToken);
}
