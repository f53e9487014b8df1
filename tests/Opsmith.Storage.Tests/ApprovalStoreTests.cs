using Opsmith.Storage.Tests.Support;

namespace Opsmith.Storage.Tests;

/// <summary>The approval store contract against SQLite: a fresh audit database file per test.</summary>
public sealed class SqliteApprovalStoreTests : ApprovalStoreContract
{
    protected override Task<ITrailLocation> NewTrailAsync() => Task.FromResult<ITrailLocation>(new SqliteTrail());
}

/// <summary>The approval store contract against a real PostgreSQL server: a fresh schema per test.</summary>
public sealed class PostgresApprovalStoreTests(PostgresServerFixture postgres) : ApprovalStoreContract, IClassFixture<PostgresServerFixture>
{
    protected override async Task<ITrailLocation> NewTrailAsync() =>
        new PostgresTrail(await postgres.Server.CreateSchemaAsync($"approvals_{Guid.NewGuid():N}"));
}
