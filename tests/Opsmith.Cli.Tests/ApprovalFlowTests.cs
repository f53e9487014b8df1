using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>
/// The guardrails end to end: a real `opsmith run` asks the policy before every step, waits on an approval
/// request for what needs a person, and another person decides with `opsmith approvals`.
/// </summary>
public sealed class ApprovalFlowTests
{
    private static string SkillYaml(string risk, string marker, string first) => $$$"""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: guarded-change, title: Guarded change, description: A change that needs a person., stage: recovery}
        spec:
          targets: self
          risk: {{{risk}}}
          actions:
            - name: prepare
              run: touch {{{first}}}
              risk: service-mutation
              on_failure: rollback
            - name: change
              run: echo changed > {{{marker}}}
              risk: {{{risk}}}
              on_failure: rollback
          success_criteria:
            - name: host-healthy
              run: test -d /tmp
          rollback:
            - name: undo-prepare
              run: rm -f -- {{{first}}}
        """;

    private static async Task<(TempFolder Home, string Inventory)> HomeAsync()
    {
        var home = new TempFolder();
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        await Task.CompletedTask;
        return (home, inventory);
    }

    /// <summary>An automation identity (OPSMITH_ACTOR makes agent:NAME): it proposes, and can never approve.</summary>
    private static Dictionary<string, string> As(TempFolder home, string actor, string autonomy = "automate-safe") =>
        new() { ["OPSMITH_HOME"] = home.Path, ["OPSMITH_ACTOR"] = actor, ["OPSMITH_AUTONOMY"] = autonomy };

    /// <summary>The person running the tests, as the operating system knows them (no OPSMITH_ACTOR).</summary>
    private static Dictionary<string, string> AsPerson(TempFolder home) => new() { ["OPSMITH_HOME"] = home.Path, ["OPSMITH_AUTONOMY"] = "automate-safe" };

    private static readonly string Person = $"user:{OperatingSystemUser.Name()}";

    private static async Task<string> PendingRequestAsync(TempFolder home)
    {
        for (var i = 0; i < 300; i++)
        {
            var list = await CliProcess.RunAsync(["approvals", "list", "--status", "pending", "--output", "json"], AsPerson(home));
            using var json = JsonDocument.Parse(list.Stdout);
            var requests = json.RootElement.GetProperty("requests");
            if (requests.GetArrayLength() > 0) return requests[0].GetProperty("id").GetString()!;
            await Task.Delay(100);
        }
        throw new TimeoutException("no approval request appeared within 30 s");
    }

    [Fact]
    public async Task With_automate_safe_a_destructive_step_waits_until_another_person_approves_it()
    {
        var (home, inventory) = await HomeAsync();
        using var _ = home;
        var marker = Path.Combine(home.Path, "changed");
        var skill = home.Write("skill.yaml", SkillYaml("destructive", marker, Path.Combine(home.Path, "prepared")));

        var run = CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], As(home, "alice"));
        var id = await PendingRequestAsync(home);
        Assert.False(File.Exists(marker), "the destructive step must not run before it is approved");
        var approve = await CliProcess.RunAsync(["approvals", "approve", id], AsPerson(home));
        var result = await run;

        Assert.True(approve.ExitCode == 0, approve.All);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains($"waits for approval {id}", result.Stderr);
        Assert.True(File.Exists(marker));
        var audit = await CliProcess.RunAsync(["audit", "list", "--output", "json"], AsPerson(home));
        Assert.Contains("approval-requested", audit.Stdout);
        Assert.Contains("approval-granted", audit.Stdout);
    }

    [Fact]
    public async Task A_data_mutation_step_needs_another_person_even_at_the_highest_autonomy_and_a_denial_rolls_back()
    {
        var (home, inventory) = await HomeAsync();
        using var _ = home;
        var marker = Path.Combine(home.Path, "changed");
        var prepared = Path.Combine(home.Path, "prepared");
        var skill = home.Write("skill.yaml", SkillYaml("data-mutation", marker, prepared));

        var run = CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute", "--autonomy", "automate-destructive"], As(home, "alice", "automate-destructive"));
        var id = await PendingRequestAsync(home);
        var selfApproval = await CliProcess.RunAsync(["approvals", "approve", id], As(home, "alice"));
        Assert.Equal(1, selfApproval.ExitCode);
        Assert.Contains("only a person can approve a step", selfApproval.Stderr);
        Assert.False(File.Exists(marker));

        var deny = await CliProcess.RunAsync(["approvals", "deny", id, "--note", "not during the sale"], AsPerson(home));
        var result = await run;

        Assert.True(deny.ExitCode == 0, deny.All);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"approval {id} was denied by {Person}: not during the sale", result.Stdout);
        Assert.False(File.Exists(marker));
        Assert.False(File.Exists(prepared), "the step that did run must be rolled back after the denial");
        Assert.Contains("rolled-back", result.Stdout);
    }

    [Fact]
    public async Task With_observe_nothing_that_changes_a_host_runs()
    {
        var (home, inventory) = await HomeAsync();
        using var _ = home;
        var skill = home.Write("skill.yaml", SkillYaml("destructive", Path.Combine(home.Path, "m"), Path.Combine(home.Path, "p")));

        var result = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute", "--autonomy", "observe"], As(home, "alice"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("blocked by policy (autonomy): autonomy is observe", result.Stdout);
        Assert.False(File.Exists(Path.Combine(home.Path, "p")));
    }
}
