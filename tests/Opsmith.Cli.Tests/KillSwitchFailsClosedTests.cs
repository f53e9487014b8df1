using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>A kill-switch file Opsmith cannot make sense of stops mutating steps; it never crashes and never reads as off.</summary>
public sealed class KillSwitchFailsClosedTests
{
    private static (TempFolder Home, Dictionary<string, string> Environment, string Inventory, string Skill, string Marker, string SwitchPath) Setup()
    {
        var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path };
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var marker = Path.Combine(home.Path, "changed");
        var skill = home.Write("skill.yaml", $$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: one-change, title: One change, description: Changes once., stage: recovery}
            spec:
              targets: self
              risk: service-mutation
              actions:
                - name: change
                  run: touch {{{marker}}}
              success_criteria:
                - name: done
                  run: test -e {{{marker}}}
              rollback: {none: true, reason: test}
            """);
        var switchPath = Path.Combine(home.Path, "data", "kill-switch");
        Directory.CreateDirectory(Path.GetDirectoryName(switchPath)!);
        return (home, environment, inventory, skill, marker, switchPath);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("folder")]
    public async Task An_incomplete_file_or_a_folder_at_the_kill_switch_path_stops_mutating_steps(string what)
    {
        var (home, environment, inventory, skill, marker, switchPath) = Setup();
        using var _ = home;
        if (what == "folder") Directory.CreateDirectory(switchPath);
        else File.WriteAllText(switchPath, what);

        var status = await CliProcess.RunAsync(["kill-switch", "status"], environment);
        var run = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);

        Assert.True(status.ExitCode == 0, status.All);
        Assert.Contains("The kill switch is ON (switched on by unknown", status.Stdout);
        Assert.NotEqual(0, run.ExitCode);
        Assert.NotEqual(70, run.ExitCode);
        Assert.Contains("the kill switch is on (switched on by unknown", run.Stdout);
        Assert.False(File.Exists(marker));
    }
}
