using System.Text.Json;
using Opsmith.Cli.Tests.Support;
using Opsmith.Testing;

namespace Opsmith.Cli.Tests;

/// <summary>`opsmith run` and `opsmith rollback` as a user runs them, against real sshd hosts behind a bastion.</summary>
public sealed class RunCommandTests(SshClusterFixture fixture) : IClassFixture<SshClusterFixture>
{
    private string Inventory => fixture.Cluster.InventoryFile;

    private static string MarkerSkill(string marker) => $$$"""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: break-then-check, title: Break then check, description: Creates a marker that makes the host unhealthy., stage: recovery}
        spec:
          inputs:
            host: {type: host, required: true}
          targets: "{{ inputs.host }}"
          risk: destructive
          actions:
            - name: create-marker
              run: echo broken > {{{marker}}}
              risk: destructive
              on_failure: rollback
          success_criteria:
            - name: no-marker
              run: test ! -e {{{marker}}}
          rollback:
            - name: remove-marker
              run: rm -f -- {{{marker}}}
        """;

    [Fact]
    public async Task A_read_only_catalog_skill_runs_through_the_jump_host()
    {
        var result = await CliProcess.RunAsync("run", "skills/check-disk-usage.yaml", "-i", Inventory, "--input", "host=node1",
            "--input", "max_use_percent=100", "--input", "max_inode_percent=100", "--execute");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("node1 (127.0.0.1): succeeded", result.Stdout);
        Assert.Contains("check-disk-usage (execute): succeeded", result.Stdout);
    }

    [Fact]
    public async Task A_dry_run_is_the_default_and_shows_what_would_run()
    {
        using var temp = new TempFolder();
        var marker = Path.Combine(temp.Path, "marker");
        var skill = temp.Write("skill.yaml", MarkerSkill(marker));

        var result = await CliProcess.RunAsync("run", skill, "-i", Inventory, "--input", "host=nodes");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains($"action   create-marker [destructive]: echo broken > {marker}", result.Stdout);
        Assert.Contains("Dry run: nothing was changed. Add --execute to run it.", result.Stdout);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task A_mutating_skill_whose_success_check_fails_rolls_back_says_so_and_can_roll_back_again_from_its_report()
    {
        using var temp = new TempFolder();
        var marker = Path.Combine(temp.Path, "marker");
        var skill = temp.Write("skill.yaml", MarkerSkill(marker));
        var report = Path.Combine(temp.Path, "report.json");

        var run = await CliProcess.RunAsync("run", skill, "-i", Inventory, "--input", "host=node2", "--execute", "--report-out", report);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("node2 (127.0.0.1): rolled-back", run.Stdout);
        Assert.Contains("the host is back to its steady state", run.Stdout);
        Assert.False(File.Exists(marker));
        using (var json = JsonDocument.Parse(File.ReadAllText(report)))
            Assert.Equal("rolled-back", json.RootElement.GetProperty("verdict").GetString());

        File.WriteAllText(marker, "broken again");
        var plan = await CliProcess.RunAsync("rollback", report);
        Assert.True(plan.ExitCode == 0, plan.All);
        Assert.Contains($"  remove-marker [service-mutation]: rm -f -- {marker}", plan.Stdout);
        Assert.True(File.Exists(marker), "a rollback without --execute changes nothing");

        var rollback = await CliProcess.RunAsync("rollback", report, "--execute");

        Assert.True(rollback.ExitCode == 0, rollback.All);
        Assert.False(File.Exists(marker));
        Assert.Contains("node2 (127.0.0.1): rolled-back", rollback.Stdout);
    }

    [Fact]
    public async Task Rollback_refuses_a_report_whose_skill_changed()
    {
        using var temp = new TempFolder();
        var skill = temp.Write("skill.yaml", MarkerSkill(Path.Combine(temp.Path, "m")));
        var report = Path.Combine(temp.Path, "report.json");
        await CliProcess.RunAsync("run", skill, "-i", Inventory, "--input", "host=node1", "--execute", "--report-out", report);
        File.AppendAllText(skill, "\n# edited\n");

        var rollback = await CliProcess.RunAsync("rollback", report, "--execute");

        Assert.Equal(1, rollback.ExitCode);
        Assert.Contains("changed since the report was written; refusing", rollback.Stderr);
    }

    [Fact]
    public async Task Json_output_is_the_report()
    {
        var result = await CliProcess.RunAsync("run", "skills/check-disk-usage.yaml", "-i", Inventory, "--input", "host=nodes",
            "--input", "max_use_percent=100", "--input", "max_inode_percent=100", "--output", "json");

        Assert.True(result.ExitCode == 0, result.All);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("dry-run", json.RootElement.GetProperty("mode").GetString());
        Assert.Equal(["node1", "node2"], json.RootElement.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("host").GetString()));
        Assert.Equal(64, json.RootElement.GetProperty("skill_hash").GetString()!.Length);
    }

    [Theory]
    [InlineData("--input", "host=node9", "names no host or group")]
    [InlineData("--input", "colour=blue", "has no input 'colour'")]
    [InlineData("--input", "max_use_percent=250", "is outside 1..100")]
    [InlineData("--input", "nonsense", "--input takes NAME=VALUE")]
    public async Task Bad_inputs_are_usage_errors_and_nothing_runs(string flag, string value, string message)
    {
        var result = await CliProcess.RunAsync("run", "skills/check-disk-usage.yaml", "-i", Inventory, flag, value, "--execute");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public async Task An_invalid_inventory_is_reported_with_positions()
    {
        using var temp = new TempFolder();
        var inventory = temp.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  web1: {adress: 10.0.0.1}\n");

        var result = await CliProcess.RunAsync("run", "skills/check-disk-usage.yaml", "-i", inventory, "--input", "host=web1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{inventory}:4:", result.Stderr);
        Assert.Contains("did you mean 'address'?", result.Stderr);
    }
}
