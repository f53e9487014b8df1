using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>Cooldowns and rate limits, judged from the audit trail before a run changes a host.</summary>
public sealed class PolicyLimitsTests
{
    [Fact]
    public async Task A_second_run_inside_the_cooldown_is_blocked_before_any_action_and_says_when_it_ends()
    {
        using var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path, ["OPSMITH_AUTONOMY"] = "automate-safe" };
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var counter = Path.Combine(home.Path, "count");
        var skill = home.Write("skill.yaml", $$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: restart-thing, title: Restart a thing, description: Counts its restarts., stage: recovery}
            spec:
              targets: self
              risk: service-mutation
              actions:
                - name: restart
                  run: echo restarted >> {{{counter}}}
              success_criteria:
                - name: counted
                  run: test -s {{{counter}}}
              rollback: {none: true, reason: test}
              cooldown: 10m
            """);

        var first = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);
        var second = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);

        Assert.True(first.ExitCode == 0, first.All);
        Assert.Equal(3, second.ExitCode);
        Assert.Contains("blocked by policy (cooldown): restart-thing ran on self at", second.Stdout);
        Assert.Contains("its cooldown of 10m ends at", second.Stdout);
        Assert.Single(File.ReadAllLines(counter));
        var blocked = await CliProcess.RunAsync(["audit", "list", "--decision", "blocked"], environment);
        Assert.Contains("cooldown", blocked.Stdout);
    }

    [Fact]
    public async Task Once_the_run_budget_is_spent_further_mutating_runs_are_blocked()
    {
        using var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path, ["OPSMITH_RUN_BUDGET"] = "2" };
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var counter = Path.Combine(home.Path, "count");
        var skill = home.Write("skill.yaml", $$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: nudge, title: Nudge, description: Counts nudges., stage: recovery}
            spec:
              targets: self
              risk: service-mutation
              actions:
                - name: nudge
                  run: echo nudged >> {{{counter}}}
              success_criteria:
                - name: counted
                  run: test -s {{{counter}}}
              rollback: {none: true, reason: test}
            """);

        for (var i = 0; i < 2; i++)
            Assert.Equal(0, (await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment)).ExitCode);
        var third = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);

        Assert.Equal(3, third.ExitCode);
        Assert.Contains("blocked by policy (budget): the run budget of 2 mutating runs in 24 hours is spent", third.Stdout);
        Assert.Equal(2, File.ReadAllLines(counter).Length);
    }
}
