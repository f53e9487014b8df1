using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Opsmith.Core.Runs;
using Opsmith.Storage.Migrations;

namespace Opsmith.Storage.Audit;

/// <summary>
/// The default audit trail: one SQLite file shared by every Opsmith process of a user.
/// <para>
/// Concurrency. The file is in WAL mode, so readers (list, verify, export) never block the writer or each
/// other. Every append runs in one <c>BEGIN IMMEDIATE</c> transaction that reads the chain head, inserts
/// the records and moves the head: IMMEDIATE takes SQLite's single write lock before the head is read,
/// so two processes can never both link to the same head. A process waits up to
/// <see cref="SqliteAuditOptions.BusyTimeout"/> (SQLite's busy_timeout) for another's append. Inside one
/// process, appends queue on a semaphore in front of one writer connection instead of spinning on the lock.
/// </para>
/// <para>
/// Durability: <c>synchronous=FULL</c>. In WAL mode NORMAL already survives the process being killed
/// (SIGKILL, OOM): a commit is in the WAL file, in the OS page cache, before it returns. It does not
/// survive the machine losing power or the kernel crashing: the last commits can vanish. The trail records
/// decisions before the commands they allow; losing them to a power cut would leave commands that ran with
/// no trace, which is the one thing an audit trail must not do. FULL syncs the WAL on every commit; the cost
/// is one fsync per transaction, which <see cref="AppendBatchAsync"/> spreads over a whole batch.
/// </para>
/// </summary>
public sealed class SqliteAuditStore : IAuditStore
{
    private const string InsertSql =
        "INSERT INTO audit_records (sequence, run_id, time_utc, kind, actor, host, skill, skill_hash, decision, detail, " +
        "owner_machine, owner_pid, owner_boot_id, owner_start, previous_hash, hash, format, section, step, tier, mode, outcome) " +
        "VALUES (@Sequence, @RunId, @Time, @Kind, @Actor, @Host, @Skill, @SkillHash, @Decision, @Detail, @OwnerMachine, @OwnerPid, " +
        "@OwnerBootId, @OwnerStart, @PreviousHash, @Hash, @Format, @Section, @Step, @Tier, @Mode, @Outcome)";

    private const string HeadSql = "SELECT sequence AS Sequence, hash AS Hash FROM audit_head WHERE id = 1";
    private const string MoveHeadSql = "UPDATE audit_head SET sequence = @Sequence, hash = @Hash WHERE id = 1";

    private const string ListSql =
        "SELECT " + AuditRow.Columns + " FROM audit_records " +
        "WHERE (@Since IS NULL OR time_utc >= @Since) AND (@Skill IS NULL OR skill = @Skill) " +
        "AND (@Host IS NULL OR host = @Host) AND (@Decision IS NULL OR decision = @Decision) " +
        "AND (@Kind IS NULL OR kind = @Kind) AND (@RunId IS NULL OR run_id = @RunId) " +
        "AND (@Section IS NULL OR section = @Section) AND (@Mode IS NULL OR mode = @Mode) " +
        "AND (@MinTierRank IS NULL OR " + AuditQuery.TierRankSql + " >= @MinTierRank) ";

    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;
    private readonly TimeProvider _time;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private SqliteAuditStore(string connectionString, int busyTimeoutMilliseconds, TimeProvider time, SqliteConnection writer)
    {
        _connectionString = connectionString;
        _busyTimeoutMilliseconds = busyTimeoutMilliseconds;
        _time = time;
        _writer = writer;
    }

    public string DatabasePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    /// <summary>Opens (creating when missing) the trail and brings its schema up to date.</summary>
    /// <summary>A folder whose new files belong to its group (setgid): a team shares what is in it.</summary>
    public static bool IsTeamFolder(string folder) => (File.GetUnixFileMode(folder) & UnixFileMode.SetGroup) != 0;

    public static async Task<SqliteAuditStore> OpenAsync(SqliteAuditOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(options.DatabasePath);
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var created = !File.Exists(path);
        var busy = (int)Math.Clamp(options.BusyTimeout.TotalMilliseconds, 0, int.MaxValue);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = Math.Max(1, busy / 1000),
        }.ToString();

        var writer = new SqliteConnection(connectionString);
        try
        {
            await writer.OpenAsync(cancellationToken);
            // The trail holds commands run on servers: only its owner reads it — or, in a team's store (a folder with the
            // setgid bit, docs/configuration.md), the team's group. SQLite gives -wal/-shm the same mode.
            if (created) File.SetUnixFileMode(path, IsTeamFolder(folder)
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await ConfigureAsync(writer, busy, cancellationToken);
            var mode = await writer.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken));
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException(
                    $"cannot put the audit database {path} in WAL mode (got '{mode}'); is it on a network file system? Keep it on a local disk.");

