using Opsmith.Core.Runs;
using Opsmith.Execution.Runs;
using Opsmith.Execution.Tests.Support;
using Opsmith.Testing;

namespace Opsmith.Execution.Tests.Runs;

public sealed class SkillRunnerTests(SshClusterFixture fixture) : IClassFixture<SshClusterFixture>
{
    private static string MutatingSkill(string marker, string successCommand, string extraRollback = "", string steadyState = "test -d /") => $$$"""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: write-marker, title: Write a marker, description: Writes a file and checks it., stage: recovery}
        spec:
          inputs:
            host: {type: host, required: true}
          targets: "{{ inputs.host }}"
          risk: destructive
          preconditions:
            - name: tmp-writable
              run: test -w /tmp
          actions:
            - name: write-marker
              run: echo changed > {{{marker}}}
              risk: destructive
              on_failure: rollback
              check: test -d /tmp
          success_criteria:
            - name: healthy
              run: {{{successCommand}}}
          steady_state:
            - name: steady
              run: {{{steadyState}}}
          rollback:
            - name: remove-marker
              run: rm -f {{{marker}}}
        {{{extraRollback}}}
        """;

    [Fact]
    public async Task A_read_only_skill_runs_through_the_jump_host()
    {
        var skill = TestRuns.Skill("""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: who, title: Who, description: Says who and where., stage: diagnosis}
            spec:
              inputs:
                host: {type: host, required: true}
              targets: "{{ inputs.host }}"
              risk: read
              actions:
                - name: whoami
                  run: id -un
                - name: role
                  run: echo {{ target.vars.role }} {{ target.vars.tier }} {{ actions.whoami.stdout }}
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, new Dictionary<string, string> { ["host"] = "node1" });

        var host = Assert.Single(report.Hosts);
        Assert.Equal(RunVerdict.Succeeded, host.Verdict);
        Assert.Equal($"worker test {Environment.UserName}\n", host.Steps.Single(s => s.Name == "role").Stdout);
    }

    [Fact]
    public async Task A_rollback_is_verified_against_what_held_before_the_run_not_the_success_criteria_it_missed()
    {
        var marker = TestRuns.TempPath("marker");
        // The success criterion can never pass; what held before (the precondition and the steady state) holds again after the rollback.
        var skill = TestRuns.Skill(MutatingSkill(marker, "false", steadyState: $"test ! -e {marker}"));

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, new Dictionary<string, string> { ["host"] = "node1" });

        var host = Assert.Single(report.Hosts);
        Assert.False(File.Exists(marker), "rollback should have removed the marker");
        Assert.Equal(["remove-marker"], host.Rollback!.Steps.Select(s => s.Name));
        Assert.True(host.Rollback.Restored);
        Assert.Equal(["tmp-writable", "steady"], host.Rollback.Verification.Select(s => s.Name));
        Assert.All(host.Rollback.Verification, s => Assert.Equal(RunSection.Verification, s.Section));
        Assert.Equal(RunVerdict.RolledBack, host.Verdict);
        Assert.StartsWith("success criterion 'healthy' failed", host.Error);
    }

    [Fact]
    public async Task A_rollback_that_leaves_the_steady_state_broken_says_so()
    {
        var marker = TestRuns.TempPath("marker");
        var skill = TestRuns.Skill(MutatingSkill(marker, "false", steadyState: $"test -e {marker}.never-there"));

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, new Dictionary<string, string> { ["host"] = "node1" });

        var host = Assert.Single(report.Hosts);
        Assert.False(host.Rollback!.Restored);
        Assert.Equal(StepVerdict.Failed, host.Rollback.Verification.Single(s => s.Name == "steady").Verdict);
        Assert.Equal(RunVerdict.RollbackFailed, host.Verdict);
        Assert.Equal(RunVerdict.RollbackFailed, report.Verdict);
    }

    [Fact]
    public async Task Rollback_restores_the_steady_state_when_what_held_before_holds_again()
    {
        var marker = TestRuns.TempPath("marker");
        // Healthy only while the marker is absent: the action breaks it, the rollback repairs it.
        var skill = TestRuns.Skill(MutatingSkill(marker, $"test ! -e {marker}", steadyState: $"test ! -e {marker}"));

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, new Dictionary<string, string> { ["host"] = "node2" });

        var host = Assert.Single(report.Hosts);
        Assert.Equal(RunVerdict.RolledBack, host.Verdict);
        Assert.True(host.Rollback!.Restored);
        Assert.All(host.Rollback.Verification, s => Assert.Equal(StepVerdict.Passed, s.Verdict));
        Assert.Equal(RunVerdict.RolledBack, report.Verdict);
    }

    [Fact]
    public async Task Rollback_steps_run_in_reverse_order()
    {
        var log = TestRuns.TempPath("order");
        var skill = TestRuns.Skill(MutatingSkill(TestRuns.TempPath("m"), "false",
            $"""
                - name: undo-second
                  run: echo second >> {log}
                - name: undo-third
                  run: echo third >> {log}
            """.Replace("    - ", "    - ")));

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, new Dictionary<string, string> { ["host"] = "node1" });

        Assert.Equal(["undo-third", "undo-second", "remove-marker"], report.Hosts[0].Rollback!.Steps.Select(s => s.Name));
        Assert.Equal(["third", "second"], File.ReadAllLines(log));
        File.Delete(log);
    }

    [Fact]
    public async Task A_failed_precondition_stops_before_anything_changes()
    {
        var marker = TestRuns.TempPath("never");
        var skill = TestRuns.Skill(MutatingSkill(marker, "true").Replace("run: test -w /tmp", "run: test -e /nonexistent/opsmith"));

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, new Dictionary<string, string> { ["host"] = "node1" });

        Assert.Equal(RunVerdict.PreconditionFailed, report.Hosts[0].Verdict);
        Assert.DoesNotContain(report.Hosts[0].Steps, s => s.Section == RunSection.Actions);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task A_dry_run_runs_preconditions_and_checks_but_no_action()
    {
        var marker = TestRuns.TempPath("dry");
        var skill = TestRuns.Skill(MutatingSkill(marker, "true"));

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.DryRun, new Dictionary<string, string> { ["host"] = "node1" });

        var host = report.Hosts[0];
        Assert.Equal(RunVerdict.Planned, host.Verdict);
        Assert.Equal([RunSection.Preconditions, RunSection.Checks], host.Steps.Select(s => s.Section));
        Assert.Equal($"echo changed > {marker}", host.Plan.Single(p => p.Section == RunSection.Actions).Command);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Success_criteria_are_retried_until_they_pass()
    {
        // Outside /tmp: a check that writes to /tmp is a read with a private /tmp, and its count would not survive it.
        var counter = $"/run/opsmith-count-{Guid.NewGuid():N}";
        var skill = TestRuns.Skill($$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: eventually, title: Eventually, description: Passes on the third try., stage: recovery}
            spec:
              targets: node2
              risk: service-mutation
              actions:
                - name: start
                  run: echo 0 > {{{counter}}}
              success_criteria:
                - name: third-time
                  run: n=$(($(cat {{{counter}}}) + 1)); echo $n > {{{counter}}}; test $n -ge 3
                  retry: {attempts: 5, interval: 100ms}
              rollback: {none: true, reason: test}
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute);

        Assert.Equal(RunVerdict.Succeeded, report.Hosts[0].Verdict);
        Assert.Equal(3, report.Hosts[0].Steps.Single(s => s.Name == "third-time").Attempts);
        File.Delete(counter);
    }

    public static TheoryData<string> Injections => new()
    {
        "x'; touch PWNED; '",
        "$(touch PWNED)",
        "`touch PWNED`",
        "a; touch PWNED",
        "a && touch PWNED",
        "a | touch PWNED",
        "a\ntouch PWNED",
        "'\"'\"'; touch PWNED #",
        "${IFS}touch${IFS}PWNED",
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Input_values_can_never_run_as_commands(string attack)
    {
        var pwned = TestRuns.TempPath("pwned");
        // Outside /tmp, so the step is a write and runs unsandboxed: an injected touch would reach the host.
        var echoed = $"/run/opsmith-echoed-{Guid.NewGuid():N}";
        var value = attack.Replace("PWNED", pwned);
        var skill = TestRuns.Skill($$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: echo-input, title: Echo, description: Echoes an input., stage: diagnosis}
            spec:
              inputs:
                text: {type: string, required: true}
              targets: node1
              risk: read
              actions:
                - name: echo
                  run: printf '%s' {{ inputs.text }} > {{{echoed}}}
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, new Dictionary<string, string> { ["text"] = value });

        Assert.Equal(RunVerdict.Succeeded, report.Hosts[0].Verdict);
        Assert.False(File.Exists(pwned), $"'{attack}' ran a command");
        Assert.Equal(value, File.ReadAllText(echoed));
        File.Delete(echoed);
    }

    [Fact]
    public async Task Secret_values_are_masked_in_every_part_of_the_report()
    {
        const string secret = "hunter2-s3cr3t";
        var skill = TestRuns.Skill("""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: use-token, title: Use a token, description: Prints a token by mistake., stage: diagnosis}
            spec:
              inputs:
                token: {type: string, secret: true, required: true}
              targets: node1
              risk: read
              actions:
                - name: leak
                  run: echo "token is" {{ inputs.token }}; echo {{ inputs.token }} >&2; exit 1
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, new Dictionary<string, string> { ["token"] = secret });

