using System.Text.Json;
using Microsoft.Data.Sqlite;
using Opsmith.Cli.Tests.Support;
using Opsmith.Core.Skills;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Cli.Tests;

/// <summary>
/// <c>opsmith approvals</c>, driven by the person running the tests (their operating-system user) on requests that
/// others proposed, or they themselves. Each test creates requests through the store, in the same database the CLI
/// uses: <c>$OPSMITH_HOME/data/audit.db</c>. OPSMITH_ACTOR names an automation identity, which never approves.
/// </summary>
public sealed class ApprovalsCommandTests : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    private Dictionary<string, string> As(string automation) => new() { ["OPSMITH_HOME"] = _home.Path, ["OPSMITH_ACTOR"] = automation };

    /// <summary>The person at the keyboard: no OPSMITH_ACTOR, so the operating-system user.</summary>
    private Dictionary<string, string> AsPerson() => new() { ["OPSMITH_HOME"] = _home.Path };

    private static readonly string Me = OperatingSystemUser.Name();

    private async Task<ApprovalRequest> ProposeAsync(string proposer = "alice", string step = "actions/flush")
    {
        await using var audit = await SqliteAuditStore.OpenAsync(SqliteAuditOptions.InDataFolder(Path.Combine(_home.Path, "data")),
            TimeProvider.System, CancellationToken.None);
        var approvals = ApprovalStores.For(audit, PolicySettings.Default, TimeProvider.System);
        var request = await approvals.CreateAsync(new ApprovalProposal("run-1", new Actor(proposer, ActorKind.Human), "flush-cache",
            "abc123", "db1", step, "redis-cli -a *** FLUSHALL", RiskTier.DataMutation, "data-mutation needs a person other than the proposer"),
            CancellationToken.None);
        SqliteConnection.ClearAllPools();
        return request;
    }

    [Fact]
    public async Task The_proposer_cannot_approve_its_own_request_and_another_person_can()
    {
        var mine = await ProposeAsync(Me);
        var theirs = await ProposeAsync("alice");

        var own = await CliProcess.RunAsync(["approvals", "approve", mine.Id], AsPerson());
        var other = await CliProcess.RunAsync(["approvals", "approve", theirs.Id, "--note", "checked the replica"], AsPerson());
        var show = await CliProcess.RunAsync(["approvals", "show", theirs.Id, "--output", "json"], AsPerson());

        Assert.Equal(1, own.ExitCode);
        Assert.Contains($"Error: user:{Me} proposed this step and cannot approve it; another person must", own.Stderr);
        Assert.True(other.ExitCode == 0, other.All);
        Assert.Contains($"Approved {theirs.Id} as user:{Me}: actions/flush on db1 may run.", other.Stdout);
        using var json = JsonDocument.Parse(show.Stdout);
        Assert.Equal("approved", json.RootElement.GetProperty("status").GetString());
        Assert.Equal($"user:{Me}", json.RootElement.GetProperty("decided_by").GetString());
        Assert.Equal("checked the replica", json.RootElement.GetProperty("note").GetString());
    }

    [Theory]
    [InlineData("bob")]
    [InlineData("user:bob")]
    [InlineData("agent:bob")]
    public async Task OPSMITH_ACTOR_is_an_automation_identity_that_can_never_approve_or_deny(string actor)
    {
        // Given a request another person proposed
        var request = await ProposeAsync("alice");

        // When someone sets OPSMITH_ACTOR, however they spell it, and approves or denies
        var approve = await CliProcess.RunAsync(["approvals", "approve", request.Id], As(actor));
        var deny = await CliProcess.RunAsync(["approvals", "deny", request.Id], As(actor));
        var show = await CliProcess.RunAsync(["approvals", "show", request.Id, "--output", "json"], AsPerson());

        // Then neither counts: the request is still pending
        Assert.NotEqual(0, approve.ExitCode);
        Assert.NotEqual(0, deny.ExitCode);
        Assert.DoesNotContain("Approved", approve.Stdout);
        using var json = JsonDocument.Parse(show.Stdout);
        Assert.Equal("pending", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_decision_is_in_the_audit_trail_and_the_trail_still_verifies()
    {
        var request = await ProposeAsync("alice");
        await CliProcess.RunAsync(["approvals", "approve", request.Id], AsPerson());

        var granted = await CliProcess.RunAsync(["audit", "list", "--decision", "approval-granted", "--output", "json"], AsPerson());
        var verify = await CliProcess.RunAsync(["audit", "verify"], AsPerson());

        using var json = JsonDocument.Parse(granted.Stdout);
        var record = Assert.Single(json.RootElement.GetProperty("records").EnumerateArray());
        Assert.Equal($"user:{Me}", record.GetProperty("actor").GetString());
        Assert.Contains(request.Id, record.GetProperty("detail").GetString());
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.Contains("intact: 2 records", verify.Stdout);
    }

    [Fact]
    public async Task Another_person_denies_and_the_request_is_listed_as_denied_with_the_note()
    {
        var request = await ProposeAsync("alice");

        var deny = await CliProcess.RunAsync(["approvals", "deny", request.Id, "--note", "not during the sale"], AsPerson());
        var denied = await CliProcess.RunAsync(["approvals", "list", "--status", "denied", "--output", "json"], AsPerson());
        var pending = await CliProcess.RunAsync(["approvals", "list", "--status", "pending"], AsPerson());

        Assert.True(deny.ExitCode == 0, deny.All);
        Assert.Contains($"Denied {request.Id} as user:{Me}", deny.Stdout);
        using var json = JsonDocument.Parse(denied.Stdout);
        var listed = Assert.Single(json.RootElement.GetProperty("requests").EnumerateArray());
        Assert.Equal(request.Id, listed.GetProperty("id").GetString());
        Assert.Equal("not during the sale", listed.GetProperty("note").GetString());
        Assert.Equal("redis-cli -a *** FLUSHALL", listed.GetProperty("command").GetString());
        Assert.Contains("No pending approval requests.", pending.Stdout);
    }

    [Fact]
    public async Task A_request_cannot_be_decided_twice()
    {
        var request = await ProposeAsync("alice");
        await CliProcess.RunAsync(["approvals", "deny", request.Id], AsPerson());

        var again = await CliProcess.RunAsync(["approvals", "approve", request.Id], AsPerson());

        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"approval request {request.Id} is already denied (by user:{Me}", again.Stderr);
    }

    [Fact]
    public async Task List_shows_pending_requests_one_per_line()
    {
        var first = await ProposeAsync("alice", "actions/one");
        var second = await ProposeAsync("alice", "actions/two");

        var list = await CliProcess.RunAsync(["approvals", "list"], AsPerson());

        Assert.True(list.ExitCode == 0, list.All);
        var lines = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(first.Id, lines[0]);
        Assert.Contains("pending", lines[0]);
        Assert.Contains("user:alice", lines[0]);
        Assert.Contains("actions/one: redis-cli -a *** FLUSHALL", lines[0]);
        Assert.Contains(second.Id, lines[1]);
    }

    [Fact]
    public async Task An_unknown_id_exits_2_and_says_so()
    {
        var approve = await CliProcess.RunAsync(["approvals", "approve", "ap-zzzzz"], AsPerson());
        var show = await CliProcess.RunAsync(["approvals", "show", "ap-zzzzz"], AsPerson());

        Assert.Equal(2, approve.ExitCode);
        Assert.Contains("there is no approval request ap-zzzzz", approve.Stderr);
        Assert.Equal(2, show.ExitCode);
        Assert.Contains("there is no approval request ap-zzzzz", show.Stderr);
    }

    [Fact]
    public async Task An_unknown_status_is_a_usage_error()
    {
        var list = await CliProcess.RunAsync(["approvals", "list", "--status", "waiting"], AsPerson());

        Assert.Equal(2, list.ExitCode);
        Assert.Contains("--status must be one of pending, approved, denied, expired, cancelled", list.Stderr);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("show")]
    [InlineData("approve")]
    [InlineData("deny")]
    public async Task Every_approvals_command_has_help_with_its_examples(string command)
    {
        var help = await CliProcess.RunAsync(["approvals", command, "--help"], AsPerson());

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Examples:", help.Stdout);
        Assert.Contains($"  opsmith approvals {command}", help.Stdout[help.Stdout.IndexOf("Examples:", StringComparison.Ordinal)..]);
    }
}
