using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests.Lab;

/// <summary>
/// Catalog skills against the lab's real faults, run as a person would (<c>opsmith run</c>): what the detection and
/// diagnosis skills report, and whether the recovery's own success criteria can pass once it did its work. Each test
/// leaves the lab as it found it (the fault is recovered even when an assertion fails).
/// </summary>
[Collection("lab")]
public sealed class CatalogSkillsOnFaultsLabTests(LabFixture lab) : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    private string Inventory => Path.Combine(lab.Folder, "inventory.yaml");

    private async Task<(CliResult Run, JsonElement Host)> RunAsync(string skill, string host, string autonomy, params string[] inputs)
    {
        var run = await CliProcess.RunAsync(["run", $"skills/{skill}.yaml", "-i", Inventory, "--input", $"host={host}",
            .. inputs.SelectMany(i => new[] { "--input", i }), "--execute", "--autonomy", autonomy, "--output", "json"],
            new Dictionary<string, string> { ["OPSMITH_HOME"] = _home.Path });
        using var json = JsonDocument.Parse(run.Stdout is { Length: > 0 } stdout ? stdout : throw new Xunit.Sdk.XunitException($"{skill} printed no report:\n{run.All}"));
        return (run, Assert.Single(json.RootElement.GetProperty("hosts").EnumerateArray()).Clone());
    }

    /// <summary>Injects the fault, runs the body, and recovers the fault whatever the body did.</summary>
    private async Task WithFaultAsync(string fault, string host, Func<Task> body)
    {
        lab.RequireUp();
        var inject = await lab.Lab("inject", fault, "--host", host);
        Assert.True(inject.ExitCode == 0, inject.All);
        try { await body(); }
        finally { await lab.Lab("recover", fault, "--host", host); }
    }

    private static List<string> Findings(JsonElement host) =>
        host.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToList();

    [Fact]
    public Task A_write_pause_shows_without_any_client_waiting_and_the_probe_writes_nothing() =>
        WithFaultAsync("redis-paused", "node2", async () =>
        {
            // Given a CLIENT PAUSE ... WRITE and no traffic (no write waits): the check is red and says why, and so does the diagnosis.
            var (check, checkHost) = await RunAsync("check-redis-health", "node2", "automate-safe");
            var (_, diagnosis) = await RunAsync("diagnose-redis-info", "node2", "automate-safe");
            Assert.True(check.ExitCode != 0, check.All);
            Assert.Contains("redis-writes-paused", Findings(checkHost));
            Assert.Contains("redis-writes-paused", Findings(diagnosis));

            // The recovery its hypothesis names lifts it, and the check is green again.
            var (unpause, _) = await RunAsync("unpause-redis-writes", "node2", "automate-safe");
            Assert.True(unpause.ExitCode == 0, unpause.All);
            var (after, afterHost) = await RunAsync("check-redis-health", "node2", "automate-safe");
            Assert.True(after.ExitCode == 0, after.All);
            Assert.Empty(Findings(afterHost));
            // The probe is a read that changed nothing: the key it asked about was never created.
            var key = await lab.SshAsync("node2", "redis-cli EXISTS opsmith:write-pause-probe");
            Assert.Equal("0", key.Stdout.Trim());
        });

    [Fact]
    public Task The_runaway_log_writer_the_diagnosis_names_is_stopped_and_the_recovery_criteria_pass() =>
        WithFaultAsync("log-explosion", "node1", async () =>
        {
            var (_, diagnosis) = await RunAsync("diagnose-disk-usage", "node1", "automate-safe", "path=/var/log");
            var finding = diagnosis.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "runaway-log-writer");
            var facts = finding.GetProperty("facts");

            var (stop, stopHost) = await RunAsync("stop-runaway-log-writer", "node1", "automate-destructive",
                $"path={facts.GetProperty("path").GetString()}", $"pid={facts.GetProperty("pid").GetString()}");

            Assert.True(stop.ExitCode == 0, stop.All);
            Assert.Equal("succeeded", stopHost.GetProperty("verdict").GetString());
            var check = await lab.Lab("check", "--host", "node1");
            Assert.True(check.ExitCode == 0, check.All);
        });
}