        var json = System.Text.Json.JsonSerializer.Serialize(report);
        Assert.DoesNotContain(secret, json);
        Assert.Equal("***", report.Inputs["token"]);
        var step = report.Hosts[0].Steps.Single();
        Assert.Equal("echo \"token is\" ***; echo *** >&2; exit 1", step.Command);
        Assert.Equal("token is ***\n", step.Stdout);
        Assert.Contains("***", step.Detail);
    }

    [Fact]
    public async Task A_group_target_fans_out_to_every_host_in_parallel()
    {
        var skill = TestRuns.Skill($$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: fan-out, title: Fan out, description: Runs on every node., stage: diagnosis}
            spec:
              targets: nodes
              risk: read
              actions:
                - name: overlap
                  run: date +%s%N; sleep 1; date +%s%N
            """);

        // A read leaves no trace on the host (it runs in the read sandbox), so each host reports when it started and ended.
        static (long Start, long End)[] Spans(RunReport report) => report.Hosts
            .Select(h => h.Steps.Single().Stdout!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray())
            .Select(t => (t[0], t[1])).ToArray();
        var parallel = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, parallel: 2);
        var serial = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, parallel: 1);

        Assert.Equal(["node1", "node2"], parallel.Hosts.Select(h => h.Host));
        Assert.All(parallel.Hosts, h => Assert.Equal(RunVerdict.Succeeded, h.Verdict));
        var both = Spans(parallel);
        Assert.True(both.Max(s => s.Start) < both.Min(s => s.End), "both should start before either ends");
        var oneByOne = Spans(serial).OrderBy(s => s.Start).ToArray();
        Assert.True(oneByOne[0].End <= oneByOne[1].Start, "one host at a time");
    }

    [Fact]
    public async Task A_host_input_that_is_not_in_the_inventory_is_refused_before_anything_runs()
    {
        var skill = TestRuns.Skill(MutatingSkill(TestRuns.TempPath("x"), "true"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, new Dictionary<string, string> { ["host"] = "node3" }));

        Assert.Contains("input 'host' = 'node3' names no host or group in", error.Message);
        Assert.Contains("did you mean 'node1'?", error.Message);
    }
}
