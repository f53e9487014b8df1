using Opsmith.Testing;
using Opsmith.Storage.Tests.Support;
using Xunit.Abstractions;

namespace Opsmith.Storage.Tests;

/// <summary>One PostgreSQL server for the PostgreSQL tests (initdb and start take a few seconds).</summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The audit store contract against a real PostgreSQL server: a fresh schema per test.</summary>
public sealed class PostgresAuditStoreTests(PostgresServerFixture postgres, ITestOutputHelper output)
    : AuditStoreContract(output), IClassFixture<PostgresServerFixture>
{
    protected override async Task<ITrailLocation> NewTrailAsync() =>
        new PostgresTrail(await postgres.Server.CreateSchemaAsync($"trail_{Guid.NewGuid():N}"));
}
