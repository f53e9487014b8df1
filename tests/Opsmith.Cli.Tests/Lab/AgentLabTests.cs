using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests.Lab;

/// <summary>
/// The staged agent on the real lab, with a catalog of its own so the behaviour under test does not move with the
/// shipped skills: a marker file on node1 is the fault, a guard file the steady state. <c>bad-fix</c> remedies the
/// hypothesis but creates the guard (a regression); <c>good-fix</c> removes the marker.
/// </summary>
[Collection("lab")]
public sealed class AgentLabTests(LabFixture lab) : IDisposable
{
    private const string Folder = "/run/opsmith-agent-test";
    private const string Target = "{{ inputs.host }}";
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    private Dictionary<string, string> Env => new() { ["OPSMITH_HOME"] = _home.Path, ["OPSMITH_ACTOR"] = "alice" };

    private string Catalog(string remedies = "[marker-left-behind]", string extraMarkerFinding = "")
    {
        string Check(string name, string file, string finding) => $$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: {{name}}, title: Check {{file}}, description: Red while {{Folder}}/{{file}} exists., stage: detection, version: 1}
            spec:
              inputs:
                host: {type: host, required: true, description: Where.}
              targets: "{{Target}}"
              risk: read
              actions:
                - {name: look, run: "ls {{Folder}} 2>/dev/null || true", risk: read}
              success_criteria:
                - {name: absent, run: "test ! -e {{Folder}}/{{file}}"}
              findings:
            {{finding}}
            """;
        var skills = Path.Combine(_home.Path, "catalog");
        _home.Write("catalog/check-marker.yaml", Check("check-marker", "marker",
            "    - {name: marker-present, summary: \"the marker file is there\", when: {check: absent, outcome: failed}, hypotheses: [marker-left-behind], severity: critical}" + extraMarkerFinding));
        _home.Write("catalog/check-guard.yaml", Check("check-guard", "guard",
            "    - {name: guard-present, summary: \"the guard file is there\", when: {check: absent, outcome: failed}, hypotheses: [guard-tripped], severity: warning}"));
        _home.Write("catalog/bad-fix.yaml", $$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: bad-fix, title: A fix that breaks something else, description: Trips the guard and leaves the marker., stage: recovery, version: 1}
            spec:
              inputs:
                host: {type: host, required: true, description: Where.}
              targets: "{{Target}}"
              risk: destructive
              remedies: {{remedies}}
              actions:
                - {name: trip-guard, run: "mkdir -p {{Folder}} && touch {{Folder}}/guard", risk: service-mutation}
              success_criteria:
                - {name: done, run: "test -e {{Folder}}/guard"}
              rollback:
                - {name: clear-guard, run: "rm -f {{Folder}}/guard"}
            """);
        _home.Write("catalog/good-fix.yaml", $$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: good-fix, title: Remove the marker, description: Removes the marker., stage: recovery, version: 1}
            spec:
              inputs:
                host: {type: host, required: true, description: Where.}
              targets: "{{Target}}"
              risk: destructive
              remedies: [marker-left-behind]
              actions:
                - {name: remove-marker, run: "rm -f {{Folder}}/marker", risk: destructive}
              success_criteria:
                - {name: done, run: "test ! -e {{Folder}}/marker"}
              rollback: {none: true, reason: the marker is a test fixture and nothing needs it back}
            """);
        return skills;
    }

    private string Agent(string skills) => _home.Write("agent.yaml", $"""
        apiVersion: opsmith/v1
        kind: Agent
        metadata: {"{"}name: test-sre{"}"}
        spec:
          autonomy: automate-destructive
          skills: {skills}
          invariants:
            - {"{"}name: no-marker, skill: check-marker, hosts: node1{"}"}
            - {"{"}name: no-guard, skill: check-guard, hosts: node1{"}"}
        """);

    private string Inventory => Path.Combine(lab.Folder, "inventory.yaml");

    private async Task PlantMarkerAsync()
    {
        var planted = await lab.SshAsync("node1", $"mkdir -p {Folder} && rm -f {Folder}/guard && touch {Folder}/marker");
        Assert.True(planted.ExitCode == 0, planted.All);
    }

    private async Task<bool> ExistsAsync(string file) => (await lab.SshAsync("node1", $"test -e {Folder}/{file}")).ExitCode == 0;

    [Fact]
    public async Task A_fix_that_turns_a_green_invariant_red_is_rolled_back_and_refuted_and_the_next_remedy_resolves_it()
    {
        lab.RequireUp();
        var catalog = Catalog();
        await PlantMarkerAsync();

        var run = await CliProcess.RunAsync(["agent", "run", Agent("[check-*, bad-fix, good-fix]"), "-i", Inventory, "--catalog", catalog,
            "--description", "node1 has a marker", "--allow-mutation", "--settle", "1s", "--output", "json"], Env);

        Assert.True(run.ExitCode == 0, run.All);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal("resolved", json.RootElement.GetProperty("status").GetString());
        var trajectory = json.RootElement.GetProperty("trajectory");
        var actions = trajectory.GetProperty("actions").EnumerateArray()
            .Select(a => (Skill: a.GetProperty("skill").GetString(), Mode: a.GetProperty("mode").GetString(), RolledBack: a.GetProperty("rolled_back").GetBoolean()))
            .Where(a => a.Skill is "bad-fix" or "good-fix").ToList();
        Assert.Equal([("bad-fix", "execute", false), ("bad-fix", "rollback", true), ("good-fix", "execute", false)], actions);
        var hypothesis = Assert.Single(trajectory.GetProperty("hypotheses").EnumerateArray());
        Assert.Equal("marker-left-behind", hypothesis.GetProperty("id").GetString());
        Assert.Equal("confirmed", hypothesis.GetProperty("state").GetString());
        Assert.Equal("check-marker", hypothesis.GetProperty("evidence")[0].GetProperty("skill").GetString());
        Assert.False(await ExistsAsync("guard"));
        Assert.False(await ExistsAsync("marker"));
    }

    [Fact]
    public async Task With_no_remedy_left_the_agent_escalates_with_the_evidence_and_holds_the_incident()
    {
        lab.RequireUp();
        var catalog = Catalog();
        await PlantMarkerAsync();
        var agent = Agent("[check-*, bad-fix]");

        var monitor = await CliProcess.RunAsync(["monitor", "run", agent, "-i", Inventory, "--catalog", catalog, "--once", "--output", "json"], Env);
        using var opened = JsonDocument.Parse(monitor.Stdout);
        var incident = Assert.Single(opened.RootElement.GetProperty("opened").EnumerateArray()).GetProperty("id").GetString()!;
        var run = await CliProcess.RunAsync(["agent", "run", agent, "-i", Inventory, "--catalog", catalog, "--incident", incident,
            "--allow-mutation", "--settle", "1s"], Env);
        var show = await CliProcess.RunAsync(["incidents", "show", incident, "--output", "json"], Env);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("escalated", run.Stdout);
        Assert.Contains("marker-left-behind on node1", run.Stdout);
        Assert.Contains("bad-fix made no-guard on node1 red; rolled back", run.Stdout);
        Assert.Contains("evidence: check-marker on node1 found marker-present", run.Stdout);
        using var held = JsonDocument.Parse(show.Stdout);
        Assert.Equal("held", held.RootElement.GetProperty("status").GetString());
        Assert.Equal("agent:test-sre", held.RootElement.GetProperty("changed_by").GetString());
        Assert.False(await ExistsAsync("guard"));
        Assert.True(await ExistsAsync("marker"));
    }

    [Fact]
    public async Task A_recovery_runs_once_per_host_in_a_session_even_when_it_remedies_two_hypotheses()
    {
        lab.RequireUp();
        var catalog = Catalog("[marker-left-behind, marker-stale]",
            "\n    - {name: marker-seen, summary: \"a marker was seen\", when: {check: absent, outcome: failed}, hypotheses: [marker-stale], severity: warning}");
        await PlantMarkerAsync();

        var run = await CliProcess.RunAsync(["agent", "run", Agent("[check-*, bad-fix]"), "-i", Inventory, "--catalog", catalog,
            "--description", "node1 has a marker", "--allow-mutation", "--settle", "1s", "--output", "json"], Env);

        Assert.True(run.ExitCode == 3, run.All);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal("escalated", json.RootElement.GetProperty("status").GetString());
        var trajectory = json.RootElement.GetProperty("trajectory");
        var runs = trajectory.GetProperty("actions").EnumerateArray()
            .Count(a => a.GetProperty("skill").GetString() == "bad-fix" && a.GetProperty("mode").GetString() == "execute");
        Assert.Equal(1, runs);
        var stale = trajectory.GetProperty("hypotheses").EnumerateArray().Single(h => h.GetProperty("id").GetString() == "marker-stale");
        Assert.Equal("untested", stale.GetProperty("state").GetString());
        Assert.Contains("bad-fix already ran on node1", stale.GetProperty("note").GetString());
        Assert.False(await ExistsAsync("guard"));
    }
}
