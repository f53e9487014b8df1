using System.Data.Common;
using Dapper;
using Opsmith.Core.Skills;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Approvals;

/// <summary>
/// The behaviour both databases share; <see cref="SqliteApprovalStore"/> and <see cref="PostgresApprovalStore"/> supply
/// the transaction and how their database stores a time. Every write runs inside the audit store's append transaction
/// (its write lock held), and the audit entries it returns are appended in that same transaction: a request's change
/// and its audit record commit together or not at all. The lock also serializes deciders, and each UPDATE still checks
/// <c>status = 'pending'</c> and the expiry, so a request is decided at most once whatever races.
/// </summary>
public abstract class ApprovalStore : IApprovalStore
{
    /// <summary>The actor of records the store writes on its own (expiry).</summary>
    public const string SystemActor = "opsmith";

    private const string InsertSql =
        "INSERT INTO approval_requests (id, run_id, proposer, skill, skill_hash, host, step, command, tier, reason, created_utc, " +
        "expires_utc, status, decided_by, decided_utc, decision_note) VALUES (@Id, @RunId, @Proposer, @Skill, @SkillHash, @Host, " +
        "@Step, @Command, @Tier, @Reason, @Created, @Expires, 'pending', NULL, NULL, NULL) ON CONFLICT (id) DO NOTHING";

    private const string DecideSql =
        "UPDATE approval_requests SET status = @Status, decided_by = @DecidedBy, decided_utc = @Now, decision_note = @Note " +
        "WHERE id = @Id AND status = 'pending' AND expires_utc > @Now";

    private const string ExpireSql =
        "UPDATE approval_requests SET status = @Status, decided_by = @DecidedBy, decided_utc = @Now, decision_note = @Note " +
        "WHERE id = @Id AND status = 'pending' AND expires_utc <= @Now";

    private readonly PolicySettings _settings;
    private readonly TimeProvider _time;
    private readonly Random _random;

    private protected ApprovalStore(PolicySettings settings, TimeProvider time, Random? random)
    {
        _settings = settings;
        _time = time;
        _random = random ?? Random.Shared;
    }

    /// <summary>Runs <paramref name="work"/> in the audit append transaction and appends the entries it returns there.</summary>
    private protected abstract Task WriteAsync(Func<DbConnection, DbTransaction?, CancellationToken, Task<IReadOnlyList<AuditEntry>>> work,
        CancellationToken cancellationToken);

    private protected abstract Task<DbConnection> OpenReaderAsync(CancellationToken cancellationToken);

    /// <summary>A time as this database stores it (SQLite: fixed-width text; PostgreSQL: timestamptz).</summary>
    private protected abstract object Stored(DateTimeOffset time);

