using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Opsmith.Application.Executions;
using ServerExecution = Opsmith.Application.Executions.Execution;
using Opsmith.Application.Runs;
using Opsmith.Core.Runs;
using Opsmith.Storage.Audit;
using Opsmith.Storage.Executions;
using Opsmith.Storage.Incidents;
using Opsmith.Storage.Tokens;
using static Opsmith.Server.Tests.ServerFlowTests;

namespace Opsmith.Server.Tests;

/// <summary>
/// What outlives a server (executions, in SQLite or PostgreSQL, each with the commit it ran), the incidents and agent
/// sessions the CLI sees, and the limits every request meets: body size (413) and rate (429), both as problem documents.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PersistenceAndLimitsTests(ServerInfrastructure infrastructure)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Executions_survive_a_restart_with_their_commit_and_report(bool postgres)
    {
        var server = await infrastructure.NewServerAsync(postgres);
        var alice = await server.ClientAsync("alice", ApiRole.Operator);
        var bob = await server.ClientAsync("bob", ApiRole.Approver);
        var review = await Json(await alice.PostAsJsonAsync("/api/skills", new { yaml = Skills.Read("kept-run") }));
        var commit = (await Json(await bob.PostAsync($"/api/reviews/{review.GetProperty("id").GetString()}/approve", null))).GetProperty("merge_commit").GetString();
        var id = (await Json(await alice.PostAsJsonAsync("/api/skills/kept-run/execute", new { execute = true }))).GetProperty("execution_id").GetString()!;
        Assert.Equal("run-finished", (await SseAsync(alice, $"/api/executions/{id}/events"))[^1].Event);
        await server.DisposeAsync();

        await using var restarted = server.Restarted();
        var viewer = await restarted.ClientAsync("carol", ApiRole.Viewer);
        var listed = (await Json(await viewer.GetAsync("/api/executions?skill=kept-run"))).GetProperty("executions").EnumerateArray().Single();
        Assert.Equal((id, commit, "succeeded"), (listed.GetProperty("id").GetString(), listed.GetProperty("commit").GetString(), listed.GetProperty("status").GetString()));
        var shown = await Json(await viewer.GetAsync($"/api/executions/{id}"));
        Assert.Equal("succeeded", shown.GetProperty("report").GetProperty("verdict").GetString());
        Assert.Empty((await Json(await viewer.GetAsync("/api/executions?status=running"))).GetProperty("executions").EnumerateArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_execution_left_running_by_a_killed_server_is_interrupted_when_a_server_starts(bool postgres)
    {
        // Given what a server killed mid-run leaves in its database: the run's run-started record, owned by a process
        // of an earlier boot (gone), and its execution stored as running, never saved again.
        var server = await infrastructure.NewServerAsync(postgres);
        var audit = await server.Opsmith.AuditAsync(default);
        var id = "run-killed-" + Guid.NewGuid().ToString("N")[..8];
        var dead = new RunOwner(Environment.MachineName, 999_999, "a-boot-before-this-one", 1);
        await audit.AppendAsync(AuditEntry.RunStarted(id, "user:alice", "kept-run", "sha256:0", dead), default);
        var running = new ServerExecution(id, "kept-run", "0123abcd", "user:alice", RunMode.Execute, ExecutionSource.Opsmith,
            DateTimeOffset.UtcNow, null, null, null);
        await ExecutionStore.For(audit).SaveAsync(new StoredExecution(id, running.Skill, running.Commit, running.Actor, "running", running.Started, null,
            JsonSerializer.Serialize(running, ReportJson.Options)), default);
        await server.DisposeAsync();

        // When a server starts on that database
        await using var restarted = server.Restarted();
        var viewer = await restarted.ClientAsync("carol", ApiRole.Viewer);

        // Then the execution is interrupted, ended at the time the trail says the run was, and nothing is running
        Assert.Empty((await Json(await viewer.GetAsync("/api/executions?status=running"))).GetProperty("executions").EnumerateArray());
        var shown = await Json(await viewer.GetAsync($"/api/executions/{id}"));
        Assert.Equal("interrupted", shown.GetProperty("status").GetString());
        var interrupted = Assert.Single(await (await restarted.Opsmith.AuditAsync(default)).ListAsync(new AuditQuery(RunId: id, Kind: AuditKind.RunInterrupted), default));
        Assert.Equal(interrupted.Time, shown.GetProperty("finished").GetDateTimeOffset());
        var listed = (await Json(await viewer.GetAsync("/api/executions?status=interrupted"))).GetProperty("executions").EnumerateArray();
        Assert.Contains(listed, e => e.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task An_execution_whose_run_may_still_go_on_stays_running()
    {
        // Given a running execution whose run's owner is this very process (alive): another server may still run it.
        var server = await infrastructure.NewServerAsync(usePostgres: false);
        var audit = await server.Opsmith.AuditAsync(default);
        var id = "run-alive-" + Guid.NewGuid().ToString("N")[..8];
        await audit.AppendAsync(AuditEntry.RunStarted(id, "user:alice", "kept-run", "sha256:0", RunOwner.OfCurrentProcess()), default);
        var running = new ServerExecution(id, "kept-run", "0123abcd", "user:alice", RunMode.Execute, ExecutionSource.Opsmith, DateTimeOffset.UtcNow, null, null, null);
        await ExecutionStore.For(audit).SaveAsync(new StoredExecution(id, running.Skill, running.Commit, running.Actor, "running", running.Started, null,
            JsonSerializer.Serialize(running, ReportJson.Options)), default);
        await server.DisposeAsync();

        await using var restarted = server.Restarted();
        var viewer = await restarted.ClientAsync("carol", ApiRole.Viewer);

        Assert.Equal("running", (await Json(await viewer.GetAsync($"/api/executions/{id}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Incidents_and_agent_sessions_are_read_by_anyone_and_held_or_resolved_by_an_operator()
    {
        await using var server = await infrastructure.NewServerAsync(usePostgres: false);
        var incidents = await server.Opsmith.IncidentsAsync(default);
        var (incident, _) = await incidents.ReportAsync(new IncidentSighting("disk-free", "node1", "disk almost full", "97% used"), "agent:monitor", default);
        var session = await (await server.Opsmith.SessionsAsync(default)).StartAsync("lab-sre", "agent:lab-sre", "incident", "disk almost full", incident.Id, default);
        var viewer = await server.ClientAsync("vic", ApiRole.Viewer);
        var alice = await server.ClientAsync("alice", ApiRole.Operator);

        var open = (await Json(await viewer.GetAsync("/api/incidents?status=open"))).GetProperty("incidents").EnumerateArray().Single();
        Assert.Equal((incident.Id, "node1"), (open.GetProperty("id").GetString(), open.GetProperty("host").GetString()));
        var listed = (await Json(await viewer.GetAsync("/api/agent/sessions"))).GetProperty("sessions").EnumerateArray().Single();
        Assert.Equal((session.Id, incident.Id), (listed.GetProperty("id").GetString(), listed.GetProperty("incident_id").GetString()));
        Assert.Equal("running", (await Json(await viewer.GetAsync($"/api/agent/sessions/{session.Id}"))).GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/incidents/{incident.Id}/hold", null)).StatusCode);
        var held = await Json(await alice.PostAsJsonAsync($"/api/incidents/{incident.Id}/hold", new { note = "looking at it" }));
        Assert.Equal(("held", "user:alice"), (held.GetProperty("status").GetString(), held.GetProperty("changed_by").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await alice.PostAsync($"/api/incidents/{incident.Id}/hold", null)).StatusCode);
        Assert.Equal("open", (await Json(await alice.PostAsync($"/api/incidents/{incident.Id}/unhold", null))).GetProperty("status").GetString());
        Assert.Equal("resolved", (await Json(await alice.PostAsync($"/api/incidents/{incident.Id}/resolve", null))).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await alice.PostAsync("/api/incidents/in-nope/resolve", null)).StatusCode);
        var audit = (await Json(await viewer.GetAsync("/api/audit?kind=incident"))).GetProperty("records").EnumerateArray().ToList();
        Assert.Contains(audit, r => r.GetProperty("actor").GetString() == "user:alice");
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413_and_too_many_requests_get_429_as_problem_documents()
    {
        await using var server = await infrastructure.NewServerAsync(usePostgres: false, new Dictionary<string, string>
        {
            ["Opsmith:MaxRequestBytes"] = "2048",
            ["Opsmith:RequestsPerSecond"] = "2",
        });
        var alice = await server.ClientAsync("alice", ApiRole.Operator);

        var large = await alice.PostAsJsonAsync("/api/validate", new { yaml = Skills.Read("large", "echo " + new string('x', 4096)) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal("application/problem+json", large.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most 2048", (await Json(large)).GetProperty("detail").GetString());

        // A burst of twice the rate is allowed; twenty requests at once are more than that
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => alice.GetAsync("/api/kill-switch")));
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.Equal("application/problem+json", limited[0].Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await Json(limited[0])).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/healthz")).StatusCode);
    }
}
