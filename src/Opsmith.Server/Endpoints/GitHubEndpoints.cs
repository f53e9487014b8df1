using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Opsmith.Application;
using Opsmith.Application.Skills;

namespace Opsmith.Server.Endpoints;

/// <summary>
/// <c>POST /api/github/webhook</c>: GitHub tells the server that a review's pull request was merged or closed
/// (event <c>pull_request</c>, action <c>closed</c>). Signed like every GitHub webhook (<c>X-Hub-Signature-256</c>, the
/// HMAC-SHA256 of the body under <c>Opsmith:GitHub:WebhookSecret</c>); no secret configured, every delivery is refused.
/// A merge makes the skill active at the merge commit; other events and other repositories are acknowledged and ignored.
/// </summary>
public static class GitHubEndpoints
{
    public const string EventHeader = "X-GitHub-Event";

    public sealed record WebhookResult(string Outcome, SkillsEndpoints.ApiReview? Review);

    public static void MapGitHubWebhook(this RouteGroupBuilder api) =>
        api.MapPost("/github/webhook", async Task<Results<Ok<WebhookResult>, ProblemHttpResult>> (HttpRequest request, SkillRepository skills,
                CancellationToken ct) =>
            {
                if (skills.GitHub is not { WebhookSecret: { } secret } github)
                    return Problems.Status(StatusCodes.Status401Unauthorized, "Webhooks are off",
                        "this server has no GitHub webhook secret configured (Opsmith:GitHub:WebhookSecret)");
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer, ct);
                var body = buffer.ToArray();
                if (!CallbackEndpoints.Verify(secret, body, request.Headers[CallbackEndpoints.SignatureHeader].ToString()))
                    return Problems.Status(StatusCodes.Status401Unauthorized, "Bad signature",
                        $"{CallbackEndpoints.SignatureHeader} must be sha256= and the hex HMAC-SHA256 of the body under the webhook secret");
                var kind = request.Headers[EventHeader].ToString();
                if (kind != "pull_request") return TypedResults.Ok(new WebhookResult($"ignored: event '{kind}'", null));
                PullRequestEvent? delivery;
                try { delivery = Parse(body); }
                catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
                {
                    return Problems.From(OpsmithError.BadRequest($"the pull_request event is not what GitHub sends: {e.Message}"));
                }
                if (delivery is null) return Problems.From(OpsmithError.BadRequest("the pull_request event lacks action, number or head.ref"));
                if (!string.Equals(delivery.Repository, github.Repository, StringComparison.OrdinalIgnoreCase))
                    return TypedResults.Ok(new WebhookResult($"ignored: repository {delivery.Repository} is not {github.Repository}", null));
                if (delivery.Action != "closed" || !delivery.Branch.StartsWith("review/", StringComparison.Ordinal))
                    return TypedResults.Ok(new WebhookResult($"ignored: action '{delivery.Action}' on {delivery.Branch}", null));
                var recorded = await skills.RecordPullRequestAsync(delivery.Branch, delivery.State, ct);
                return recorded.Error is { } error ? Problems.From(error)
                    : TypedResults.Ok(new WebhookResult(recorded.Value!.Status.ToWireName(), SkillsEndpoints.ApiReview.From(recorded.Value!)));
            }).AllowAnonymous().WithTags("reviews")
            .WithSummary("GitHub reports a review's pull request merged or closed (event pull_request, signed with X-Hub-Signature-256)");

    private sealed record PullRequestEvent(string Action, string Repository, string Branch, PullRequestState State);

    private static PullRequestEvent? Parse(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (!root.TryGetProperty("action", out var action) || !root.TryGetProperty("pull_request", out var pr)) return null;
        var repository = root.TryGetProperty("repository", out var repo) && repo.TryGetProperty("full_name", out var full) ? full.GetString() ?? "" : "";
        var merged = pr.TryGetProperty("merged", out var m) && m.ValueKind == JsonValueKind.True;
        string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var by = pr.TryGetProperty("merged_by", out var mergedBy) && mergedBy.ValueKind == JsonValueKind.Object ? Text(mergedBy, "login")
            : root.TryGetProperty("sender", out var sender) && sender.ValueKind == JsonValueKind.Object ? Text(sender, "login") : null;
        var state = new PullRequestState(pr.GetProperty("number").GetInt32(), Text(pr, "html_url") ?? "", merged, Text(pr, "state") == "closed",
            merged ? Text(pr, "merge_commit_sha") : null, by);
        return new PullRequestEvent(action.GetString() ?? "", repository, pr.GetProperty("head").GetProperty("ref").GetString() ?? "", state);
    }
}

/// <summary>Asks GitHub about open review pull requests every <c>Opsmith:GitHub:PollSeconds</c> (for servers webhooks cannot reach).</summary>
public sealed class PullRequestPolling(SkillRepository skills, ILogger<PullRequestPolling> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (skills.GitHub is not { PollSeconds: > 0 } github) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(github.PollSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var review in await skills.SyncPullRequestsAsync(stoppingToken))
                    log.LogInformation("skill review {Review} ({Skill}) is {Status} on GitHub", review.Id, review.Skill, review.Status.ToWireName());
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                log.LogWarning("asking GitHub about review pull requests failed: {Message}", e.Message);
            }
        }
    }
}
