using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Tests.Support;
using Opsmith.Testing;

namespace Opsmith.Execution.Tests.Runs;

/// <summary>Conditional actions and findings, evaluated by the runner on real hosts over SSH.</summary>
public sealed class FindingsTests(SshClusterFixture fixture) : IClassFixture<SshClusterFixture>
{
    private static readonly Dictionary<string, string> OnNode1 = new() { ["host"] = "node1" };

    [Fact]
    public async Task An_action_whose_condition_does_not_hold_is_skipped_with_the_reason_and_is_not_rolled_back()
    {
        var marker = TestRuns.TempPath("when");
        var skill = TestRuns.Skill($$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: restart-if-down, title: Restart if down, description: Acts only when a probe fails., stage: recovery}
            spec:
              inputs:
                host: {type: host, required: true}
              targets: "{{ inputs.host }}"
              risk: destructive
              actions:
                - name: probe
                  run: echo answering
                  risk: read
                  on_failure: continue
                - name: repair
                  run: echo repaired > {{{marker}}}
                  risk: destructive
                  when: {step: probe, stdout_contains: refused}
                - name: note
                  run: echo probe said {{ actions.probe.stdout }}
                  risk: read
                  when: {step: repair, outcome: skipped}
              success_criteria:
                - name: never
                  run: "false"
              rollback:
                - name: undo
                  run: rm -f {{{marker}}}
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, OnNode1);

