using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests.Lab;

/// <summary>
/// What `opsmith import` writes works on the real lab: an OpsSkill skill (written for a VM, as OpsSkill's SSH skills
/// are) dry-runs on a lab node, and a Legator agent with its skill's SKILL.md starts a session there with the
/// heuristic planner, at the autonomy it was imported with.
/// </summary>
[Collection("lab")]
public sealed class ImportLabTests(LabFixture lab) : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    private Dictionary<string, string> Env => new() { ["OPSMITH_HOME"] = _home.Path, ["OPSMITH_ACTOR"] = "alice" };

    private string Inventory => Path.Combine(lab.Folder, "inventory.yaml");

    private const string OpsSkillRestartNginx = """
        version: "0.1"
        name: restart_nginx
        intent: Bring nginx back when the web node stops answering
        metadata:
          risk_level: low
          stage: recovery
          hidden_checks:
            - name: site answers
              command: curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/
              expect_stdout_contains: "200"
        preconditions:
          - name: nginx is installed
            command: test -f /etc/nginx/nginx.conf
            expect_exit_code: 0
        actions:
          - name: restart nginx
            command: systemctl restart nginx
            on_failure: rollback
        success_criteria:
          - name: nginx is active
            command: systemctl is-active nginx
            expect_stdout_contains: active
        rollback: []
        """;

    private const string LegatorAgent = """
        apiVersion: legator.io/v1alpha1
        kind: LegatorAgent
        metadata:
          name: web-watch
        spec:
          description: "Looks at nginx and the disk of the web nodes"
          environmentRef: lab-web
          schedule:
            interval: "30m"
          model:
            tier: standard
          skills:
            - source: "configmap://skill-web-watch"
          guardrails:
            autonomy: observe
            maxIterations: 4
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: skill-web-watch
        data:
          SKILL.md: |
            # Web watch

            1. **nginx**: `systemctl is-active nginx`
            2. **Disk**: `df -P /var`
            3. If nginx is down, restart it: `systemctl restart nginx`
        ---
        apiVersion: legator.io/v1alpha1
        kind: LegatorEnvironment
        metadata:
          name: lab-web
        spec:
          endpoints:
            node2:
              url: "ssh://root@node2.lab.internal:22"
        """;

    [Fact]
    public async Task An_imported_skill_dry_runs_on_the_lab_and_an_imported_agent_starts_there_at_its_autonomy()
    {
        lab.RequireUp();
        _home.Write("opsskill/skills/recovery/restart_nginx.yaml", OpsSkillRestartNginx);
        _home.Write("legator/web-watch.yaml", LegatorAgent);
        var output = Path.Combine(_home.Path, "imported");

        var opsskill = await CliProcess.RunAsync(["import", "opsskill", Path.Combine(_home.Path, "opsskill"), "-o", output], Env);
        var legator = await CliProcess.RunAsync(["import", "legator", Path.Combine(_home.Path, "legator"), "-o", output], Env);
        Assert.True(opsskill.ExitCode == 0, opsskill.All);
        Assert.True(legator.ExitCode == 0, legator.All);

        // The OpsSkill skill, on the lab's inventory: a dry run reaches node2 over SSH and changes nothing.
        var dryRun = await CliProcess.RunAsync(["run", Path.Combine(output, "skills", "restart-nginx.yaml"), "-i", Inventory, "--input", "host=node2",
            "--output", "json"], Env);
        Assert.True(dryRun.ExitCode == 0, dryRun.All);
        using (var report = JsonDocument.Parse(dryRun.Stdout))
        {
            Assert.Equal("planned", report.RootElement.GetProperty("verdict").GetString());
            var host = Assert.Single(report.RootElement.GetProperty("hosts").EnumerateArray());
            Assert.Equal("node2", host.GetProperty("host").GetString());
            Assert.False(host.GetProperty("changed").GetBoolean());
        }

        // The Legator agent starts on the lab with the heuristic planner, at the autonomy it was imported with (observe).
        // Its drafted skill reports no findings, so the heuristic planner has nothing of it to weigh and runs nothing.
        var agentFile = Path.Combine(output, "web-watch.agent.yaml");
        Assert.Contains("autonomy: observe", File.ReadAllText(agentFile));
        var run = await CliProcess.RunAsync(["agent", "run", agentFile, "-i", Inventory, "--catalog", Path.Combine(output, "skills"),
            "--description", "nginx on node2 answers slowly", "--allow-mutation", "--output", "json"], Env);
        Assert.True(run.ExitCode == 0, run.All);
        using var session = JsonDocument.Parse(run.Stdout);
        Assert.Equal("web-watch", session.RootElement.GetProperty("agent").GetString());
        var trajectory = session.RootElement.GetProperty("trajectory");
        Assert.Equal(["node2"], trajectory.GetProperty("suspect_hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.Empty(trajectory.GetProperty("actions").EnumerateArray());
        var sessions = await CliProcess.RunAsync(["agent", "sessions", "list", "--output", "json"], Env);
        using var listed = JsonDocument.Parse(sessions.Stdout);
        var stored = Assert.Single(listed.RootElement.GetProperty("sessions").EnumerateArray());
        Assert.Equal("agent:web-watch", stored.GetProperty("actor").GetString());
        // The drafted skill runs on the lab on its own: its commands only read, so the read sandbox lets them.
        var skill = await CliProcess.RunAsync(["run", Path.Combine(output, "skills", "web-watch.yaml"), "-i", Inventory, "--input", "host=node2",
            "--execute", "--output", "json"], Env);
        Assert.True(skill.ExitCode == 0, skill.All);
        using var ran = JsonDocument.Parse(skill.Stdout);
        Assert.Equal("succeeded", ran.RootElement.GetProperty("verdict").GetString());
    }
}
