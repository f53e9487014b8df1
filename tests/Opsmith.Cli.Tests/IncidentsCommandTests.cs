using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>
/// <c>opsmith monitor run --once</c>, <c>opsmith incidents</c> and <c>opsmith agent sessions</c> end to end, on this
/// machine as a local inventory host: a real detection skill from the catalog is the invariant, and a threshold in the
/// agent file turns it red or green.
/// </summary>
public sealed class IncidentsCommandTests : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    // The person is the operating-system user running the tests (OPSMITH_ACTOR would name an automation, not a person).
    private static readonly string Me = OperatingSystemUser.Name();
    private Dictionary<string, string> Env => new() { ["OPSMITH_HOME"] = _home.Path };

    private string Agent(int maxUsePercent)
    {
        _home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        _home.Write("env.yaml", "apiVersion: opsmith/v1\nkind: Environment\nmetadata: {name: here}\nspec:\n  inventory: inventory.yaml\n");
        return _home.Write("agent.yaml", $"""
            apiVersion: opsmith/v1
            kind: Agent
            metadata: {"{"}name: local-sre{"}"}
            spec:
              environment: env.yaml
              autonomy: observe
              skills: [check-*, diagnose-*]
              invariants:
                - name: root-has-room
                  skill: check-disk-usage
                  inputs: {"{"}path: /, max_use_percent: "{maxUsePercent}"{"}"}
                  hosts: self
            """);
    }

    private static JsonElement Json(CliResult result)
    {
        Assert.True(result.Stdout.TrimStart().StartsWith('{'), result.All);
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    [Fact]
    public async Task A_red_invariant_opens_one_incident_a_person_can_hold_and_release_and_green_resolves_it()
    {
        var red = Agent(maxUsePercent: 1);
        var first = await CliProcess.RunAsync(["monitor", "run", red, "--once", "--output", "json"], Env);
        var second = await CliProcess.RunAsync(["monitor", "run", red, "--once"], Env);

        Assert.Equal(1, first.ExitCode);
        var opened = Assert.Single(Json(first).GetProperty("opened").EnumerateArray());
        var id = opened.GetProperty("id").GetString()!;
        Assert.Equal("self", opened.GetProperty("host").GetString());
        Assert.Equal("agent:local-sre", opened.GetProperty("changed_by").GetString());
        Assert.Contains("still", second.Stdout);
        Assert.Contains("seen 2 times", second.Stdout);

        var hold = await CliProcess.RunAsync(["incidents", "hold", id, "--note", "looking by hand"], Env);
        var heldList = Json(await CliProcess.RunAsync(["incidents", "list", "--status", "held", "--output", "json"], Env));
        var agentOnHeld = await CliProcess.RunAsync(["agent", "run", red, "--incident", id], Env);
        var unhold = await CliProcess.RunAsync(["incidents", "unhold", id], Env);

        Assert.True(hold.ExitCode == 0, hold.All);
        Assert.Contains($"incident {id} is held (by user:{Me})", hold.Stdout);
        Assert.Equal(id, Assert.Single(heldList.GetProperty("incidents").EnumerateArray()).GetProperty("id").GetString());
        Assert.NotEqual(0, agentOnHeld.ExitCode);
        Assert.Contains("is held", agentOnHeld.Stderr);
        Assert.Contains($"opsmith incidents unhold {id}", agentOnHeld.Stderr);
        Assert.True(unhold.ExitCode == 0, unhold.All);

        var green = Agent(maxUsePercent: 100);
        var healed = await CliProcess.RunAsync(["monitor", "run", green, "--once", "--output", "json"], Env);
        var show = Json(await CliProcess.RunAsync(["incidents", "show", id, "--output", "json"], Env));
        var resolveAgain = await CliProcess.RunAsync(["incidents", "resolve", id], Env);
        var trail = Json(await CliProcess.RunAsync(["audit", "list", "--output", "json"], Env));

        Assert.True(healed.ExitCode == 0, healed.All);
        Assert.Equal(id, Assert.Single(Json(healed).GetProperty("resolved").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal("resolved", show.GetProperty("status").GetString());
        Assert.Equal("agent:local-sre", show.GetProperty("changed_by").GetString());
        Assert.Equal(1, resolveAgain.ExitCode);
        Assert.Contains($"incident {id} is already resolved", resolveAgain.Stderr);
        var changes = trail.GetProperty("records").EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "incident")
            .Select(r => r.GetProperty("actor").GetString()).ToList();
        Assert.Equal(["agent:local-sre", $"user:{Me}", $"user:{Me}", "agent:local-sre"], changes);
    }

    [Fact]
    public async Task An_agent_session_on_a_description_is_stored_and_shown_with_what_it_saw()
    {
        var red = Agent(maxUsePercent: 1);

        var run = await CliProcess.RunAsync(["agent", "run", red, "--description", "self is slow", "--output", "json", "--report-out", Path.Combine(_home.Path, "s.json")], Env);
        var list = Json(await CliProcess.RunAsync(["agent", "sessions", "list", "--output", "json"], Env));
        var session = Assert.Single(list.GetProperty("sessions").EnumerateArray());
        var id = session.GetProperty("id").GetString()!;
        var show = await CliProcess.RunAsync(["agent", "sessions", "show", id], Env);
        var showJson = Json(await CliProcess.RunAsync(["agent", "sessions", "show", id, "--output", "json"], Env));
        var missing = await CliProcess.RunAsync(["agent", "sessions", "show", "as-zzzzz"], Env);

        var result = Json(run);
        Assert.Equal(id, result.GetProperty("session_id").GetString());
        Assert.True(File.Exists(Path.Combine(_home.Path, "s.json")));
        Assert.Equal("agent:local-sre", session.GetProperty("actor").GetString());
        Assert.Equal("description", session.GetProperty("trigger").GetString());
        var observation = Assert.Single(showJson.GetProperty("trajectory").GetProperty("observations").EnumerateArray());
        Assert.False(observation.GetProperty("green").GetBoolean());
        Assert.Equal(["self"], showJson.GetProperty("trajectory").GetProperty("suspect_hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.Contains("root-has-room on self", show.Stdout);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("there is no agent session as-zzzzz", missing.Stderr);
    }

    [Fact]
    public async Task A_broken_agent_file_is_refused_with_its_line_and_field_and_nothing_runs()
    {
        var file = _home.Write("bad.agent.yaml", "apiVersion: opsmith/v1\nkind: Agent\nmetadata: {name: x}\nspec:\n  skills: [check-*]\n  autonomy: yolo\n");

        var result = await CliProcess.RunAsync(["agent", "run", file, "--description", "anything"], Env);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("bad.agent.yaml:6", result.Stderr);
        Assert.Contains("autonomy", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }
}
