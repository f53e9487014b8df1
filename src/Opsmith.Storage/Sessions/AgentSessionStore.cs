using Dapper;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Sessions;

/// <summary>
/// Agent sessions in the audit database (table <c>agent_sessions</c>, migration 0004). Starting and finishing a session
/// each commit with an audit record (kind <c>agent-session</c>); trajectory updates in between are not audited (the
/// runs they describe have their own records).
/// </summary>
public sealed class AgentSessionStore(AuditDatabase database, TimeProvider time, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    public static AgentSessionStore For(IAuditStore audit, TimeProvider time, Random? random = null) => new(AuditDatabase.Of(audit), time, random);

    public async Task<AgentSession> StartAsync(string agent, string actor, string triggerKind, string triggerText, string? incidentId, CancellationToken ct)
    {
        AgentSession? session = null;
        await database.WriteAsync(async (connection, transaction, token) =>
        {
            var now = AuditCanonicalForm.ToStoredPrecision(time.GetUtcNow());
            for (var attempt = 0; session is null; attempt++)
            {
                if (attempt == 20) throw new InvalidOperationException("could not find a free session id after 20 tries");
                var candidate = new AgentSession(ApprovalIds.New(_random, "as-"), AuditDatabase.Text(agent), AuditDatabase.Text(actor), triggerKind,
                    AuditDatabase.Text(triggerText), incidentId, SessionStatus.Running, now, null, "", 0, "{}");
                var inserted = await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO agent_sessions (id, agent, actor, trigger_kind, trigger_text, incident_id, status, started_utc, finished_utc, summary, tokens, trajectory) " +
                    "VALUES (@Id, @Agent, @Actor, @TriggerKind, @TriggerText, @IncidentId, 'running', @Started, NULL, '', 0, '{}') ON CONFLICT (id) DO NOTHING",
                    new { candidate.Id, candidate.Agent, candidate.Actor, candidate.TriggerKind, candidate.TriggerText, candidate.IncidentId, Started = database.Stored(now) },
                    transaction, cancellationToken: token));
                if (inserted == 1) session = candidate;
            }
            return [AuditEntry.ForSession(session.Id, session.Actor, session.Agent, "running",
                $"agent session {session.Id} started ({triggerKind}: {session.TriggerText})")];
        }, ct);
        return session!;
    }

    /// <summary>Stores the trajectory so far (a dashboard reading the database follows the session live).</summary>
    public Task UpdateAsync(string id, string trajectoryJson, int tokens, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction, token) =>
        {
            await connection.ExecuteAsync(new CommandDefinition("UPDATE agent_sessions SET trajectory = @Trajectory, tokens = @Tokens WHERE id = @Id",
                new { Trajectory = AuditDatabase.Text(trajectoryJson), Tokens = tokens, Id = id }, transaction, cancellationToken: token));
            return [];
        }, ct);

    public async Task<AgentSession> FinishAsync(AgentSession session, SessionStatus status, string summary, string trajectoryJson, int tokens, CancellationToken ct)
    {
        var finished = session with
        {
            Status = status, FinishedAt = AuditCanonicalForm.ToStoredPrecision(time.GetUtcNow()), Summary = AuditDatabase.Text(summary),
            Trajectory = AuditDatabase.Text(trajectoryJson), Tokens = tokens,
        };
        await database.WriteAsync(async (connection, transaction, token) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE agent_sessions SET status = @Status, finished_utc = @Finished, summary = @Summary, trajectory = @Trajectory, tokens = @Tokens WHERE id = @Id",
                new { Status = status.ToWireName(), Finished = database.Stored(finished.FinishedAt!.Value), finished.Summary, finished.Trajectory, finished.Tokens, finished.Id },
                transaction, cancellationToken: token));
            return [AuditEntry.ForSession(finished.Id, finished.Actor, finished.Agent, status.ToWireName(), $"agent session {finished.Id} {status.ToWireName()}: {finished.Summary}")];
        }, ct);
        return finished;
    }

    public async Task<AgentSession?> GetAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenReaderAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<AgentSessionRow>(new CommandDefinition(
            "SELECT " + AgentSessionRow.Columns + " FROM agent_sessions WHERE id = @Id", new { Id = id.Trim().ToLowerInvariant() }, cancellationToken: ct));
        return row?.ToSession();
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<AgentSession>> ListAsync(int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenReaderAsync(ct);
        var rows = await connection.QueryAsync<AgentSessionRow>(new CommandDefinition(
            "SELECT " + AgentSessionRow.Columns + " FROM agent_sessions ORDER BY started_utc DESC, id LIMIT @Limit", new { Limit = limit }, cancellationToken: ct));
        return rows.Select(r => r.ToSession()).ToList();
    }
}
