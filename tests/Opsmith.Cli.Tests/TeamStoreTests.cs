using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Opsmith.Cli.Tests.Support;
using Opsmith.Core.Skills;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Cli.Tests;

/// <summary>
/// Two people on one machine — two real operating-system users, each with their own home — share one store
/// (<c>store.folder</c>, a setgid folder of their group): one kill switch, one audit trail, one set of approvals.
/// Needs root, to run Opsmith as the two users (setpriv); user ids the user database does not know are <c>uid-N</c>.
/// </summary>
public sealed class TeamStoreTests : IDisposable
{
    private const int Group = 61000;
    private const int Alice = 61001;
    private const int Bob = 61002;
    private readonly TempFolder _root = new();
    private readonly string _store;
    private readonly string _config;

    public TeamStoreTests()
    {
        Assert.True(Environment.IsPrivilegedProcess, "TeamStoreTests run Opsmith as two operating-system users and need root (./test.sh runs as root)");
        File.SetUnixFileMode(_root.Path, (UnixFileMode)0b111_101_101);
        _store = Path.Combine(_root.Path, "store");
        Directory.CreateDirectory(_store);
        Chown(_store, 0, Group);
        File.SetUnixFileMode(_store, UnixFileMode.SetGroup | (UnixFileMode)0b111_111_000);
        _config = _root.Write("opsmith.yaml", $"apiVersion: opsmith/v1\nkind: Configuration\nstore:\n  folder: {_store}\n");
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Two_users_see_one_kill_switch_one_audit_trail_and_one_set_of_approvals()
    {
        // Given a request alice proposed, in the team's store
        var request = await ProposeAsync($"uid-{Alice}");

        // When alice switches the kill switch on and bob looks, then switches it off
        var on = await AsAsync(Alice, "kill-switch", "on", "--reason", "incident 4711");
        var seen = await AsAsync(Bob, "kill-switch", "status", "--output", "json");
        var off = await AsAsync(Bob, "kill-switch", "off");
        // And alice tries to approve her own request, and bob approves it
        var own = await AsAsync(Alice, "approvals", "approve", request);
        var approved = await AsAsync(Bob, "approvals", "approve", request);
        var trail = await AsAsync(Alice, "audit", "list", "--output", "json");
        var verify = await AsAsync(Bob, "audit", "verify");

        // Then each sees what the other did
        Assert.True(on.ExitCode == 0, on.All);
        using (var status = JsonDocument.Parse(seen.Stdout))
        {
            Assert.True(status.RootElement.GetProperty("on").GetBoolean(), seen.All);
            Assert.Equal($"user:uid-{Alice}", status.RootElement.GetProperty("by").GetString());
        }
        Assert.True(off.ExitCode == 0, off.All);
        Assert.Equal(1, own.ExitCode);
        Assert.Contains("cannot approve it; another person must", own.Stderr);
        Assert.True(approved.ExitCode == 0, approved.All);
        using var records = JsonDocument.Parse(trail.Stdout);
        var actors = records.RootElement.GetProperty("records").EnumerateArray()
            .Select(r => (r.GetProperty("kind").GetString(), r.GetProperty("actor").GetString())).ToList();
        Assert.Contains(("kill-switch", $"user:uid-{Alice}"), actors);
        Assert.Contains(("kill-switch", $"user:uid-{Bob}"), actors);
        Assert.Contains(actors, a => a.Item2 == $"user:uid-{Bob}" && a.Item1 != "kill-switch");
        Assert.True(verify.ExitCode == 0, verify.All);
        // And the trail is the team's: its group may write it, others may not read it
        var mode = File.GetUnixFileMode(Path.Combine(_store, "audit.db"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
    }

    [Fact]
    public async Task A_store_folder_that_does_not_exist_is_a_configuration_error_naming_it()
    {
        var config = _root.Write("missing.yaml", "apiVersion: opsmith/v1\nkind: Configuration\nstore:\n  folder: /nonexistent/opsmith\n");

        var result = await CliProcess.RunAsync(["kill-switch", "status"], new Dictionary<string, string> { ["OPSMITH_CONFIG"] = config });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{config}:4: store.folder: the shared store folder '/nonexistent/opsmith' does not exist", result.Stderr);
    }

    private async Task<string> ProposeAsync(string proposer)
    {
        await using var audit = await SqliteAuditStore.OpenAsync(SqliteAuditOptions.InDataFolder(_store), TimeProvider.System, CancellationToken.None);
        var approvals = ApprovalStores.For(audit, PolicySettings.Default, TimeProvider.System);
        var request = await approvals.CreateAsync(new ApprovalProposal("run-1", new Actor(proposer, ActorKind.Human), "flush-cache",
            "abc123", "db1", "actions/flush", "redis-cli FLUSHALL", RiskTier.DataMutation, "data-mutation needs a person"), CancellationToken.None);
        SqliteConnection.ClearAllPools();
        return request.Id;
    }

    /// <summary>Runs opsmith as another operating-system user, with a home of their own and the team's configuration.</summary>
    private async Task<CliResult> AsAsync(int user, params string[] args)
    {
        var home = Path.Combine(_root.Path, $"home-{user}");
        if (!Directory.Exists(home))
        {
            Directory.CreateDirectory(home);
            Chown(home, user, Group);
        }
        var info = new ProcessStartInfo("setpriv", [$"--reuid={user}", $"--regid={Group}", "--clear-groups", "--",
            "dotnet", Path.Combine(AppContext.BaseDirectory, "opsmith.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = home,
        };
        foreach (var name in new[] { "OPSMITH_ACTOR", "SUDO_UID", "SUDO_USER", "NO_COLOR" }) info.Environment.Remove(name);
        info.Environment["HOME"] = home;
        info.Environment["DOTNET_CLI_HOME"] = home;
        info.Environment["OPSMITH_HOME"] = home;
        info.Environment["OPSMITH_CONFIG"] = _config;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static void Chown(string path, int user, int group)
    {
        using var chown = Process.Start("chown", [$"{user}:{group}", path])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }
}
