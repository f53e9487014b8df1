namespace Opsmith.Storage.Audit;

/// <summary>Where the SQLite trail lives and how long a writer waits for another process's transaction.</summary>
/// <param name="DatabasePath">The database file; its folder is created (mode 700) when missing.</param>
public sealed record SqliteAuditOptions(string DatabasePath)
{
    /// <summary>The default file name inside Opsmith's data folder (~/.local/share/opsmith or $OPSMITH_HOME/data).</summary>
    public const string DefaultFileName = "audit.db";

    /// <summary>How long an append waits for another process's append before failing. Appends take milliseconds.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static SqliteAuditOptions InDataFolder(string dataDirectory) => new(Path.Combine(dataDirectory, DefaultFileName));
}

/// <summary>The PostgreSQL trail: an Npgsql connection string (host, port, database, user, password, SSL …).</summary>
public sealed record PostgresAuditOptions(string ConnectionString);
