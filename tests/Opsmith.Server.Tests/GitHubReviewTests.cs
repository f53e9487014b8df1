using System.Net;
using System.Net.Http.Json;
using System.Text;
using LibGit2Sharp;
using Microsoft.Extensions.DependencyInjection;
using Opsmith.Application.Skills;
using Opsmith.Storage.Tokens;
using Opsmith.Testing;
using static Opsmith.Server.Tests.ServerFlowTests;

namespace Opsmith.Server.Tests;

/// <summary>
/// Reviews as GitHub pull requests: a real bare repository is the remote, and a local server speaks GitHub's REST API.
/// A proposal pushes its branch and opens a pull request; the merge happens on "GitHub"; a signed webhook or a poll
/// makes the skill active at GitHub's merge commit, and an execution runs that commit.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class GitHubReviewTests(ServerInfrastructure infrastructure)
{
    private const string WebhookSecret = "github-webhook-secret";

    [Fact]
    public async Task A_proposal_becomes_a_pull_request_and_its_merge_on_GitHub_makes_the_skill_active_at_the_merge_commit()
    {
        await using var github = await FakeGitHubServer.StartAsync();
        await using var server = await NewServerAsync(github);
        var alice = await server.ClientAsync("alice", ApiRole.Operator);
        var bob = await server.ClientAsync("bob", ApiRole.Approver);

        // Given alice proposes a skill: its branch is on the remote and a pull request is open, sent with the token
        var review = await Json(await alice.PostAsJsonAsync("/api/skills", new { yaml = Skills.Read("gh-kernel") }));
        var id = review.GetProperty("id").GetString()!;
        Assert.Equal(("pending_approval", 1), (review.GetProperty("status").GetString(), review.GetProperty("pull_request").GetInt32()));
        Assert.Equal("https://github.example/acme/skills/pull/1", review.GetProperty("url").GetString());
        using (var remote = new Repository(github.Remote))
            Assert.Equal(review.GetProperty("commit").GetString(), remote.Refs[$"refs/heads/review/{id}"]!.ResolveToDirectReference().TargetIdentifier);
        var opened = Assert.Single(github.Requests, r => r.Method == "POST");
        Assert.Contains("ghp_test_token", opened.Authorization, StringComparison.Ordinal);

        // Then it cannot be merged locally: GitHub is where it is reviewed
        var local = await bob.PostAsync($"/api/reviews/{id}/approve", null);
        Assert.Equal(HttpStatusCode.Conflict, local.StatusCode);
        Assert.Contains("pull request #1", (await Json(local)).GetProperty("detail").GetString());

        // When carol merges it on GitHub, and GitHub's webhook arrives (a forged one first)
        var merge = github.Merge(1, "carol");
        var (body, signature) = github.Webhook(1, "closed", WebhookSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Deliver(alice, body, "sha256=" + new string('0', 64))).StatusCode);
        Assert.Empty((await Json(await alice.GetAsync("/api/skills?status=active"))).GetProperty("skills").EnumerateArray());
        var delivered = await Json(await Deliver(alice, body, signature));
        Assert.True(delivered.TryGetProperty("review", out _), delivered.ToString());

        // Then the skill is active at GitHub's merge commit, and an execution runs that commit
        Assert.Equal(("merged", merge, "github:carol"), (delivered.GetProperty("outcome").GetString(),
            delivered.GetProperty("review").GetProperty("merge_commit").GetString(), delivered.GetProperty("review").GetProperty("decided_by").GetString()));
        var active = (await Json(await alice.GetAsync("/api/skills?status=active"))).GetProperty("skills").EnumerateArray().Single();
        Assert.Equal(("gh-kernel", merge), (active.GetProperty("name").GetString(), active.GetProperty("commit").GetString()));
        var run = await Json(await alice.PostAsJsonAsync("/api/skills/gh-kernel/execute", new { execute = true }));
        Assert.Equal(merge, run.GetProperty("commit").GetString());
        Assert.Equal("run-finished", (await SseAsync(alice, $"/api/executions/{run.GetProperty("execution_id").GetString()}/events"))[^1].Event);

        // And a repeated delivery changes nothing
        Assert.Equal("merged", (await Json(await Deliver(alice, body, signature))).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Polling_sees_a_merge_and_a_closed_pull_request_and_an_edit_stays_pending_until_then()
    {
        await using var github = await FakeGitHubServer.StartAsync();
        await using var server = await NewServerAsync(github);
        var alice = await server.ClientAsync("alice", ApiRole.Operator);
        var skills = server.Services.GetRequiredService<SkillRepository>();
        await alice.PostAsJsonAsync("/api/skills", new { yaml = Skills.Read("gh-host", "uname -s") });
        var first = github.Merge(1, "carol");
        Assert.Single(await skills.SyncPullRequestsAsync(default));

        // An edit opens pull request 2; until it merges the first version stays active
        var edit = await Json(await alice.PutAsJsonAsync("/api/skills/gh-host", new { yaml = Skills.Read("gh-host", "uname -n") }));
        Assert.Equal(2, edit.GetProperty("pull_request").GetInt32());
        Assert.Empty(await skills.SyncPullRequestsAsync(default));
        Assert.Equal(first, (await skills.FindActiveAsync("gh-host", default))!.Commit);

        // A closed pull request rejects its review; a merged one makes the edit active at its merge commit
        var rejected = await Json(await alice.PutAsJsonAsync("/api/skills/gh-host", new { yaml = Skills.Read("gh-host", "uname -r") }));
        github.Close(3);
        var second = github.Merge(2, "carol");
        var changed = await skills.SyncPullRequestsAsync(default);
        Assert.Equal([ReviewStatus.Merged, ReviewStatus.Rejected], changed.OrderBy(r => r.PullRequest).Select(r => r.Status));
        Assert.Equal(second, (await skills.FindActiveAsync("gh-host", default))!.Commit);
        var shown = await Json(await alice.GetAsync($"/api/reviews/{rejected.GetProperty("id").GetString()}"));
        // GitHub's pull request does not say who closed it (only a webhook's sender does)
        Assert.Equal(("rejected", "github"), (shown.GetProperty("status").GetString(), shown.GetProperty("decided_by").GetString()));
    }

    [Fact]
    public async Task When_GitHub_refuses_the_pull_request_nothing_is_proposed()
    {
        await using var github = await FakeGitHubServer.StartAsync();
        await using var server = await NewServerAsync(github);
        var alice = await server.ClientAsync("alice", ApiRole.Operator);
        github.FailNext(502);

        var refused = await alice.PostAsJsonAsync("/api/skills", new { yaml = Skills.Read("gh-refused") });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("nothing was proposed", (await Json(refused)).GetProperty("detail").GetString());
        Assert.DoesNotContain("ghp_test_token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await Json(await alice.GetAsync("/api/skills?status=pending_approval"))).GetProperty("pending").EnumerateArray());
    }

    private Task<OpsmithServerFactory> NewServerAsync(FakeGitHubServer github) => infrastructure.NewServerAsync(usePostgres: false, new Dictionary<string, string>
    {
        ["Opsmith:GitHub:Remote"] = github.Remote,
        ["Opsmith:GitHub:Repository"] = github.Repository,
        ["Opsmith:GitHub:Token"] = "ghp_test_token",
        ["Opsmith:GitHub:ApiUrl"] = github.ApiUrl.ToString(),
        ["Opsmith:GitHub:WebhookSecret"] = WebhookSecret,
        ["Opsmith:GitHub:PollSeconds"] = "0",
    });

    private static Task<HttpResponseMessage> Deliver(HttpClient client, string body, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/github/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", "pull_request");
        request.Headers.Add("X-Hub-Signature-256", signature);
        return client.SendAsync(request);
    }
}