    public async Task<ApprovalRequest> CreateAsync(ApprovalProposal proposal, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(proposal.RunId)) throw new ArgumentException("an approval request needs a run id", nameof(proposal));
        if (string.IsNullOrWhiteSpace(proposal.Step)) throw new ArgumentException("an approval request needs a step", nameof(proposal));
        ApprovalRequest? created = null;
        await WriteAsync(async (connection, transaction, token) =>
        {
            var now = Now();
            var draft = new ApprovalRequest("", Text(proposal.RunId), Text(proposal.Proposer.ToString()), Text(proposal.Skill),
                Text(proposal.SkillHash), Text(proposal.Host), Text(proposal.Step), Text(proposal.MaskedCommand),
                YamlNames.Of(proposal.Tier), Text(proposal.Reason), now, now + _settings.ApprovalExpiry, ApprovalStatus.Pending,
                null, null, null);
            for (var attempt = 0; created is null; attempt++)
            {
                if (attempt == 20) throw new InvalidOperationException("could not find a free approval request id after 20 tries");
                var candidate = draft with { Id = ApprovalIds.New(_random) };
                var inserted = await connection.ExecuteAsync(new CommandDefinition(InsertSql, new
                {
                    candidate.Id, candidate.RunId, candidate.Proposer, candidate.Skill, candidate.SkillHash, candidate.Host,
                    candidate.Step, candidate.Command, candidate.Tier, candidate.Reason,
                    Created = Stored(candidate.Created), Expires = Stored(candidate.Expires),
                }, transaction, cancellationToken: token));
                if (inserted == 1) created = candidate;
            }
            return [Audit(created, created.Proposer, AuditDecision.ApprovalRequested,
                $"approval {created.Id} requested for {created.Step} ({created.Tier}): {created.Command}\n" +
                $"reason: {created.Reason}\nexpires: {AuditCanonicalForm.FormatTime(created.Expires)}")];
        }, cancellationToken);
        return created!;
    }

    public async Task<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        var row = await ReadAsync(connection, null, id, cancellationToken);
        return row?.ToRequest(_time.GetUtcNow());
    }

    public async Task<IReadOnlyList<ApprovalRequest>> ListAsync(ApprovalStatus? status, CancellationToken cancellationToken)
    {
        var now = Now();
        var where = status switch
        {
            null => "",
            // Pending past expiry reads as expired (ApprovalRow.ToRequest); the filters agree with what is shown.
            ApprovalStatus.Pending => " WHERE status = 'pending' AND expires_utc > @Now",
            ApprovalStatus.Expired => " WHERE status = 'pending' AND expires_utc <= @Now",
            _ => " WHERE status = @Status",
        };
        await using var connection = await OpenReaderAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApprovalRow>(new CommandDefinition(
            "SELECT " + ApprovalRow.Columns + " FROM approval_requests" + where + " ORDER BY created_utc, id",
            new { Now = Stored(now), Status = status?.ToWireName() }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRequest(now)).ToList();
    }

    public Task<ApprovalResult> ApproveAsync(string id, Actor approver, string? note, CancellationToken cancellationToken) =>
        DecideAsync(id, approver, note, ApprovalStatus.Approved, cancellationToken);

    public Task<ApprovalResult> DenyAsync(string id, Actor decider, string? note, CancellationToken cancellationToken) =>
        DecideAsync(id, decider, note, ApprovalStatus.Denied, cancellationToken);

    public async Task<IReadOnlyList<ApprovalRequest>> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        now = AuditCanonicalForm.ToStoredPrecision(now);
        var outcome = _settings.OnExpiry == ExpiryOutcome.Deny ? ApprovalStatus.Denied : ApprovalStatus.Cancelled;
        var expired = new List<ApprovalRequest>();
        await WriteAsync(async (connection, transaction, token) =>
        {
            var due = await connection.QueryAsync<ApprovalRow>(new CommandDefinition(
                "SELECT " + ApprovalRow.Columns + " FROM approval_requests WHERE status = 'pending' AND expires_utc <= @Now ORDER BY created_utc, id",
                new { Now = Stored(now) }, transaction, cancellationToken: token));
            var entries = new List<AuditEntry>();
            foreach (var row in due)
            {
                var request = row.ToRequest(now);
                var note = $"nobody answered by {AuditCanonicalForm.FormatTime(request.Expires)}; " +
                           $"{outcome.ToWireName()} (on expiry: {(outcome == ApprovalStatus.Denied ? "deny" : "cancel")})";
                var changed = await connection.ExecuteAsync(new CommandDefinition(ExpireSql, new
                {
                    Status = outcome.ToWireName(), DecidedBy = SystemActor, Now = Stored(now), Note = note, request.Id,
                }, transaction, cancellationToken: token));
                if (changed != 1) continue;
                var done = request with { Status = outcome, DecidedBy = SystemActor, DecidedAt = now, DecisionNote = note };
                expired.Add(done);
                entries.Add(Audit(done, SystemActor, AuditDecision.ApprovalExpired,
                    $"approval {done.Id} for {done.Step} expired: {note}: {done.Command}"));
            }
            return entries;
        }, cancellationToken);
        return expired;
    }

    public async Task<ApprovalRequest> WaitForDecisionAsync(string id, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        while (true)
        {
            var request = await GetAsync(id, cancellationToken)
                          ?? throw new ArgumentException($"there is no approval request {id}", nameof(id));
            if (request.Status == ApprovalStatus.Expired)
            {
                await ExpireDueAsync(_time.GetUtcNow(), cancellationToken);
                continue;
            }
            if (request.Status != ApprovalStatus.Pending) return request;
            await Task.Delay(pollInterval, _time, cancellationToken);
        }
    }

    private async Task<ApprovalResult> DecideAsync(string id, Actor decider, string? note, ApprovalStatus to,
        CancellationToken cancellationToken)
    {
        id = ApprovalIds.Normalize(id);
        var verb = to == ApprovalStatus.Approved ? "approve" : "deny";
        ApprovalResult? result = null;
        await WriteAsync(async (connection, transaction, token) =>
        {
            var now = Now();
            var row = await ReadAsync(connection, transaction, id, token);
            if (row is null)
            {
                result = new(ApprovalResultKind.NotFound, null,
                    $"there is no approval request {id}; 'opsmith approvals list' shows the pending ones");
                return [];
            }
            var request = row.ToRequest(now);
            if (request.Status == ApprovalStatus.Expired)
            {
                result = new(ApprovalResultKind.Expired, request,
                    $"approval request {id} expired at {request.Expires:u}; nobody can {verb} it now. Run the step again to ask anew.");
                return [];
            }
            if (request.Status != ApprovalStatus.Pending)
            {
                result = new(ApprovalResultKind.AlreadyDecided, request,
                    $"approval request {id} is already {request.Status.ToWireName()} (by {request.DecidedBy} at {request.DecidedAt:u}); it cannot be decided twice");
                return [];
            }
            // A proposer that cannot be read (a hand-edited row) could be anyone, the decider included: fail closed.
            if (!Actor.TryParse(request.Proposer, out var proposer, out var unreadable))
            {
                result = new(ApprovalResultKind.NotAllowed, request,
                    $"approval request {id} names a proposer Opsmith cannot read ({unreadable}); nobody can {verb} it. Run the step again to ask anew.");
                return [];
            }
            // Four-eyes for both answers: a proposer who changed their mind stops their own run instead.
            var check = PolicyEngine.CanApprove(proposer, decider);
            if (check.Outcome != DecisionOutcome.Allow)
            {
                result = new(ApprovalResultKind.NotAllowed, request, to == ApprovalStatus.Approved
                    ? $"{check.Reason} ({id})"
                    : $"{check.Reason} ({id}); to stop your own step, stop its run (Ctrl-C) instead of denying it");
                return [];
            }
            var changed = await connection.ExecuteAsync(new CommandDefinition(DecideSql, new
            {
                Status = to.ToWireName(), DecidedBy = Text(decider.ToString()), Now = Stored(now), Note = NoteOrNull(note), Id = id,
            }, transaction, cancellationToken: token));
            if (changed != 1)
            {
                // Unreachable under the write lock; kept so a future lock-free path cannot decide twice.
                result = new(ApprovalResultKind.AlreadyDecided, request, $"approval request {id} was decided by someone else first");
                return [];
            }
            var decided = request with { Status = to, DecidedBy = Text(decider.ToString()), DecidedAt = now, DecisionNote = NoteOrNull(note) };
            result = new(ApprovalResultKind.Decided, decided, $"approval request {id} {(to == ApprovalStatus.Approved ? "approved" : "denied")}");
            var noteLine = string.IsNullOrEmpty(decided.DecisionNote) ? "" : $"\nnote: {decided.DecisionNote}";
            return [Audit(decided, decided.DecidedBy!, to == ApprovalStatus.Approved ? AuditDecision.ApprovalGranted : AuditDecision.ApprovalDenied,
                $"approval {id} {(to == ApprovalStatus.Approved ? "granted" : "denied")} for {decided.Step}: {decided.Command}{noteLine}")];
        }, cancellationToken);
        return result!;
    }

    private static async Task<ApprovalRow?> ReadAsync(DbConnection connection, DbTransaction? transaction, string id,
        CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<ApprovalRow>(new CommandDefinition(
            "SELECT " + ApprovalRow.Columns + " FROM approval_requests WHERE id = @Id", new { Id = ApprovalIds.Normalize(id) },
            transaction, cancellationToken: cancellationToken));

    private static AuditEntry Audit(ApprovalRequest request, string actor, AuditDecision decision, string detail) =>
        AuditEntry.ForDecision(request.RunId, actor, request.Host, request.Skill, request.SkillHash, decision, detail);

    private static string? NoteOrNull(string? note) => string.IsNullOrWhiteSpace(note) ? null : Text(note);

    private DateTimeOffset Now() => AuditCanonicalForm.ToStoredPrecision(_time.GetUtcNow());

    /// <summary>What the database can keep verbatim (no NUL, no lone surrogates), as the audit trail does.</summary>
    private static string Text(string? text) => AuditEntry.StorableText(text);
}
