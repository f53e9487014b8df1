using Opsmith.Core.Runs;
using Opsmith.Execution.Runs;
using Opsmith.Execution.Tests.Support;
using Opsmith.Testing;

namespace Opsmith.Execution.Tests.Runs;

/// <summary>A lost connection mid-run: the step reports it, and the rollback connects again instead of giving up.</summary>
public sealed class ConnectionLossTests
{
    [Fact]
    public async Task After_the_connection_drops_mid_action_the_rollback_reconnects_and_runs()
    {
        await using var cluster = await SshCluster.StartAsync(nodes: 1);
        var marker = TestRuns.TempPath("lost");
        var skill = TestRuns.Skill($$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: survive-a-drop, title: Survive a drop, description: The connection dies during the action., stage: recovery}
            spec:
              targets: node1
              risk: service-mutation
              actions:
                - name: slow-change
                  run: echo changed > {{{marker}}}; sleep 5
                  on_failure: rollback
              success_criteria:
                - name: no-marker
                  run: test ! -e {{{marker}}}
              rollback:
                - name: undo
                  run: rm -f -- {{{marker}}}
            """);

        var run = TestRuns.RunAsync(cluster, skill, RunMode.Execute);
        for (var i = 0; i < 100 && !File.Exists(marker); i++) await Task.Delay(50);
        await cluster.Servers["node1"].StopAsync();   // kills the session carrying the action
        await cluster.Servers["node1"].StartAsync();
        var report = await run;

        var host = Assert.Single(report.Hosts);
        Assert.Equal(StepVerdict.Unreachable, host.Steps.Single(s => s.Name == "slow-change").Verdict);
        var undo = Assert.Single(host.Rollback!.Steps);
        Assert.True(undo.Verdict == StepVerdict.Passed, undo.Detail);
        Assert.False(File.Exists(marker));
        Assert.Equal(RunVerdict.RolledBack, host.Verdict);
    }
}
