using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests.Lab;

/// <summary>
/// On the lab's hosts (network namespaces with mount namespaces of their own, entered over SSH through the bastion)
/// a read step that writes anyway runs in the read sandbox: the write fails, the host's disk is unchanged, and the
/// audit trail records the classifier miss.
/// </summary>
[Collection("lab")]
public sealed class ReadSandboxLabTests(LabFixture lab)
{
    [Fact]
    public async Task A_read_only_program_that_writes_under_etc_and_var_lib_on_a_lab_host_changes_nothing_and_is_a_recorded_miss()
    {
        lab.RequireUp();
        var id = Guid.NewGuid().ToString("N")[..12];
        var name = $"acme-status-{id}";
        var etc = $"/etc/opsmith-miss-{id}";
        var varLib = $"/var/lib/opsmith-miss-{id}";
        // Given a program on the lab host that the skill declares read-only but that writes under /etc and /var/lib
        var install = await lab.SshAsync("node2",
            $"printf '#!/bin/sh\\necho status ok\\nmkdir {varLib}\\necho tampered > {etc}\\n' > /usr/local/bin/{name} && chmod 755 /usr/local/bin/{name}");
        Assert.True(install.ExitCode == 0, install.All);
        using var temp = new TempFolder();
        var skill = temp.Write("status.yaml", $$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: acme-status, title: Acme status, description: Prints the status of acme., stage: diagnosis}
            spec:
              inputs:
                host: {type: host, required: true}
              targets: "{{ inputs.host }}"
              risk: read
              read_only_programs:
                {{{name}}}: prints the status page
              actions:
                - name: status
                  run: {{{name}}} --brief
            """);
        var status = await lab.Lab("status");
        var inventory = status.Stdout.Split("inventory ")[1].Trim().Split('\n')[0].Trim();

        try
        {
            // When it runs through opsmith run
            var run = await CliProcess.RunAsync("run", skill, "-i", inventory, "--input", "host=node2", "--execute", "--output", "json");

            // Then the step failed on the read-only filesystem, nothing changed on the host, and the miss is recorded
            Assert.NotEqual(0, run.ExitCode);
            using var report = JsonDocument.Parse(run.Stdout);
            var step = report.RootElement.GetProperty("hosts")[0].GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "status");
            Assert.Equal("failed", step.GetProperty("verdict").GetString());
            Assert.Equal("read-only", step.GetProperty("isolation").GetString());
            Assert.True(step.GetProperty("classifier_miss").GetBoolean());
            var disk = await lab.SshAsync("node2", $"test ! -e {etc} && test ! -e {varLib} && echo unchanged");
            Assert.Contains("unchanged", disk.Stdout);

            var runId = report.RootElement.GetProperty("run_id").GetString();
            var audit = await CliProcess.RunAsync("audit", "list", "--decision", "blocked", "--limit", "1000", "--output", "json");
            using var records = JsonDocument.Parse(audit.Stdout);
            Assert.Contains(records.RootElement.GetProperty("records").EnumerateArray(),
                r => r.GetProperty("run_id").GetString() == runId && r.GetProperty("outcome").GetString() == "classifier-miss");
        }
        finally
        {
            await lab.SshAsync("node2", $"rm -rf /usr/local/bin/{name} {etc} {varLib}");
        }
    }
}
