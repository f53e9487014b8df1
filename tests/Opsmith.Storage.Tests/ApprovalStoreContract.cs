using Opsmith.Core.Skills;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;
using Opsmith.Storage.Tests.Support;

namespace Opsmith.Storage.Tests;

/// <summary>
/// The behaviour every approval store must have, run against SQLite and a real PostgreSQL server (docs/approvals.md).
/// Each test gets its own empty database; requests live in the audit database and write audit records there.
/// </summary>
public abstract partial class ApprovalStoreContract
{
    private const string SkillHash = "3c1f0a4e5b6d7c8e9f00112233445566778899aabbccddeeff0011223344556677";
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 9, 30, 0, TimeSpan.Zero);
    private static readonly Actor Alice = new("alice", ActorKind.Human);
    private static readonly Actor Bob = new("bob", ActorKind.Human);
    private static readonly Actor Agent = new("opsmith", ActorKind.Agent);
    private static CancellationToken None => CancellationToken.None;

    protected abstract Task<ITrailLocation> NewTrailAsync();

    private sealed class Opened(ITrailLocation trail, IAuditStore audit, IApprovalStore approvals, ManualClock clock) : IAsyncDisposable
    {
        public ITrailLocation Trail { get; } = trail;
        public IAuditStore Audit { get; } = audit;
        public IApprovalStore Approvals { get; } = approvals;
        public ManualClock Clock { get; } = clock;

        public async ValueTask DisposeAsync()
        {
            await Audit.DisposeAsync();
            await Trail.DisposeAsync();
        }
    }

    private async Task<Opened> OpenAsync(PolicySettings? settings = null)
    {
        var trail = await NewTrailAsync();
        var clock = new ManualClock(T0);
        var audit = await trail.OpenAsync(clock);
        return new Opened(trail, audit, ApprovalStores.For(audit, settings ?? PolicySettings.Default, clock), clock);
    }

    private static ApprovalProposal Proposal(Actor? proposer = null, string host = "db1", string step = "actions/drop-cache") =>
        new("run-1", proposer ?? Alice, "flush-cache", SkillHash, host, step, "redis-cli -a *** FLUSHALL", RiskTier.DataMutation,
            "'actions/drop-cache' changes or deletes stored data on db1; a person other than user:alice must approve this step");

    [Fact]
    public async Task A_created_request_is_pending_with_a_short_id_and_reads_back_from_get_and_list()
    {
        await using var db = await OpenAsync();

        var created = await db.Approvals.CreateAsync(Proposal(), None);

        Assert.Matches("^ap-[2-9a-hjkmnp-z]{5}$", created.Id);
        Assert.Equal(ApprovalStatus.Pending, created.Status);
        Assert.Equal("user:alice", created.Proposer);
        Assert.Equal("data-mutation", created.Tier);
        Assert.Equal("redis-cli -a *** FLUSHALL", created.Command);
        Assert.Equal(T0, created.Created);
        Assert.Equal(T0 + PolicySettings.Default.ApprovalExpiry, created.Expires);
        Assert.Null(created.DecidedBy);
        Assert.Equal(created, await db.Approvals.GetAsync(created.Id, None));
        Assert.Equal(created, await db.Approvals.GetAsync(created.Id.ToUpperInvariant(), None));
        Assert.Equal([created], await db.Approvals.ListAsync(ApprovalStatus.Pending, None));
        Assert.Empty(await db.Approvals.ListAsync(ApprovalStatus.Approved, None));
        Assert.Null(await db.Approvals.GetAsync("ap-zzzzz", None));
    }

    [Fact]
    public async Task Every_step_gets_its_own_request_and_list_returns_them_oldest_first()
    {
        await using var db = await OpenAsync();

        var first = await db.Approvals.CreateAsync(Proposal(step: "actions/one"), None);
        db.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await db.Approvals.CreateAsync(Proposal(step: "actions/two"), None);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal([first.Id, second.Id], (await db.Approvals.ListAsync(null, None)).Select(r => r.Id));
    }

    [Fact]
    public async Task The_proposer_cannot_approve_its_own_request()
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Alice), None);

        var result = await db.Approvals.ApproveAsync(request.Id, Alice, null, None);

        Assert.Equal(ApprovalResultKind.NotAllowed, result.Kind);
        Assert.Contains("user:alice proposed this step and cannot approve it", result.Message);
        Assert.Equal(ApprovalStatus.Pending, (await db.Approvals.GetAsync(request.Id, None))!.Status);
    }

    [Fact]
    public async Task An_agent_can_never_approve_even_a_request_a_person_proposed()
    {
        await using var db = await OpenAsync();
        var byAlice = await db.Approvals.CreateAsync(Proposal(Alice), None);
        var byAgent = await db.Approvals.CreateAsync(Proposal(Agent), None);

        var agentApproves = await db.Approvals.ApproveAsync(byAlice.Id, Agent, null, None);
        var otherAgentApproves = await db.Approvals.ApproveAsync(byAgent.Id, new Actor("helper", ActorKind.Agent), null, None);

        Assert.Equal(ApprovalResultKind.NotAllowed, agentApproves.Kind);
        Assert.Contains("only a person can approve", agentApproves.Message);
        Assert.Equal(ApprovalResultKind.NotAllowed, otherAgentApproves.Kind);
        Assert.All(await db.Approvals.ListAsync(null, None), r => Assert.Equal(ApprovalStatus.Pending, r.Status));
    }

    [Fact]
    public async Task Another_person_can_approve_and_the_decision_is_recorded_with_the_note()
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Agent), None);
        db.Clock.Advance(TimeSpan.FromMinutes(5));

        var result = await db.Approvals.ApproveAsync(request.Id, Bob, "checked with the DBA", None);

        Assert.True(result.Succeeded, result.Message);
        var stored = await db.Approvals.GetAsync(request.Id, None);
        Assert.Equal(result.Request, stored);
        Assert.Equal(ApprovalStatus.Approved, stored!.Status);
        Assert.Equal("user:bob", stored.DecidedBy);
        Assert.Equal(T0.AddMinutes(5), stored.DecidedAt);
        Assert.Equal("checked with the DBA", stored.DecisionNote);
    }

    [Fact]
    public async Task Another_person_can_deny()
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Alice), None);

        var result = await db.Approvals.DenyAsync(request.Id, Bob, "not during the sale", None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(ApprovalStatus.Denied, (await db.Approvals.GetAsync(request.Id, None))!.Status);
        Assert.Equal([request.Id], (await db.Approvals.ListAsync(ApprovalStatus.Denied, None)).Select(r => r.Id));
    }

    [Fact]
    public async Task The_proposer_cannot_deny_its_own_request_either()
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Alice), None);

        var result = await db.Approvals.DenyAsync(request.Id, Alice, null, None);

        Assert.Equal(ApprovalResultKind.NotAllowed, result.Kind);
        Assert.Contains("stop its run", result.Message);
    }

    [Fact]
    public async Task A_request_is_decided_once_a_second_decision_is_refused()
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Alice), None);
        await db.Approvals.ApproveAsync(request.Id, Bob, null, None);

        var again = await db.Approvals.ApproveAsync(request.Id, new Actor("carol", ActorKind.Human), null, None);
        var deny = await db.Approvals.DenyAsync(request.Id, new Actor("carol", ActorKind.Human), null, None);

        Assert.Equal(ApprovalResultKind.AlreadyDecided, again.Kind);
        Assert.Equal(ApprovalResultKind.AlreadyDecided, deny.Kind);
        Assert.Contains("already approved (by user:bob", deny.Message);
        Assert.Equal("user:bob", (await db.Approvals.GetAsync(request.Id, None))!.DecidedBy);
    }

    [Fact]
    public async Task Two_people_deciding_at_once_from_two_connections_one_wins()
    {
        await using var db = await OpenAsync();
        await using var other = await db.Trail.OpenAsync(db.Clock);
        var otherApprovals = ApprovalStores.For(other, PolicySettings.Default, db.Clock);
        var request = await db.Approvals.CreateAsync(Proposal(Alice), None);

        var results = await Task.WhenAll(
            Task.Run(() => db.Approvals.ApproveAsync(request.Id, Bob, null, None)),
            Task.Run(() => otherApprovals.DenyAsync(request.Id, new Actor("carol", ActorKind.Human), null, None)));

        Assert.Single(results, r => r.Succeeded);
        Assert.Single(results, r => r.Kind == ApprovalResultKind.AlreadyDecided);
        var decisions = await db.Audit.ListAsync(new AuditQuery(Kind: AuditKind.Decision), None);
        Assert.Equal(2, decisions.Count); // requested + the one decision that happened
    }

    [Fact]
    public async Task An_unknown_id_is_a_result_not_an_exception()
    {
        await using var db = await OpenAsync();

        var result = await db.Approvals.ApproveAsync("ap-xxxxx", Bob, null, None);

        Assert.Equal(ApprovalResultKind.NotFound, result.Kind);
        Assert.Contains("there is no approval request ap-xxxxx", result.Message);
    }

    [Fact]
    public async Task An_unanswered_request_expires_and_is_cancelled_by_default()
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Alice), None);
        db.Clock.Advance(PolicySettings.Default.ApprovalExpiry);

        var overdue = await db.Approvals.GetAsync(request.Id, None);
        var lateApproval = await db.Approvals.ApproveAsync(request.Id, Bob, null, None);
        var expired = await db.Approvals.ExpireDueAsync(db.Clock.GetUtcNow(), None);

        Assert.Equal(ApprovalStatus.Expired, overdue!.Status);
        Assert.Equal(ApprovalResultKind.Expired, lateApproval.Kind);
        Assert.Contains("expired", lateApproval.Message);
        var cancelled = Assert.Single(expired);
        Assert.Equal(ApprovalStatus.Cancelled, cancelled.Status);
        Assert.Equal(cancelled, await db.Approvals.GetAsync(request.Id, None));
        Assert.Equal("opsmith", cancelled.DecidedBy);
        Assert.Empty(await db.Approvals.ExpireDueAsync(db.Clock.GetUtcNow(), None));
    }

    [Fact]
    public async Task An_unanswered_request_is_denied_on_expiry_when_configured()
    {
        await using var db = await OpenAsync(PolicySettings.Default with { ApprovalExpiry = TimeSpan.FromMinutes(10), OnExpiry = ExpiryOutcome.Deny });
        var due = await db.Approvals.CreateAsync(Proposal(Alice), None);
        db.Clock.Advance(TimeSpan.FromMinutes(9));
        var notYet = await db.Approvals.CreateAsync(Proposal(Alice, step: "actions/later"), None);
        db.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([due.Id], (await db.Approvals.ListAsync(ApprovalStatus.Expired, None)).Select(r => r.Id));
        var expired = await db.Approvals.ExpireDueAsync(db.Clock.GetUtcNow(), None);

        Assert.Equal([due.Id], expired.Select(r => r.Id));
        Assert.Equal(ApprovalStatus.Denied, (await db.Approvals.GetAsync(due.Id, None))!.Status);
        Assert.Equal(ApprovalStatus.Pending, (await db.Approvals.GetAsync(notYet.Id, None))!.Status);
    }

    [Fact]
    public async Task Waiting_returns_once_another_connection_approves()
    {
        await using var db = await OpenAsync();
        await using var other = await db.Trail.OpenAsync(db.Clock);
        var approver = ApprovalStores.For(other, PolicySettings.Default, db.Clock);
        var request = await db.Approvals.CreateAsync(Proposal(Agent), None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var waiting = db.Approvals.WaitForDecisionAsync(request.Id, TimeSpan.FromMilliseconds(20), timeout.Token);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        Assert.True((await approver.ApproveAsync(request.Id, Bob, null, None)).Succeeded);
        var decided = await waiting;

        Assert.Equal(ApprovalStatus.Approved, decided.Status);
        Assert.Equal("user:bob", decided.DecidedBy);
    }

    [Fact]
    public async Task Waiting_applies_the_expiry_outcome_itself_so_it_always_ends()
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Agent), None);
        db.Clock.Advance(TimeSpan.FromHours(2));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var decided = await db.Approvals.WaitForDecisionAsync(request.Id, TimeSpan.FromMilliseconds(20), timeout.Token);

        Assert.Equal(ApprovalStatus.Cancelled, decided.Status);
    }

    [Fact]
    public async Task Waiting_stops_when_cancelled()
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Agent), None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            db.Approvals.WaitForDecisionAsync(request.Id, TimeSpan.FromMilliseconds(20), cancel.Token));
    }

    [Fact]
    public async Task Every_change_writes_its_audit_decision_record_and_the_chain_verifies()
    {
        await using var db = await OpenAsync();
        var granted = await db.Approvals.CreateAsync(Proposal(Agent, host: "db1"), None);
        var denied = await db.Approvals.CreateAsync(Proposal(Agent, host: "db2"), None);
        var lapsed = await db.Approvals.CreateAsync(Proposal(Agent, host: "db3"), None);
        await db.Approvals.ApproveAsync(granted.Id, Bob, "ok", None);
        await db.Approvals.DenyAsync(denied.Id, Bob, null, None);
        await db.Approvals.ApproveAsync(granted.Id, Alice, null, None); // refused: writes nothing
        db.Clock.Advance(TimeSpan.FromHours(1));
        await db.Approvals.ExpireDueAsync(db.Clock.GetUtcNow(), None);

        var records = await db.Audit.ListAsync(new AuditQuery(Kind: AuditKind.Decision), None);

        Assert.Equal(
            [
                (AuditDecision.ApprovalRequested, "agent:opsmith", "db1"), (AuditDecision.ApprovalRequested, "agent:opsmith", "db2"),
                (AuditDecision.ApprovalRequested, "agent:opsmith", "db3"), (AuditDecision.ApprovalGranted, "user:bob", "db1"),
                (AuditDecision.ApprovalDenied, "user:bob", "db2"), (AuditDecision.ApprovalExpired, "opsmith", "db3"),
            ],
            records.Select(r => (r.Decision!.Value, r.Actor, r.Host)));
        Assert.All(records, r => Assert.Equal("run-1", r.RunId));
        Assert.All(records, r => Assert.Equal(SkillHash, r.SkillHash));
        Assert.All(records, r => Assert.Contains("redis-cli -a *** FLUSHALL", r.Detail));
        Assert.Contains(granted.Id, records[3].Detail);
        Assert.Contains("note: ok", records[3].Detail);
        Assert.Contains("cancelled", records[5].Detail);
        var verification = await db.Audit.VerifyAsync(None);
        Assert.True(verification.IsValid, verification.FirstBreak?.Reason);
        Assert.Equal(6, verification.RecordsChecked);
    }

    [Fact]
    public async Task Approvals_need_a_database_audit_store()
    {
        await using var db = await OpenAsync();

        Assert.Throws<ArgumentException>(() => ApprovalStores.For(new NotADatabase(), PolicySettings.Default, TimeProvider.System));
    }

    private sealed class NotADatabase : IAuditStore
    {
        public Task<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<AuditRecord>> AppendBatchAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<AuditRecord>> ListAsync(AuditQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<AuditRecord?> GetAsync(long sequence, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<long> ExportJsonlAsync(TextWriter writer, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<AuditRecord>> MarkInterruptedRunsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