            await writer.ExecuteAsync(new CommandDefinition("BEGIN IMMEDIATE", cancellationToken: cancellationToken));
            try
            {
                await SchemaMigrator.ApplyPendingAsync(writer, null, SqlDialect.Sqlite, time, cancellationToken);
                await writer.ExecuteAsync("COMMIT");
            }
            catch
            {
                await RollBackQuietlyAsync(writer);
                throw;
            }
            return new SqliteAuditStore(connectionString, busy, time, writer);
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    public async Task<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        (await AppendBatchAsync([entry], cancellationToken))[0];

    public Task<IReadOnlyList<AuditRecord>> AppendBatchAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) =>
        WriteAsync(_ => Task.FromResult(entries), cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> MarkInterruptedRunsAsync(CancellationToken cancellationToken) =>
        WriteAsync(async token =>
        {
            var open = await _writer.QueryAsync<AuditRow>(new CommandDefinition(
                "SELECT " + AuditRow.Columns + " FROM audit_records WHERE " + AuditInterruptions.OpenRunsWhere + " ORDER BY sequence",
                cancellationToken: token));
            return AuditInterruptions.EntriesFor(open);
        }, cancellationToken);

    public async Task<IReadOnlyList<AuditRecord>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        var sql = ListSql + (query.NewestFirst ? "ORDER BY sequence DESC" : "ORDER BY sequence") + " LIMIT @Limit";
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(sql, new
        {
            Since = query.Since is { } since ? AuditCanonicalForm.FormatTime(since) : null,
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
        await using var connection = await OpenReaderAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AuditRow>(new CommandDefinition(
            "SELECT " + AuditRow.Columns + " FROM audit_records WHERE sequence = @Sequence", new { Sequence = sequence },
            cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        // One read transaction: in WAL mode it sees one snapshot, so appends racing with verify don't confuse it.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var head = await connection.QuerySingleAsync<AuditHead>(new CommandDefinition(HeadSql, transaction: transaction,
            cancellationToken: cancellationToken));
        return await AuditChainVerifier.VerifyAsync(AllRows(connection, transaction), head, cancellationToken);
    }

    public async Task<long> ExportJsonlAsync(TextWriter writer, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        return await AuditJsonl.WriteAsync(writer, AllRows(connection, transaction), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the writer connection inside the append transaction (BEGIN IMMEDIATE, the
    /// write lock held) and appends the entries it returns in that same transaction. The approval store uses it
    /// so a request's change and its audit record commit together or not at all.
    /// </summary>
    internal Task<IReadOnlyList<AuditRecord>> WriteWithAsync(
        Func<SqliteConnection, CancellationToken, Task<IReadOnlyList<AuditEntry>>> work, CancellationToken cancellationToken) =>
        WriteAsync(token => work(_writer, token), cancellationToken);

    /// <summary>A new read connection to the same file, configured like the store's own (the caller disposes it).</summary>
    internal Task<SqliteConnection> OpenReadConnectionAsync(CancellationToken cancellationToken) => OpenReaderAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            SqliteConnection.ClearPool(_writer);
            await _writer.DisposeAsync();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<IReadOnlyList<AuditRecord>> WriteAsync(Func<CancellationToken, Task<IReadOnlyList<AuditEntry>>> entriesUnderLock,
        CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await _writer.ExecuteAsync(new CommandDefinition("BEGIN IMMEDIATE", cancellationToken: cancellationToken));
            try
            {
                var head = await _writer.QuerySingleAsync<AuditHead>(new CommandDefinition(HeadSql, cancellationToken: cancellationToken));
                var records = AuditChain.Seal(await entriesUnderLock(cancellationToken), head, _time);
                if (records.Count > 0)
                {
                    await _writer.ExecuteAsync(new CommandDefinition(InsertSql,
                        records.Select(r => AuditRow.From(r, AuditCanonicalForm.FormatTime(r.Time))), cancellationToken: cancellationToken));
                    await _writer.ExecuteAsync(new CommandDefinition(MoveHeadSql, AuditChain.HeadAfter(records, head),
                        cancellationToken: cancellationToken));
                }
                await _writer.ExecuteAsync("COMMIT");
                return records;
            }
            catch
            {
                await RollBackQuietlyAsync(_writer);
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private IAsyncEnumerable<AuditRow> AllRows(SqliteConnection connection, SqliteTransaction transaction) =>
        connection.QueryUnbufferedAsync<AuditRow>("SELECT " + AuditRow.Columns + " FROM audit_records ORDER BY sequence",
            transaction: transaction);

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ConfigureAsync(connection, _busyTimeoutMilliseconds, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Per-connection settings (SQLite forgets them when a connection closes).</summary>
    private static Task ConfigureAsync(SqliteConnection connection, int busyTimeoutMilliseconds, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"PRAGMA busy_timeout = {busyTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)}; PRAGMA synchronous = FULL",
            cancellationToken: cancellationToken));

    /// <summary>After a failure the transaction may already be gone (SQLite rolls back on some errors).</summary>
    private static async Task RollBackQuietlyAsync(SqliteConnection connection)
    {
        try { await connection.ExecuteAsync("ROLLBACK"); }
        catch (SqliteException) { }
    }
}
