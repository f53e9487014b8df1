using Dapper;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Executions;

/// <summary>
/// One execution as stored: the columns a listing filters and sorts on, and the whole execution as JSON
/// (<see cref="Document"/>, written and read by the application layer, which owns its shape).
/// </summary>
/// <param name="Commit">The skills repository commit the skill ran at; null for a GitHub Actions callback.</param>
/// <param name="Status"><c>running</c>, or the verdict's wire name.</param>
public sealed record StoredExecution(string Id, string Skill, string? Commit, string Actor, string Status, DateTimeOffset Started,
    DateTimeOffset? Finished, string Document);

/// <summary>
/// Executions in the audit database (table <c>executions</c>, migration 0006), SQLite or PostgreSQL alike, written through
/// the audit store's writer. They add no audit records: each run's own records (run-started, commands, run-finished)
/// already say what happened; this is the server's list of them, kept across restarts.
/// </summary>
public sealed class ExecutionStore(AuditDatabase database)
{
    private const string Columns =
        "id AS Id, skill AS Skill, commit_sha AS CommitSha, actor AS Actor, status AS Status, started_utc AS Started, finished_utc AS Finished, document AS Document";

    public static ExecutionStore For(IAuditStore audit) => new(AuditDatabase.Of(audit));

    /// <summary>Inserts the execution, or replaces what is stored under its id (a running execution that finished).</summary>
    public Task SaveAsync(StoredExecution execution, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction, token) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO executions (id, skill, commit_sha, actor, status, started_utc, finished_utc, document) " +
                "VALUES (@Id, @Skill, @Commit, @Actor, @Status, @Started, @Finished, @Document) " +
                "ON CONFLICT (id) DO UPDATE SET skill = excluded.skill, commit_sha = excluded.commit_sha, actor = excluded.actor, status = excluded.status, " +
                "started_utc = excluded.started_utc, finished_utc = excluded.finished_utc, document = excluded.document",
                new
                {
                    execution.Id, Skill = AuditDatabase.Text(execution.Skill), execution.Commit, Actor = AuditDatabase.Text(execution.Actor), execution.Status,
                    Started = database.Stored(execution.Started), Finished = execution.Finished is { } f ? database.Stored(f) : null,
                    Document = AuditDatabase.Text(execution.Document),
                }, transaction, cancellationToken: token));
            return [];
        }, ct);

    public async Task<StoredExecution?> GetAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenReaderAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM executions WHERE id = @Id", new { Id = id }, cancellationToken: ct));
        return row?.ToExecution();
    }

    /// <summary>Newest first, at most <paramref name="limit"/>; <paramref name="status"/> is <c>running</c> or a verdict's wire name.</summary>
    public async Task<IReadOnlyList<StoredExecution>> ListAsync(string? skill, string? status, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenReaderAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM executions WHERE 1 = 1{(skill is null ? "" : " AND skill = @Skill")}{(status is null ? "" : " AND status = @Status")} " +
            "ORDER BY started_utc DESC, id LIMIT @Limit", new { Skill = skill, Status = status, Limit = limit }, cancellationToken: ct));
        return rows.Select(r => r.ToExecution()).ToList();
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Skill { get; set; } = "";
        public string? CommitSha { get; set; }
        public string Actor { get; set; } = "";
        public string Status { get; set; } = "";
        public object? Started { get; set; }
        public object? Finished { get; set; }
        public string Document { get; set; } = "";

        public StoredExecution ToExecution() =>
            new(Id, Skill, CommitSha, Actor, Status, AuditDatabase.Time(Started)!.Value, AuditDatabase.Time(Finished), Document);
    }
}
