using Opsmith.Storage.Audit;
using Opsmith.Storage.Tests.Support;
using Xunit.Abstractions;

namespace Opsmith.Storage.Tests;

/// <summary>The audit store contract against SQLite: a fresh database file in a temporary folder per test.</summary>
public sealed class SqliteAuditStoreTests(ITestOutputHelper output) : AuditStoreContract(output)
{
    protected override Task<ITrailLocation> NewTrailAsync() => Task.FromResult<ITrailLocation>(new SqliteTrail());

    [Fact]
    public async Task The_trail_is_a_wal_mode_file_only_its_owner_can_read()
    {
        await using var trail = new SqliteTrail();
        await using var store = await trail.OpenAsync();
        await store.AppendAsync(Start("run-1"), CancellationToken.None);

        Assert.Equal("wal", await trail.ScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(trail.DatabasePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(trail.DatabasePath)!));
    }
}
