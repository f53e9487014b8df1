using System.Data;
using Dapper;
using Npgsql;
using Opsmith.Core.Runs;
using Opsmith.Storage.Migrations;

namespace Opsmith.Storage.Audit;

/// <summary>
/// The audit trail in PostgreSQL, for teams that share one trail across machines. Same behaviour as
/// <see cref="SqliteAuditStore"/>, same tables and columns.
/// <para>
/// Concurrency: every append locks the one-row <c>audit_head</c> with <c>SELECT … FOR UPDATE</c>, inserts the
/// records and moves the head in the same transaction. The row lock serializes appends from every process
/// and machine; READ COMMITTED is enough because the locked read always returns the latest committed head.
/// </para>
/// <para>
/// Durability: each append transaction sets <c>synchronous_commit = on</c> locally, so a commit returns only
/// once the WAL is flushed to disk even if the server or database default was relaxed for speed. (A server
/// run with <c>fsync = off</c> cannot be fixed from a client; don't keep an audit trail on one.) A batch is
/// one transaction and one flush. Records are inserted with one statement per batch (unnest of arrays).
/// </para>
/// </summary>
public sealed class PostgresAuditStore : IAuditStore
{
    /// <summary>pg_advisory_xact_lock key that serializes schema migrations ("opsmith1" in ASCII).</summary>
    private const long MigrationLockKey = 0x6F70736D69746831;

    private const string LockHeadSql =
        "SET LOCAL synchronous_commit = on; SELECT sequence AS Sequence, hash AS Hash FROM audit_head WHERE id = 1 FOR UPDATE";

    private const string HeadSql = "SELECT sequence AS Sequence, hash AS Hash FROM audit_head WHERE id = 1";
    private const string MoveHeadSql = "UPDATE audit_head SET sequence = @Sequence, hash = @Hash WHERE id = 1";

    private const string InsertSql =
        "INSERT INTO audit_records (sequence, run_id, time_utc, kind, actor, host, skill, skill_hash, decision, detail, " +
        "owner_machine, owner_pid, owner_boot_id, owner_start, previous_hash, hash, format, section, step, tier, mode, outcome) " +
        "SELECT * FROM unnest(@Sequence::bigint[], @RunId::text[], @Time::timestamptz[], @Kind::text[], @Actor::text[], " +
        "@Host::text[], @Skill::text[], @SkillHash::text[], @Decision::text[], @Detail::text[], @OwnerMachine::text[], " +
        "@OwnerPid::bigint[], @OwnerBootId::text[], @OwnerStart::bigint[], @PreviousHash::text[], @Hash::text[], " +
        "@Format::integer[], @Section::text[], @Step::text[], @Tier::text[], @Mode::text[], @Outcome::text[])";

    private const string ListSql =
        "SELECT " + AuditRow.Columns + " FROM audit_records " +
        "WHERE (@Since::timestamptz IS NULL OR time_utc >= @Since::timestamptz) AND (@Skill::text IS NULL OR skill = @Skill::text) " +
        "AND (@Host::text IS NULL OR host = @Host::text) AND (@Decision::text IS NULL OR decision = @Decision::text) " +
        "AND (@Kind::text IS NULL OR kind = @Kind::text) AND (@RunId::text IS NULL OR run_id = @RunId::text) " +
        "AND (@Section::text IS NULL OR section = @Section::text) AND (@Mode::text IS NULL OR mode = @Mode::text) " +
        "AND (@MinTierRank::integer IS NULL OR " + AuditQuery.TierRankSql + " >= @MinTierRank::integer) ";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    private PostgresAuditStore(NpgsqlDataSource dataSource, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
    }

