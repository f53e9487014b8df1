using Opsmith.Core.Runs;
using Opsmith.Execution.Hosts;
using Opsmith.Execution.Runs;
using Opsmith.Execution.Tests.Support;
using Opsmith.Storage.Audit;
using Opsmith.Testing;

namespace Opsmith.Execution.Tests.Runs;

/// <summary>
/// A read-tier step runs in a read-only view of the host's filesystem with a private /tmp, so a command the
/// classifier misjudged as a read cannot change data on disk. The test hosts are sshd on loopback as root: the
/// files they would write are this machine's.
/// </summary>
public sealed class ReadSandboxTests(SshClusterFixture fixture) : IClassFixture<SshClusterFixture>
{
    private static string ReadSkill(string program, string run) => $$$"""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: status, title: Status, description: Prints the status., stage: diagnosis}
        spec:
          inputs:
            host: {type: host, required: true}
          targets: "{{ inputs.host }}"
          risk: read
          read_only_programs:
            {{{program}}}: prints the status page
          actions:
            - name: status
              run: {{{run}}}
        """;

    [Fact]
    public async Task A_read_only_program_that_writes_under_etc_and_var_lib_fails_changes_nothing_and_is_recorded_as_a_classifier_miss()
    {
        // Given a program the skill declares read-only that writes anyway
        var id = Guid.NewGuid().ToString("N");
        var etc = $"/etc/opsmith-miss-{id}";
        var varLib = $"/var/lib/opsmith-miss-{id}";
        // On the PATH of the SSH hosts, which are this machine: the classifier knows programs by name.
        var name = $"acme-status-{id[..8]}";
        var program = Path.Combine("/usr/local/bin", name);
        await File.WriteAllTextAsync(program, $"#!/bin/sh\necho status ok\nmkdir {varLib}\necho tampered > {etc}\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var hosts = await File.ReadAllTextAsync("/etc/hosts");

        // When it runs as a read step on a real SSH host
        RunReport report;
        try
        {
            report = await TestRuns.RunAsync(fixture.Cluster, TestRuns.Skill(ReadSkill(name, $"{name} --brief")), RunMode.Execute,
                new Dictionary<string, string> { ["host"] = "node1" });
        }
        finally
        {
            File.Delete(program);
        }

        // Then the write fails, nothing changed on disk, and the report and the audit trail name the classifier miss
        var step = Assert.Single(report.Hosts).Steps.Single(s => s.Name == "status");
        Assert.Equal(StepVerdict.Failed, step.Verdict);
        Assert.Equal(ReadIsolation.ReadOnly, step.Isolation);
        Assert.True(step.ClassifierMiss);
        Assert.Contains("Read-only file system", step.Stderr);
        Assert.False(File.Exists(etc), $"{etc} was written");
        Assert.False(Directory.Exists(varLib), $"{varLib} was made");
        Assert.Equal(hosts, await File.ReadAllTextAsync("/etc/hosts"));

        await using var audit = await SqliteAuditStore.OpenAsync(new SqliteAuditOptions(TestRuns.AuditFile), TimeProvider.System, CancellationToken.None);
        var records = await audit.ListAsync(new AuditQuery(RunId: report.RunId, Limit: 50), CancellationToken.None);
        var miss = Assert.Single(records, r => r.Facts.Outcome == HostExecutor.ClassifierMissOutcome);
        Assert.Equal(AuditKind.Decision, miss.Kind);
        Assert.Equal(AuditDecision.Blocked, miss.Decision);
        Assert.Equal("status", miss.Facts.Step);
        Assert.Contains(records, r => r.Kind == AuditKind.Command && r.Facts.Outcome == "sandboxed");
    }

    [Fact]
    public async Task A_sandboxed_read_sees_the_hosts_tmp_and_its_own_writes_there_stay_private()
    {
        // Given a file in the host's /tmp
        var seen = TestRuns.TempPath("seen");
        await File.WriteAllTextAsync(seen, "from the host\n");
        var written = TestRuns.TempPath("written");

        // When a read step reads it and writes a scratch file next to it (read, on condition of a private /tmp)
        var report = await TestRuns.RunAsync(fixture.Cluster, TestRuns.Skill(ReadSkill("acme-status", $"cat {seen} && echo scratch > {written} && cat {written}")),
            RunMode.Execute, new Dictionary<string, string> { ["host"] = "node1" });

        // Then it read the host's file and its own, and the host's /tmp did not change
        var step = Assert.Single(report.Hosts).Steps.Single(s => s.Name == "status");
        Assert.Equal(StepVerdict.Passed, step.Verdict);
        Assert.Equal(ReadIsolation.ReadOnly, step.Isolation);
        Assert.Equal("from the host\nscratch\n", step.Stdout);
        Assert.False(File.Exists(written), $"{written} reached the host's /tmp");
    }

    [Fact]
    public async Task Steps_above_read_run_outside_the_sandbox()
    {
        var marker = TestRuns.TempPath("service");
        var skill = TestRuns.Skill($$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: touch, title: Touch, description: Touches a marker., stage: recovery}
            spec:
              inputs:
                host: {type: host, required: true}
              targets: "{{ inputs.host }}"
              risk: destructive
              actions:
                - name: touch
                  run: touch {{{marker}}}
                  risk: destructive
              success_criteria:
                - name: touched
                  run: test -e {{{marker}}}
              rollback:
                - name: untouch
                  run: rm -f {{{marker}}}
            """);

        var report = await TestRuns.RunAsync(fixture.Cluster, skill, RunMode.Execute, new Dictionary<string, string> { ["host"] = "node1" });

        var step = Assert.Single(report.Hosts).Steps.Single(s => s.Name == "touch");
        Assert.Equal(StepVerdict.Passed, step.Verdict);
        Assert.Null(step.Isolation);
        Assert.True(File.Exists(marker));
        File.Delete(marker);
    }
}
