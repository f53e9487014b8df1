using System.Data.Common;
using Dapper;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Tokens;

/// <summary>
/// API tokens in the audit database (table <c>api_tokens</c>, migration 0005), written through the audit store's
/// writer (SQLite's single writer connection; PostgreSQL's append transaction) and read on their own connections.
/// </summary>
public sealed class ApiTokenStore : IApiTokenStore
{
    private const string Columns =
        "id AS Id, name AS Name, role AS Role, secret_hash AS SecretHash, created_utc AS Created, created_by AS CreatedBy, revoked_utc AS Revoked";

    private readonly Func<Func<DbConnection, DbTransaction?, CancellationToken, Task>, CancellationToken, Task> _write;
    private readonly Func<CancellationToken, Task<DbConnection>> _read;
    private readonly Func<DateTimeOffset, object> _stored;
    private readonly TimeProvider _time;

    private ApiTokenStore(Func<Func<DbConnection, DbTransaction?, CancellationToken, Task>, CancellationToken, Task> write,
        Func<CancellationToken, Task<DbConnection>> read, Func<DateTimeOffset, object> stored, TimeProvider time)
    {
        _write = write;
        _read = read;
        _stored = stored;
        _time = time;
    }

    /// <param name="audit">An open store from <see cref="AuditStores.OpenAsync"/>; it must stay open while tokens are used.</param>
    public static IApiTokenStore For(IAuditStore audit, TimeProvider time) => audit switch
    {
        SqliteAuditStore sqlite => new ApiTokenStore(
            (work, ct) => sqlite.WriteWithAsync(async (c, t) => { await work(c, null, t); return []; }, ct),
            async ct => await sqlite.OpenReadConnectionAsync(ct), t => AuditCanonicalForm.FormatTime(t), time),
        PostgresAuditStore postgres => new ApiTokenStore(
            (work, ct) => postgres.WriteWithAsync(async (c, tx, t) => { await work(c, tx, t); return []; }, ct),
            async ct => await postgres.OpenReadConnectionAsync(ct), t => t.UtcDateTime, time),
        _ => throw new ArgumentException($"API tokens are kept in the audit database; {audit.GetType().Name} is not a database store", nameof(audit)),
    };

    public async Task<CreatedApiToken> CreateAsync(Actor holder, ApiRole role, Actor createdBy, CancellationToken cancellationToken)
    {
        var (id, secret) = ApiTokenSecrets.New();
        var token = new ApiToken(id, holder.ToString(), role, AuditCanonicalForm.ToStoredPrecision(_time.GetUtcNow()), createdBy.ToString(), null);
        await _write((connection, transaction, ct) => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_tokens (id, name, role, secret_hash, created_utc, created_by, revoked_utc) " +
            "VALUES (@Id, @Name, @Role, @Hash, @Created, @CreatedBy, NULL)",
            new { token.Id, token.Name, Role = role.ToWireName(), Hash = ApiTokenSecrets.Hash(secret), Created = _stored(token.Created), token.CreatedBy },
            transaction, cancellationToken: ct)), cancellationToken);
        return new CreatedApiToken(token, secret);
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _read(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM api_tokens ORDER BY created_utc, id", cancellationToken: cancellationToken));
        return rows.Select(r => r.ToToken()).ToList();
    }

    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        var changed = 0;
        await _write(async (connection, transaction, ct) => changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_tokens SET revoked_utc = @Now WHERE id = @Id AND revoked_utc IS NULL",
            new { Id = id.Trim().ToLowerInvariant(), Now = _stored(AuditCanonicalForm.ToStoredPrecision(_time.GetUtcNow())) },
            transaction, cancellationToken: ct)), cancellationToken);
        return changed == 1;
    }

    public async Task<ApiToken?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        if (ApiTokenSecrets.IdOf(secret) is not { } id) return null;
        await using var connection = await _read(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM api_tokens WHERE id = @Id", new { Id = id }, cancellationToken: cancellationToken));
        if (row is null || row.Revoked is not null || !ApiTokenSecrets.Matches(secret, row.SecretHash)) return null;
        return row.ToToken();
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string Role { get; set; } = "";
        public string SecretHash { get; set; } = "";
        public object? Created { get; set; }
        public string CreatedBy { get; set; } = "";
        public object? Revoked { get; set; }

        public ApiToken ToToken() => new(Id, Name,
            ApiRoleNames.TryParse(Role, out var role) ? role : throw new InvalidOperationException($"token {Id} has role '{Role}', which Opsmith never writes"),
            Time(Created)!.Value, CreatedBy, Time(Revoked));

        private static DateTimeOffset? Time(object? value) => AuditCanonicalForm.ReadStoredTime(value);
    }
}
