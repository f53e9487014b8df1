using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>The kill switch stops every new mutating step, in every process, and lets reads go on.</summary>
public sealed class KillSwitchCommandTests
{
    private static (TempFolder Home, Dictionary<string, string> Environment, string Inventory, string Skill, string Marker) Setup()
    {
        var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path };
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var marker = Path.Combine(home.Path, "changed");
        var started = Path.Combine(home.Path, "started");
        var skill = home.Write("skill.yaml", $$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: two-changes, title: Two changes, description: Changes twice with a pause., stage: recovery}
            spec:
              targets: self
              risk: service-mutation
              preconditions:
                - name: look
                  run: true
              actions:
                - name: first
                  run: touch {{{started}}}; sleep 2
                - name: second
                  run: touch {{{marker}}}
              success_criteria:
                - name: done
                  run: test -e {{{marker}}}
              rollback: {none: true, reason: test}
            """);
        return (home, environment, inventory, skill, marker);
    }

    [Fact]
    public async Task With_the_switch_on_no_mutating_step_starts_but_reads_do()
    {
        var (home, environment, inventory, skill, marker) = Setup();
        using var _ = home;
        var on = await CliProcess.RunAsync(["kill-switch", "on", "--reason", "incident 42"], environment);
        Assert.Contains("The kill switch is ON", on.Stdout);

        var run = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("ok   preconditions look", run.Stdout);
        Assert.Contains("the kill switch is on (switched on by user:", run.Stdout);
        Assert.Contains("incident 42", run.Stdout);
        Assert.False(File.Exists(marker));

        var off = await CliProcess.RunAsync(["kill-switch", "off"], environment);
        var again = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);
        Assert.Contains("The kill switch is off", off.Stdout);
        Assert.True(again.ExitCode == 0, again.All);
        Assert.True(File.Exists(marker));
    }

    [Fact]
    public async Task Every_toggle_is_in_the_audit_trail_with_who_and_why()
    {
        var (home, environment, _, _, _) = Setup();
        using var _ = home;
        environment["OPSMITH_ACTOR"] = "carol";

        await CliProcess.RunAsync(["kill-switch", "on", "--reason", "incident 4711"], environment);
        await CliProcess.RunAsync(["kill-switch", "off"], environment);
        var audit = await CliProcess.RunAsync(["audit", "list", "--output", "json"], environment);

        using var json = System.Text.Json.JsonDocument.Parse(audit.Stdout);
        var toggles = json.RootElement.GetProperty("records").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "kill-switch")
            .Select(r => (r.GetProperty("actor").GetString(), r.GetProperty("outcome").GetString(), r.GetProperty("detail").GetString())).ToList();
        Assert.Equal([("agent:carol", "on", "incident 4711"), ("agent:carol", "off", "")], toggles);
        Assert.Equal(0, (await CliProcess.RunAsync(["audit", "verify"], environment)).ExitCode);
    }

    [Fact]
    public async Task Switching_on_stops_the_next_mutating_step_of_a_run_in_another_process()
    {
        var (home, environment, inventory, skill, marker) = Setup();
        using var _ = home;
        var run = CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);
        var started = Path.Combine(home.Path, "started");
        for (var i = 0; i < 200 && !File.Exists(started); i++) await Task.Delay(25);

        await CliProcess.RunAsync(["kill-switch", "on"], environment);
        var result = await run;

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("REFUSED actions second", result.Stdout);
        Assert.Contains("kill switch is on", result.Stdout);
        Assert.False(File.Exists(marker));
    }
}
