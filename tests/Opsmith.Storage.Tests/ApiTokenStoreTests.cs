using Opsmith.Policy.Decisions;
using Opsmith.Storage.Tests.Support;
using Opsmith.Storage.Tokens;

namespace Opsmith.Storage.Tests;

/// <summary>The API token store, the same behaviour on both databases: only hashes at rest, revocation, and nothing for a wrong secret.</summary>
public abstract class ApiTokenStoreContract
{
    protected abstract Task<ITrailLocation> NewTrailAsync();

    private static readonly Actor Alice = new("alice", ActorKind.Human);
    private static readonly Actor Admin = new("root admin", ActorKind.Human);

    [Fact]
    public async Task A_token_authenticates_as_its_person_and_role_until_it_is_revoked()
    {
        await using var trail = await NewTrailAsync();
        await using var audit = await trail.OpenAsync();
        var tokens = ApiTokenStore.For(audit, TimeProvider.System);

        var created = await tokens.CreateAsync(Alice, ApiRole.Approver, Admin, default);
        var found = await tokens.AuthenticateAsync(created.Secret, default);

        Assert.Equal(("user:alice", ApiRole.Approver, "user:root admin"), (found!.Name, found.Role, found.CreatedBy));
        Assert.True(await tokens.RevokeAsync(created.Token.Id, default));
        Assert.Null(await tokens.AuthenticateAsync(created.Secret, default));
        Assert.False(await tokens.RevokeAsync(created.Token.Id, default));
        Assert.True((await tokens.ListAsync(default)).Single().IsRevoked);
    }

    [Fact]
    public async Task Only_a_hash_is_stored_and_a_wrong_or_malformed_secret_finds_nothing()
    {
        await using var trail = await NewTrailAsync();
        await using var audit = await trail.OpenAsync();
        var tokens = ApiTokenStore.For(audit, TimeProvider.System);
        var created = await tokens.CreateAsync(Alice, ApiRole.Viewer, Admin, default);

        Assert.Equal(0L, await trail.ScalarAsync<long>($"SELECT count(*) FROM api_tokens WHERE secret_hash = '{created.Secret}'"));
        Assert.Equal(1L, await trail.ScalarAsync<long>("SELECT count(*) FROM api_tokens"));
        var forged = created.Secret[..^4] + "AAAA";
        foreach (var secret in new[] { forged, "", "opsmith_", $"opsmith_{created.Token.Id}", "Bearer x", created.Secret + "x" })
            Assert.Null(await tokens.AuthenticateAsync(secret, default));
    }
}

public sealed class SqliteApiTokenStoreTests : ApiTokenStoreContract
{
    protected override Task<ITrailLocation> NewTrailAsync() => Task.FromResult<ITrailLocation>(new SqliteTrail());
}

public sealed class PostgresApiTokenStoreTests(PostgresServerFixture postgres) : ApiTokenStoreContract, IClassFixture<PostgresServerFixture>
{
    protected override async Task<ITrailLocation> NewTrailAsync() =>
        new PostgresTrail(await postgres.Server.CreateSchemaAsync($"tokens_{Guid.NewGuid():N}"));
}
