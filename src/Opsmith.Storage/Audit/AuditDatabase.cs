using System.Data.Common;
using Opsmith.Storage.Migrations;

namespace Opsmith.Storage.Audit;

/// <summary>
/// The tables that live beside the audit trail (approvals, incidents, agent sessions) reach its database through this:
/// writes run inside the trail's append transaction and append the audit entries they return there, so a change and
/// its record commit together; reads use their own connections; times are stored as each database keeps them.
/// </summary>
public sealed class AuditDatabase
{
    private readonly Func<Func<DbConnection, DbTransaction?, CancellationToken, Task<IReadOnlyList<AuditEntry>>>, CancellationToken, Task> _write;
    private readonly Func<CancellationToken, Task<DbConnection>> _openReader;

    private AuditDatabase(SqlDialect dialect,
        Func<Func<DbConnection, DbTransaction?, CancellationToken, Task<IReadOnlyList<AuditEntry>>>, CancellationToken, Task> write,
        Func<CancellationToken, Task<DbConnection>> openReader)
    {
        Dialect = dialect;
        _write = write;
        _openReader = openReader;
    }

    public SqlDialect Dialect { get; }

    /// <param name="audit">An open store from <see cref="AuditStores.OpenAsync"/>; it must stay open while this is used.</param>
    public static AuditDatabase Of(IAuditStore audit) => audit switch
    {
        SqliteAuditStore sqlite => new AuditDatabase(SqlDialect.Sqlite,
            // The transaction is SQL-level (BEGIN IMMEDIATE on the writer connection), so there is no DbTransaction to pass.
            (work, ct) => sqlite.WriteWithAsync((connection, token) => work(connection, null, token), ct),
            async ct => await sqlite.OpenReadConnectionAsync(ct)),
        PostgresAuditStore postgres => new AuditDatabase(SqlDialect.Postgres,
            (work, ct) => postgres.WriteWithAsync((connection, transaction, token) => work(connection, transaction, token), ct),
            async ct => await postgres.OpenReadConnectionAsync(ct)),
        _ => throw new ArgumentException(
            $"this record is kept in the audit database and commits with its audit record; {audit.GetType().Name} is not a database store", nameof(audit)),
    };

    /// <summary>Runs <paramref name="work"/> in the audit append transaction and appends the entries it returns there.</summary>
    public Task WriteAsync(Func<DbConnection, DbTransaction?, CancellationToken, Task<IReadOnlyList<AuditEntry>>> work, CancellationToken ct) =>
        _write(work, ct);

    public Task<DbConnection> OpenReaderAsync(CancellationToken ct) => _openReader(ct);

    /// <summary>A time as this database stores it (SQLite: fixed-width text; PostgreSQL: timestamptz).</summary>
    public object Stored(DateTimeOffset time) =>
        Dialect == SqlDialect.Sqlite ? AuditCanonicalForm.FormatTime(time) : AuditCanonicalForm.ToStoredPrecision(time).UtcDateTime;

    /// <summary>A time as the database returned it (SQLite text, PostgreSQL DateTime).</summary>
    public static DateTimeOffset? Time(object? value) => value switch
    {
        null => null,
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        DateTimeOffset o => o.ToUniversalTime(),
        string s => AuditCanonicalForm.ParseTime(s),
        var other => throw new InvalidOperationException($"unexpected time value {other} ({other.GetType().Name})"),
    };

    /// <summary>What the database can keep verbatim (no NUL, no lone surrogates), as the audit trail does.</summary>
    public static string Text(string? text) => AuditEntry.StorableText(text);
}
