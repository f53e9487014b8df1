using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Opsmith.Storage.Tokens;
using static Opsmith.Server.Tests.ServerFlowTests;

namespace Opsmith.Server.Tests;

/// <summary>What the server refuses: the wrong role, no token, a step approved by its own proposer, bad YAML, a forged callback.</summary>
[Collection(ServerCollection.Name)]
public sealed class GuardTests(ServerInfrastructure infrastructure) : IAsyncLifetime
{
    private OpsmithServerFactory _server = null!;

    public async Task InitializeAsync() => _server = await infrastructure.NewServerAsync(usePostgres: false);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task MergeAsync(string yaml)
    {
        var author = await _server.ClientAsync("author", ApiRole.Operator);
        var reviewer = await _server.ClientAsync("reviewer", ApiRole.Approver);
        var review = await Json(await author.PostAsJsonAsync("/api/skills", new { yaml }));
        Assert.True(review.TryGetProperty("id", out _), review.ToString());
        var merged = await reviewer.PostAsync($"/api/reviews/{review.GetProperty("id").GetString()}/approve", null);
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
    }

    [Fact]
    public async Task A_second_person_approves_a_step_the_first_proposed_and_the_first_cannot()
    {
        var marker = $"/tmp/opsmith-server-marker-{Guid.NewGuid():N}";
        await MergeAsync(Skills.Mutation("write-marker", marker));
        var alice = await _server.ClientAsync("alice", ApiRole.Approver);
        var bob = await _server.ClientAsync("bob", ApiRole.Approver);

        var started = await alice.PostAsJsonAsync("/api/skills/write-marker/execute", new { execute = true });
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var id = (await Json(started)).GetProperty("execution_id").GetString();
        var approvalId = await FirstApprovalAsync(alice, id!);

        var own = await alice.PostAsync($"/api/approvals/{approvalId}/approve", null);
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Equal("application/problem+json", own.Content.Headers.ContentType?.MediaType);
        Assert.False(File.Exists(marker), "nothing may run before another person approves");

        var other = await bob.PostAsJsonAsync($"/api/approvals/{approvalId}/approve", new { note = "checked" });
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var events = await SseAsync(alice, $"/api/executions/{id}/events");
        Assert.Contains("\"verdict\":\"succeeded\"", events[^1].Data, StringComparison.Ordinal);
        Assert.True(File.Exists(marker));
        File.Delete(marker);
        var request = await Json(await bob.GetAsync($"/api/approvals/{approvalId}"));
        Assert.Equal(("user:alice", "user:bob"), (request.GetProperty("proposer").GetString(), request.GetProperty("decided_by").GetString()));
    }

    /// <summary>The approval the run asks for: its id arrives as an approval-requested event.</summary>
    private static async Task<string> FirstApprovalAsync(HttpClient client, string execution)
    {
        using var response = await client.GetAsync($"/api/executions/{execution}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"approval_id\"", StringComparison.Ordinal))
                return JsonDocument.Parse(line[6..]).RootElement.GetProperty("approval_id").GetString()!;
        throw new InvalidOperationException("the run ended without asking for an approval");
    }

    [Fact]
    public async Task A_viewer_token_can_read_but_cannot_execute_and_no_token_gets_401()
    {
        await MergeAsync(Skills.Read("viewer-check"));
        var viewer = await _server.ClientAsync("vera", ApiRole.Viewer);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/skills")).StatusCode);
        var execute = await viewer.PostAsJsonAsync("/api/skills/viewer-check/execute", new { execute = true });
        Assert.Equal(HttpStatusCode.Forbidden, execute.StatusCode);
        Assert.Contains("viewer", (await Json(execute)).GetProperty("detail").GetString());
        Assert.Empty((await Json(await viewer.GetAsync("/api/executions"))).GetProperty("executions").EnumerateArray());

        var anonymous = _server.CreateClient();
        var refused = await anonymous.GetAsync("/api/skills");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "opsmith_tk-00000000_forged");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/skills")).StatusCode);
    }

    [Fact]
    public async Task A_revoked_token_is_refused()
    {
        var tokens = await _server.Opsmith.TokensAsync(default);
        var created = await tokens.CreateAsync(new("dave", Policy.Decisions.ActorKind.Human), ApiRole.Admin, new("admin", Policy.Decisions.ActorKind.Human), default);
        var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", created.Secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/skills")).StatusCode);

        Assert.True(await tokens.RevokeAsync(created.Token.Id, default));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/skills")).StatusCode);
        foreach (var file in Directory.GetFiles(Path.Combine(_server.Home, "data"), "audit.db*"))
            Assert.DoesNotContain(created.Secret, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
    }

    [Fact]
    public async Task Malformed_yaml_gets_a_problem_naming_line_and_field()
    {
        var alice = await _server.ClientAsync("alice", ApiRole.Operator);
        const string yaml = "apiVersion: opsmith/v1\nkind: Skill\nmetadata: {name: broken, title: Broken, description: x, stage: diagnosis}\nspec:\n  targets: nodes\n  risk: read\n  actions:\n    - name: look\n      run: [unclosed\n";

        foreach (var path in new[] { "/api/skills", "/api/validate" })
        {
            var response = await alice.PostAsJsonAsync(path, new { yaml });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var error = (await Json(response)).GetProperty("errors").EnumerateArray().First();
            Assert.Equal("skill.yaml", error.GetProperty("file").GetString());
            Assert.True(error.GetProperty("line").GetInt32() >= 9, $"line {error.GetProperty("line")} should point at the broken run:");
        }

        var understated = await alice.PostAsJsonAsync("/api/validate", new { yaml = Skills.Read("understated", "systemctl restart nginx") });
        var diagnostic = (await Json(understated)).GetProperty("errors").EnumerateArray().Single(e => e.GetProperty("code").GetString() == "risk-understated");
        Assert.Equal((9, "spec.actions[0].run"), (diagnostic.GetProperty("line").GetInt32(), diagnostic.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task The_callback_accepts_a_good_signature_and_rejects_a_bad_one()
    {
        var client = _server.CreateClient();
        var body = Encoding.UTF8.GetBytes("""{"execution_id":"gha-42","skill":"kernel-name","status":"success","logs_url":"https://example.invalid/run/42","outputs":{"kernel":"Linux"}}""");

        var forged = await PostSignedAsync(client, body, "sha256=" + new string('0', 64));
        var unsigned = await PostSignedAsync(client, body, null);
        var wrongKey = await PostSignedAsync(client, body, Sign("another-secret", body));

        Assert.All(new[] { forged, unsigned, wrongKey }, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        var good = await PostSignedAsync(client, body, Sign(OpsmithServerFactory.CallbackSecret, body));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var viewer = await _server.ClientAsync("vera", ApiRole.Viewer);
        var recorded = await Json(await viewer.GetAsync("/api/executions/gha-42"));
        Assert.Equal(("succeeded", "github-actions"), (recorded.GetProperty("status").GetString(), recorded.GetProperty("source").GetString()));
    }

    private static async Task<HttpResponseMessage> PostSignedAsync(HttpClient client, byte[] body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/skills/callback") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (signature is not null) request.Headers.Add("X-Hub-Signature-256", signature);
        return await client.SendAsync(request);
    }

    private static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
