using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Opsmith.Storage.Migrations;

/// <summary>One versioned SQL script, embedded as <c>Migrations/&lt;Dialect&gt;/NNNN_name.sql</c>.</summary>
internal sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>Recorded when applied; a later mismatch means someone edited a shipped migration.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

public enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Applies the pending migrations of one dialect, in version order, inside the caller's transaction, and
/// records each in <c>schema_migrations</c>. The caller holds the database's exclusive lock for that
/// transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so processes starting together
/// migrate once. Forward only: a database newer than this build, or a changed script, stops with a message.
/// </summary>
internal static class SchemaMigrator
{
    private const string CreateTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, " +
        "checksum text NOT NULL, applied_utc text NOT NULL)";

    public static IReadOnlyList<Migration> Load(SqlDialect dialect)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"{typeof(SchemaMigrator).Namespace}.{dialect}.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var file = resource[prefix.Length..];                    // 0001_audit_records.sql
            var underscore = file.IndexOf('_');
            if (underscore < 1 || !int.TryParse(file[..underscore], out var version) || !file.EndsWith(".sql", StringComparison.Ordinal))
                throw new InvalidOperationException($"embedded migration {resource} is not named NNNN_name.sql");
            migrations.Add(new Migration(version, file[(underscore + 1)..^4], Read(assembly, resource)));
        }
        var sorted = migrations.OrderBy(m => m.Version).ToList();
        for (var i = 0; i < sorted.Count; i++)
            if (sorted[i].Version != i + 1)
                throw new InvalidOperationException($"{dialect} migrations must be numbered 1, 2, 3… without gaps; found {sorted[i].Version} at position {i + 1}");
        return sorted;
    }

    /// <summary>Returns the migrations it applied (empty when the schema was current).</summary>
    public static async Task<IReadOnlyList<Migration>> ApplyPendingAsync(DbConnection connection, DbTransaction? transaction,
        SqlDialect dialect, TimeProvider time, CancellationToken cancellationToken)
    {
        var known = Load(dialect);
        await connection.ExecuteAsync(new CommandDefinition(CreateTable, transaction: transaction, cancellationToken: cancellationToken));
        var applied = (await connection.QueryAsync<(long Version, string Name, string Checksum)>(new CommandDefinition(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version", transaction: transaction,
            cancellationToken: cancellationToken))).ToList();

        foreach (var (version, name, checksum) in applied)
        {
            var shipped = known.FirstOrDefault(m => m.Version == version)
                          ?? throw new InvalidOperationException(
                              $"the audit database is at schema version {applied[^1].Version}, newer than this Opsmith knows ({known.Count}); " +
                              "upgrade Opsmith, or point it at another database");
            if (!string.Equals(shipped.Checksum, checksum, StringComparison.Ordinal))
                throw new InvalidOperationException(
                    $"migration {version:D4}_{name} was changed after it was applied to this database; shipped migrations must never change — add a new one instead");
        }

        var pending = known.Where(m => applied.All(a => a.Version != m.Version)).ToList();
        foreach (var migration in pending)
        {
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, checksum, applied_utc) VALUES (@Version, @Name, @Checksum, @Applied)",
                new { migration.Version, migration.Name, migration.Checksum, Applied = Audit.AuditCanonicalForm.FormatTime(time.GetUtcNow()) },
                transaction, cancellationToken: cancellationToken));
        }
        return pending;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