    /// <summary>Connects, and brings the schema up to date (creating the tables in an empty database).</summary>
    public static async Task<PostgresAuditStore> OpenAsync(PostgresAuditOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@Key)", new { Key = MigrationLockKey },
                transaction, cancellationToken: cancellationToken));
            await SchemaMigrator.ApplyPendingAsync(connection, transaction, SqlDialect.Postgres, time, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new PostgresAuditStore(dataSource, time);
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }
    }

    public async Task<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        (await AppendBatchAsync([entry], cancellationToken))[0];

    public Task<IReadOnlyList<AuditRecord>> AppendBatchAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) =>
        WriteAsync((_, _, _) => Task.FromResult(entries), cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> MarkInterruptedRunsAsync(CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction, token) =>
        {
            var open = await connection.QueryAsync<AuditRow>(new CommandDefinition(
                "SELECT " + AuditRow.Columns + " FROM audit_records WHERE " + AuditInterruptions.OpenRunsWhere + " ORDER BY sequence",
                transaction: transaction, cancellationToken: token));
            return AuditInterruptions.EntriesFor(open);
        }, cancellationToken);

    public async Task<IReadOnlyList<AuditRecord>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var sql = ListSql + (query.NewestFirst ? "ORDER BY sequence DESC" : "ORDER BY sequence") + " LIMIT @Limit";
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(sql, new
        {
            Since = query.Since?.ToUniversalTime(),
            query.Skill,
            query.Host,
            Decision = query.Decision?.ToWireName(),
            Kind = query.Kind?.ToWireName(),
            query.RunId,
            Section = query.Section?.Wire(),
            Mode = query.Mode?.Wire(),
            MinTierRank = (int?)query.MinTier,
            Limit = query.CheckedLimit,
        }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<AuditRecord?> GetAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AuditRow>(new CommandDefinition(
            "SELECT " + AuditRow.Columns + " FROM audit_records WHERE sequence = @Sequence", new { Sequence = sequence },
            cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // REPEATABLE READ: the head and every record come from one snapshot, whatever is appended meanwhile.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var head = await connection.QuerySingleAsync<AuditHead>(new CommandDefinition(HeadSql, transaction: transaction,
            cancellationToken: cancellationToken));
        return await AuditChainVerifier.VerifyAsync(AllRows(connection, transaction), head, cancellationToken);
    }

    public async Task<long> ExportJsonlAsync(TextWriter writer, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        return await AuditJsonl.WriteAsync(writer, AllRows(connection, transaction), cancellationToken);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>
    /// Runs <paramref name="work"/> inside the append transaction (audit_head locked) and appends the entries it
    /// returns in that same transaction. The approval store uses it so a request's change and its audit record
    /// commit together or not at all; the head lock also serializes decisions on one request.
    /// </summary>
    internal Task<IReadOnlyList<AuditRecord>> WriteWithAsync(
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<IReadOnlyList<AuditEntry>>> work,
        CancellationToken cancellationToken) =>
        WriteAsync(work, cancellationToken);

    /// <summary>A pooled connection to the same database (the caller disposes it).</summary>
    internal ValueTask<NpgsqlConnection> OpenReadConnectionAsync(CancellationToken cancellationToken) =>
        _dataSource.OpenConnectionAsync(cancellationToken);

    private async Task<IReadOnlyList<AuditRecord>> WriteAsync(
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<IReadOnlyList<AuditEntry>>> entriesUnderLock,
        CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var head = await connection.QuerySingleAsync<AuditHead>(new CommandDefinition(LockHeadSql, transaction: transaction,
            cancellationToken: cancellationToken));
        var records = AuditChain.Seal(await entriesUnderLock(connection, transaction, cancellationToken), head, _time);
        if (records.Count > 0)
        {
            var rows = records.Select(r => AuditRow.From(r, r.Time.UtcDateTime)).ToArray();
            await connection.ExecuteAsync(new CommandDefinition(InsertSql, new
            {
                Sequence = rows.Select(r => r.Sequence).ToArray(),
                RunId = rows.Select(r => r.RunId).ToArray(),
                Time = rows.Select(r => (DateTime)r.Time!).ToArray(),
                Kind = rows.Select(r => r.Kind).ToArray(),
                Actor = rows.Select(r => r.Actor).ToArray(),
                Host = rows.Select(r => r.Host).ToArray(),
                Skill = rows.Select(r => r.Skill).ToArray(),
                SkillHash = rows.Select(r => r.SkillHash).ToArray(),
                Decision = rows.Select(r => r.Decision).ToArray(),
                Detail = rows.Select(r => r.Detail).ToArray(),
                OwnerMachine = rows.Select(r => r.OwnerMachine).ToArray(),
                OwnerPid = rows.Select(r => r.OwnerPid).ToArray(),
                OwnerBootId = rows.Select(r => r.OwnerBootId).ToArray(),
                OwnerStart = rows.Select(r => r.OwnerStart).ToArray(),
                PreviousHash = rows.Select(r => r.PreviousHash).ToArray(),
                Hash = rows.Select(r => r.Hash).ToArray(),
                Format = rows.Select(r => (int)r.Format).ToArray(),
                Section = rows.Select(r => r.Section).ToArray(),
                Step = rows.Select(r => r.Step).ToArray(),
                Tier = rows.Select(r => r.Tier).ToArray(),
                Mode = rows.Select(r => r.Mode).ToArray(),
                Outcome = rows.Select(r => r.Outcome).ToArray(),
            }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(MoveHeadSql, AuditChain.HeadAfter(records, head), transaction,
                cancellationToken: cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
        return records;
    }

    private static IAsyncEnumerable<AuditRow> AllRows(NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        connection.QueryUnbufferedAsync<AuditRow>("SELECT " + AuditRow.Columns + " FROM audit_records ORDER BY sequence",
            transaction: transaction);
}
