using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>
/// `run` refuses what `validate` refuses, before any host is touched, and the kill switch judges a step by its
/// effective tier, not the risk it declares.
/// </summary>
public sealed class SealedChokepointTests
{
    private static (TempFolder Home, Dictionary<string, string> Environment, string Inventory) Home()
    {
        var home = new TempFolder();
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        return (home, new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path }, inventory);
    }

    private static string Understated(string marker) => $$$"""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: look-around, title: Look around, description: Claims to look; writes., stage: diagnosis}
        spec:
          targets: self
          risk: read
          actions:
            - name: look
              run: systemctl restart nginx; touch {{{marker}}}
        """;

    [Fact]
    public async Task A_skill_that_validate_rejects_is_refused_by_run_with_file_and_line_before_any_host_is_touched()
    {
        var (home, environment, inventory) = Home();
        using var _ = home;
        var marker = Path.Combine(home.Path, "touched");
        var skill = home.Write("skill.yaml", Understated(marker));

        var run = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);
        var validate = await CliProcess.RunAsync(["validate", skill], environment);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{skill} is not a valid skill; nothing was run", run.Stderr);
        Assert.Contains($"{skill}:9:12: error: action 'look' is declared read, but its command reads as", run.Stderr);
        Assert.Contains($"{skill}:9:12: error: action 'look' is declared read, but its command reads as", validate.Stdout);
        Assert.False(File.Exists(marker));
        var audit = await CliProcess.RunAsync(["audit", "list", "--output", "json"], environment);
        using var records = JsonDocument.Parse(audit.Stdout);
        Assert.Equal(0, records.RootElement.GetProperty("records").GetArrayLength());
    }

    [Fact]
    public async Task A_check_that_deletes_fails_validate_and_is_refused_by_run()
    {
        var (home, environment, inventory) = Home();
        using var _ = home;
        var skill = home.Write("skill.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: probe, title: Probe, description: Looks at an API., stage: detection}
            spec:
              targets: self
              risk: read
              preconditions:
                - name: api
                  http: {url: "http://127.0.0.1:9/items/1", method: DELETE}
              actions:
                - name: look
                  run: uptime
            """);

        var validate = await CliProcess.RunAsync(["validate", skill], environment);
        var run = await CliProcess.RunAsync(["run", skill, "-i", inventory], environment);

        Assert.Equal(1, validate.ExitCode);
        const string problem = "error: method in precondition 'api' is DELETE, which can change something; a check may only look (GET or HEAD)";
        Assert.Contains($"{skill}:9:57: {problem}", validate.Stdout);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{skill}:9:57: {problem}", run.Stderr);
    }

    [Fact]
    public async Task A_configuration_file_sets_the_policy_and_its_problems_are_reported_with_their_lines()
    {
        var (home, environment, inventory) = Home();
        using var _ = home;
        environment["OPSMITH_AUTONOMY"] = ""; // the test harness sets it; the file should decide here
        home.Write("config/opsmith.yaml", """
            apiVersion: opsmith/v1
            kind: Configuration
            policy:
              autonomy: observe
            """);
        var marker = Path.Combine(home.Path, "changed");
        var skill = home.Write("skill.yaml", $$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: touch-it, title: Touch it, description: Changes a file., stage: recovery}
            spec:
              targets: self
              risk: service-mutation
              actions:
                - name: touch
                  run: touch {{{marker}}}
              success_criteria:
                - name: done
                  run: test -e {{{marker}}}
              rollback: {none: true, reason: test}
            """);

        var observed = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);
        Assert.Equal(3, observed.ExitCode);
        Assert.Contains("autonomy is observe", observed.Stdout);
        Assert.False(File.Exists(marker));

        var flagged = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute", "--autonomy", "automate-safe"], environment);
        Assert.True(flagged.ExitCode == 0, flagged.All);

        home.Write("config/opsmith.yaml", """
            apiVersion: opsmith/v1
            kind: Configuration
            policy:
              autonomy: observ
              max_runs_per_hour: 0
              approval_expiry: 99999999999999999999d
            """);
        var broken = await CliProcess.RunAsync(["run", skill, "-i", inventory], environment);
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("opsmith.yaml:4: policy.autonomy: autonomy must be observe, recommend, automate-safe or automate-destructive, not 'observ'", broken.Stderr);
        Assert.Contains("opsmith.yaml:5: policy.max_runs_per_hour: must be at least 1", broken.Stderr);
        Assert.Contains("opsmith.yaml:6: policy.approval_expiry", broken.Stderr);

        var fromEnvironment = await CliProcess.RunAsync(["run", skill, "-i", inventory],
            new Dictionary<string, string>(environment) { ["OPSMITH_MAX_RUNS_PER_HOUR_PER_SKILL"] = "0" });
        Assert.Contains("environment variable OPSMITH_MAX_RUNS_PER_HOUR_PER_SKILL: must be at least 1", fromEnvironment.Stderr);
    }
}
