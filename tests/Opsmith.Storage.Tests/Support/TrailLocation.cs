using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Tests.Support;

/// <summary>
/// One empty audit trail for one test, in one of the two databases: stores open on it, writer processes
/// point at it, and the test can reach past the store to tamper with it the way an attacker with database
/// access would (the append-only triggers switched off first).
/// </summary>
public interface ITrailLocation : IAsyncDisposable
{
    Task<IAuditStore> OpenAsync(TimeProvider? time = null);

    /// <summary>Arguments that point Opsmith.Storage.Writer at this trail.</summary>
    IReadOnlyList<string> WriterArguments { get; }

    /// <summary>Runs SQL directly against the database with the append-only triggers disabled.</summary>
    Task TamperAsync(string sql, object? parameters = null);

    /// <summary>Runs SQL directly, triggers in force.</summary>
    Task ExecuteAsync(string sql);

    Task<T> ScalarAsync<T>(string sql);
}

public sealed class SqliteTrail : ITrailLocation
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opsmith-audit-").FullName;

    public string DatabasePath => Path.Combine(_folder, "data", "audit.db");

    public IReadOnlyList<string> WriterArguments => ["--sqlite", DatabasePath];

    public async Task<IAuditStore> OpenAsync(TimeProvider? time = null) =>
        await SqliteAuditStore.OpenAsync(new SqliteAuditOptions(DatabasePath), time ?? TimeProvider.System, CancellationToken.None);

    public async Task TamperAsync(string sql, object? parameters = null)
    {
        await using var connection = await ConnectAsync();
        await connection.ExecuteAsync(
            "DROP TRIGGER IF EXISTS audit_records_no_update; DROP TRIGGER IF EXISTS audit_records_no_delete; " + sql, parameters);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await ConnectAsync();
        await connection.ExecuteAsync(sql);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await ConnectAsync();
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> ConnectAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await connection.ExecuteAsync("PRAGMA busy_timeout = 10000");
        return connection;
    }
}

public sealed class PostgresTrail(string connectionString) : ITrailLocation
{
    public IReadOnlyList<string> WriterArguments => ["--postgres", connectionString];

    public async Task<IAuditStore> OpenAsync(TimeProvider? time = null) =>
        await PostgresAuditStore.OpenAsync(new PostgresAuditOptions(connectionString), time ?? TimeProvider.System, CancellationToken.None);

    public async Task TamperAsync(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("ALTER TABLE audit_records DISABLE TRIGGER USER", transaction: transaction);
        await connection.ExecuteAsync(sql, parameters, transaction);
        await connection.ExecuteAsync("ALTER TABLE audit_records ENABLE TRIGGER USER", transaction: transaction);
        await transaction.CommitAsync();
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(sql);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the schema goes with the server
}
