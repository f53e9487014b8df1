using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Opsmith.Application;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Tokens;
using Opsmith.Testing;

namespace Opsmith.Server.Tests;

/// <summary>
/// A server in process (WebApplicationFactory) on its own Opsmith home, running skills on a real sshd cluster on
/// loopback, with its audit trail in SQLite or in a real PostgreSQL schema. Tokens are made the way
/// <c>opsmith tokens create</c> makes them: in the shared token store.
/// </summary>
public sealed class OpsmithServerFactory(string home, string inventory, string? postgres, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    public const string CallbackSecret = "test-callback-secret";

    public string Home => home;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Opsmith:Home", home);
        builder.UseSetting("Opsmith:Inventory", inventory);
        builder.UseSetting("Opsmith:CallbackSecret", CallbackSecret);
        builder.UseSetting("Opsmith:RequestsPerSecond", "10000");
        if (postgres is not null) builder.UseSetting("Opsmith:AuditPostgres", postgres);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        if (Environment.GetEnvironmentVariable("OPSMITH_TEST_SERVER_LOG") == "1")
            builder.ConfigureLogging(logging => logging.AddConsole());
    }

    public OpsmithServices Opsmith => Services.GetRequiredService<OpsmithServices>();

    /// <summary>Another server on the same home, database and settings: what a restart of this one sees.</summary>
    public OpsmithServerFactory Restarted() => new(home, inventory, postgres, settings);

    /// <summary>An HTTP client holding a new token for <paramref name="person"/> with <paramref name="role"/>.</summary>
    public async Task<HttpClient> ClientAsync(string person, ApiRole role)
    {
        var tokens = await Opsmith.TokensAsync(default);
        var created = await tokens.CreateAsync(new Actor(person, ActorKind.Human), role, new Actor("admin", ActorKind.Human), default);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Secret);
        return client;
    }
}

/// <summary>One sshd cluster and one PostgreSQL server for every server test; each test class makes its own homes.</summary>
public sealed class ServerInfrastructure : IAsyncLifetime
{
    public SshCluster Cluster { get; private set; } = null!;
    public PostgresServer Postgres { get; private set; } = null!;
    private int _schemas;

    public async Task InitializeAsync()
    {
        var cluster = SshCluster.StartAsync(nodes: 1);
        var postgres = PostgresServer.StartAsync();
        Cluster = await cluster;
        Postgres = await postgres;
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    /// <summary>A server on a fresh home; with <paramref name="usePostgres"/> its audit trail, approvals and tokens are in a fresh PostgreSQL schema.</summary>
    public async Task<OpsmithServerFactory> NewServerAsync(bool usePostgres, IReadOnlyDictionary<string, string>? settings = null)
    {
        var home = Directory.CreateTempSubdirectory("opsmith-server-").FullName;
        var postgres = usePostgres ? await Postgres.CreateSchemaAsync($"server_{Interlocked.Increment(ref _schemas)}") : null;
        return new OpsmithServerFactory(home, Cluster.InventoryFile, postgres, settings);
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerInfrastructure>
{
    public const string Name = "server";
}
