using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Opsmith.Storage.Tokens;

namespace Opsmith.Server.Tests;

/// <summary>
/// The whole flow through the API, on SQLite and on PostgreSQL: a skill is proposed, waits for review, is merged by
/// another person, runs at the commit it was merged at, streams its events, and the audit trail shows the run.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ServerFlowTests(ServerInfrastructure infrastructure)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_created_skill_is_pending_until_merged_then_runs_at_its_commit_streams_events_and_is_audited(bool postgres)
    {
        await using var server = await infrastructure.NewServerAsync(postgres);
        var alice = await server.ClientAsync("alice", ApiRole.Operator);
        var bob = await server.ClientAsync("bob", ApiRole.Approver);

        // Given alice proposes a skill
        var created = await alice.PostAsJsonAsync("/api/skills", new { yaml = Skills.Read("kernel-name") });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var review = await Json(created);
        Assert.Equal("pending_approval", review.GetProperty("status").GetString());
        var reviewId = review.GetProperty("id").GetString()!;

        // Then it is pending, not active, and cannot run
        var pending = await Json(await alice.GetAsync("/api/skills?status=pending_approval"));
        Assert.Contains(pending.GetProperty("pending").EnumerateArray(), r => r.GetProperty("skill").GetString() == "kernel-name");
        Assert.Empty((await Json(await alice.GetAsync("/api/skills?status=active"))).GetProperty("skills").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await alice.PostAsJsonAsync("/api/skills/kernel-name/execute", new { execute = true })).StatusCode);

        // When bob merges it
        var merged = await Json(await bob.PostAsJsonAsync($"/api/reviews/{reviewId}/approve", new { note = "looks right" }));
        var commit = merged.GetProperty("merge_commit").GetString()!;

        // Then it is active at the merge commit
        var active = (await Json(await alice.GetAsync("/api/skills?status=active"))).GetProperty("skills").EnumerateArray().Single();
        Assert.Equal(("kernel-name", commit), (active.GetProperty("name").GetString(), active.GetProperty("commit").GetString()));

        // When alice runs it, the execution records the commit, and its events stream until the run ends
        var started = await alice.PostAsJsonAsync("/api/skills/kernel-name/execute", new { execute = true });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var execution = await Json(started);
        var id = execution.GetProperty("execution_id").GetString()!;
        Assert.Equal(commit, execution.GetProperty("commit").GetString());
        var events = await SseAsync(alice, $"/api/executions/{id}/events");
        Assert.Equal("run-started", events[0].Event);
        Assert.Contains(events, e => e.Event == "step-output" && e.Data.Contains("Linux", StringComparison.Ordinal));
        Assert.Equal("run-finished", events[^1].Event);
        Assert.Contains("\"verdict\":\"succeeded\"", events[^1].Data, StringComparison.Ordinal);

        var shown = await Json(await alice.GetAsync($"/api/executions/{id}"));
        Assert.Equal(("succeeded", commit, "user:alice"),
            (shown.GetProperty("status").GetString(), shown.GetProperty("commit").GetString(), shown.GetProperty("actor").GetString()));

        // And the audit trail shows the run, by alice
        var audit = (await Json(await bob.GetAsync($"/api/audit?run_id={id}"))).GetProperty("records").EnumerateArray().ToList();
        Assert.Contains(audit, r => r.GetProperty("kind").GetString() == "run-started" && r.GetProperty("actor").GetString() == "user:alice");
        Assert.Contains(audit, r => r.GetProperty("kind").GetString() == "command" && r.GetProperty("host").GetString() == "node1");
        Assert.True((await Json(await bob.GetAsync("/api/audit/verify"))).GetProperty("is_valid").GetBoolean());
    }

    [Fact]
    public async Task An_edit_stays_pending_while_the_active_version_keeps_running()
    {
        await using var server = await infrastructure.NewServerAsync(usePostgres: false);
        var alice = await server.ClientAsync("alice", ApiRole.Operator);
        var bob = await server.ClientAsync("bob", ApiRole.Approver);
        var first = await Json(await alice.PostAsJsonAsync("/api/skills", new { yaml = Skills.Read("host-name", "uname -s") }));
        var commit = (await Json(await bob.PostAsync($"/api/reviews/{first.GetProperty("id").GetString()}/approve", null))).GetProperty("merge_commit").GetString();

        var edit = await alice.PutAsJsonAsync("/api/skills/host-name", new { yaml = Skills.Read("host-name", "uname -n") });

        Assert.Equal(HttpStatusCode.Accepted, edit.StatusCode);
        var skill = await Json(await alice.GetAsync("/api/skills/host-name"));
        Assert.Equal(commit, skill.GetProperty("active").GetProperty("commit").GetString());
        Assert.Contains("uname -s", skill.GetProperty("yaml").GetString());
        Assert.Single(skill.GetProperty("pending").EnumerateArray());
        var run = await Json(await alice.PostAsJsonAsync("/api/skills/host-name/execute", new { execute = false }));
        Assert.Equal(commit, run.GetProperty("commit").GetString());
    }

    [Fact]
    public async Task A_person_cannot_merge_their_own_skill()
    {
        await using var server = await infrastructure.NewServerAsync(usePostgres: false);
        var carol = await server.ClientAsync("carol", ApiRole.Admin);
        var review = await Json(await carol.PostAsJsonAsync("/api/skills", new { yaml = Skills.Read("own-skill") }));

        var approve = await carol.PostAsync($"/api/reviews/{review.GetProperty("id").GetString()}/approve", null);

        Assert.Equal(HttpStatusCode.Forbidden, approve.StatusCode);
        Assert.Contains("four-eyes", (await Json(approve)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Stopping_the_server_cancels_a_running_execution_and_keeps_its_report()
    {
        var server = await infrastructure.NewServerAsync(usePostgres: false);
        var alice = await server.ClientAsync("alice", ApiRole.Operator);
        var bob = await server.ClientAsync("bob", ApiRole.Approver);
        var review = await Json(await alice.PostAsJsonAsync("/api/skills", new { yaml = Skills.Read("slow-read", "sleep 60") }));
        await bob.PostAsync($"/api/reviews/{review.GetProperty("id").GetString()}/approve", null);
        var id = (await Json(await alice.PostAsJsonAsync("/api/skills/slow-read/execute", new { execute = true }))).GetProperty("execution_id").GetString()!;
        using (var events = await alice.GetAsync($"/api/executions/{id}/events", HttpCompletionOption.ResponseHeadersRead))
        using (var reader = new StreamReader(await events.Content.ReadAsStreamAsync()))
            while (await reader.ReadLineAsync() is { } line && line != "event: step-started") { }

        await server.DisposeAsync();

        await using var restarted = server.Restarted();
        var kept = await Json(await (await restarted.ClientAsync("alice", ApiRole.Viewer)).GetAsync($"/api/executions/{id}"));
        Assert.Equal("canceled", kept.GetProperty("status").GetString());
        Assert.Equal("canceled", kept.GetProperty("report").GetProperty("verdict").GetString());
    }

    internal static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length > 0, $"{(int)response.StatusCode} with an empty body");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Reads a text/event-stream to its end: (event, data) pairs in order.</summary>
    internal static async Task<List<(string Event, string Data)>> SseAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<(string, string)>();
        string? name = null;
        var data = "";
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
            else if (line.Length == 0 && name is not null)
            {
                events.Add((name, data));
                (name, data) = (null, "");
            }
        }
        return events;
    }
}
