namespace Opsmith.Storage.Audit;

/// <summary>Opens the configured trail: PostgreSQL when a connection string is configured, else SQLite.</summary>
public static class AuditStores
{
    /// <param name="dataDirectory">Opsmith's data folder; the SQLite trail is <c>audit.db</c> in it.</param>
    /// <param name="postgresConnectionString">From configuration; null or blank selects SQLite.</param>
    public static async Task<IAuditStore> OpenAsync(string dataDirectory, string? postgresConnectionString, TimeProvider time,
        CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(postgresConnectionString)
            ? await SqliteAuditStore.OpenAsync(SqliteAuditOptions.InDataFolder(dataDirectory), time, cancellationToken)
            : await PostgresAuditStore.OpenAsync(new PostgresAuditOptions(postgresConnectionString), time, cancellationToken);
}