        var host = Assert.Single(report.Hosts);
        var repair = host.Steps.Single(s => s.Name == "repair");
        Assert.Equal(StepVerdict.Skipped, repair.Verdict);
        Assert.Equal("skipped: stdout of step 'probe' does not contain 'refused'", repair.Detail);
        Assert.Null(repair.Command);
        Assert.False(File.Exists(marker));
        Assert.Equal(StepVerdict.Passed, host.Steps.Single(s => s.Name == "note").Verdict);
        // Only read steps reached the host, so the failed criterion needs no rollback.
        Assert.False(host.Changed);
        Assert.Null(host.Rollback);
        Assert.Equal(RunVerdict.Failed, host.Verdict);
    }

    [Fact]
    public async Task An_action_runs_when_its_condition_holds()
    {
        var marker = TestRuns.TempPath("when-holds");
        var skill = TestRuns.Skill($$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: restart-if-down, title: Restart if down, description: Acts only when a precondition says so., stage: recovery}
            spec:
              inputs:
                host: {type: host, required: true}
              targets: "{{ inputs.host }}"
              risk: service-mutation
              preconditions:
                - name: port-state
                  run: echo "connect refused"
              actions:
                - name: repair
                  run: touch {{{marker}}}
                  risk: service-mutation
                  when: {any: [{check: port-state, stdout_contains: refused}, {check: port-state, exit_code: 7}]}
              success_criteria:
                - name: repaired
                  run: test -e {{{marker}}}
              rollback: {none: true, reason: test}
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, OnNode1);

        var host = Assert.Single(report.Hosts);
        Assert.Equal(RunVerdict.Succeeded, host.Verdict);
        Assert.Equal(StepVerdict.Passed, host.Steps.Single(s => s.Name == "repair").Verdict);
        File.Delete(marker);
    }

    private const string Diagnosis = """
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: diagnose-cache, title: Diagnose the cache, description: Says what is wrong with it., stage: diagnosis}
        spec:
          inputs:
            host: {type: host, required: true}
            port: {type: int, default: 6379}
          targets: "{{ inputs.host }}"
          risk: read
          actions:
            - name: write-probe
              run: echo "OOM command not allowed when used memory > 'maxmemory'"
              on_failure: continue
            - name: top
              run: printf 'pid 4711 name hog cpu 98.5\npid 12 name sshd cpu 0.1\n'
              on_failure: continue
          success_criteria:
            - name: answers-ping
              run: echo PONG
              expect: {stdout_contains: PONG}
            - name: writes-accepted
              run: echo OOM
              expect: {stdout_not_contains: OOM}
            - name: dataset-loaded
              run: echo loading:0
              expect: {stdout_contains: "loading:0"}
          findings:
            - name: out-of-memory
              summary: "The cache on port {{ inputs.port }} refuses writes: out of memory"
              when: {step: write-probe, stdout_contains: OOM}
              hypotheses: [cache-out-of-memory]
              severity: critical
            - name: busy-process
              summary: "pid {{ facts.pid }} ({{ facts.process }}) burns CPU"
              when: {step: top, stdout_matches: 'pid (?<pid>[0-9]+) name (?<process>\S+) cpu (?<cpu>[0-9.]+)'}
              hypotheses: [runaway-process, cpu-saturated]
            - name: not-loaded
              summary: still loading
              when: {check: dataset-loaded, outcome: failed}
              hypotheses: [cache-loading]
            - name: writes-refused
              summary: writes refused
              when: {check: writes-accepted, outcome: failed}
              hypotheses: [cache-out-of-memory]
              severity: info
        """;

    [Fact]
    public async Task Findings_that_hold_are_reported_per_host_with_rendered_summary_hypotheses_severity_and_facts()
    {
        var report = await TestRuns.RunAsync(fixture.Cluster, TestRuns.Skill(Diagnosis), RunMode.Execute, OnNode1);

        var host = Assert.Single(report.Hosts);
        Assert.Equal(["out-of-memory", "busy-process", "writes-refused"], host.Findings.Select(f => f.Name));
        var oom = host.Findings[0];
        Assert.Equal("The cache on port 6379 refuses writes: out of memory", oom.Summary);
        Assert.Equal(["cache-out-of-memory"], oom.Hypotheses);
        Assert.Equal(FindingSeverity.Critical, oom.Severity);
        Assert.Empty(oom.Facts);
        var busy = host.Findings[1];
        Assert.Equal("pid 4711 (hog) burns CPU", busy.Summary);
        Assert.Equal(new Dictionary<string, string> { ["pid"] = "4711", ["process"] = "hog", ["cpu"] = "98.5" }, busy.Facts);
        Assert.Equal(FindingSeverity.Warning, busy.Severity);
        Assert.Equal(FindingSeverity.Info, host.Findings[2].Severity);
    }

    [Fact]
    public async Task A_read_only_run_checks_every_success_criterion_after_one_fails_so_findings_see_them_all()
    {
        var report = await TestRuns.RunAsync(fixture.Cluster, TestRuns.Skill(Diagnosis), RunMode.Execute, OnNode1);

        var host = Assert.Single(report.Hosts);
        Assert.Equal(["answers-ping", "writes-accepted", "dataset-loaded"],
            host.Steps.Where(s => s.Section == RunSection.SuccessCriteria).Select(s => s.Name));
        Assert.Equal(RunVerdict.Failed, host.Verdict);
        Assert.StartsWith("success criterion 'writes-accepted' failed", host.Error);
    }

    [Fact]
    public async Task A_fact_holding_a_secret_is_masked_in_the_finding()
    {
        var skill = TestRuns.Skill("""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: leak, title: Leak, description: Prints a token., stage: diagnosis}
            spec:
              inputs:
                host: {type: host, required: true}
                token: {type: string, secret: true, required: true}
              targets: "{{ inputs.host }}"
              risk: read
              actions:
                - name: show
                  run: echo token={{ inputs.token }}
              findings:
                - name: token-seen
                  summary: "saw {{ facts.token }}"
                  when: {step: show, stdout_matches: 'token=(?<token>\S+)'}
                  hypotheses: [token-leak]
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute,
            new Dictionary<string, string> { ["host"] = "node1", ["token"] = "s3cr3t-value" });

        var finding = Assert.Single(Assert.Single(report.Hosts).Findings);
        Assert.Equal("saw ***", finding.Summary);
        Assert.Equal("***", finding.Facts["token"]);
    }
}
