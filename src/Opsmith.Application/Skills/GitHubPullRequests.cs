using Octokit;

namespace Opsmith.Application.Skills;

/// <summary>
/// Where skill reviews go when they go through GitHub (docs/server.md, "Reviews on GitHub"): the Git remote the review
/// branches are pushed to, the repository on GitHub, a token that may push and open pull requests, and the webhook
/// secret GitHub signs <c>pull_request</c> events with.
/// </summary>
/// <param name="Remote">The Git URL branches are pushed to and main is fetched from (https://github.com/OWNER/NAME.git, or any Git URL).</param>
/// <param name="Repository">OWNER/NAME on GitHub.</param>
/// <param name="Token">A token allowed to push and to open pull requests; sent to GitHub only, never printed.</param>
/// <param name="ApiUrl">The REST API: https://api.github.com/ for github.com, the server's URL for GitHub Enterprise.</param>
/// <param name="WebhookSecret">The secret of the repository's webhook; null: webhooks are refused and only polling sees merges.</param>
/// <param name="PollSeconds">How often a running server asks GitHub about open pull requests; 0: never (webhooks only).</param>
public sealed record GitHubSettings(string Remote, string Repository, string Token, Uri ApiUrl, string? WebhookSecret = null, int PollSeconds = 60)
{
    public static readonly Uri GitHubApi = new("https://api.github.com/");

    public string Owner => Repository.Split('/')[0];

    public string Name => Repository.Split('/')[1];

    /// <summary>Null when the settings are usable, else what is wrong with them.</summary>
    public string? Problem() =>
        string.IsNullOrWhiteSpace(Remote) ? "Opsmith:GitHub:Remote (the Git URL review branches are pushed to) is empty"
        : Repository.Split('/') is not [{ Length: > 0 }, { Length: > 0 }] ? $"Opsmith:GitHub:Repository must be OWNER/NAME, not '{Repository}'"
        : string.IsNullOrWhiteSpace(Token) ? "Opsmith:GitHub:Token is empty; reviews on GitHub need a token that may push and open pull requests"
        : null;
}

/// <summary>What GitHub says about one pull request.</summary>
/// <param name="MergeCommit">The merge commit on the base branch; null unless merged.</param>
/// <param name="DecidedBy">The GitHub login that merged it, when GitHub says.</param>
public sealed record PullRequestState(int Number, string Url, bool Merged, bool Closed, string? MergeCommit, string? DecidedBy);

/// <summary>The GitHub REST calls skill reviews need (Octokit): open a pull request, read one. Nothing else talks to GitHub.</summary>
public sealed class GitHubPullRequests(GitHubSettings settings)
{
    private readonly GitHubClient _client = new(new ProductHeaderValue("opsmith"), settings.ApiUrl)
    {
        Credentials = new Credentials(settings.Token),
    };

    public GitHubSettings Settings => settings;

    public async Task<Result<PullRequestState>> OpenAsync(string branch, string title, string body, CancellationToken ct)
    {
        try
        {
            var created = await _client.PullRequest.Create(settings.Owner, settings.Name, new NewPullRequest(title, branch, "main") { Body = body }).WaitAsync(ct);
            return State(created);
        }
        catch (ApiException e)
        {
            return OpsmithError.Unavailable($"GitHub refused to open a pull request for {branch} in {settings.Repository}: {(int)e.StatusCode} {e.Message}");
        }
        catch (HttpRequestException e)
        {
            return OpsmithError.Unavailable($"GitHub ({settings.ApiUrl}) cannot be reached to open a pull request for {branch}: {e.Message}");
        }
    }

    public async Task<Result<PullRequestState>> GetAsync(int number, CancellationToken ct)
    {
        try
        {
            return State(await _client.PullRequest.Get(settings.Owner, settings.Name, number).WaitAsync(ct));
        }
        catch (ApiException e)
        {
            return OpsmithError.Unavailable($"GitHub did not answer for pull request #{number} of {settings.Repository}: {(int)e.StatusCode} {e.Message}");
        }
        catch (HttpRequestException e)
        {
            return OpsmithError.Unavailable($"GitHub ({settings.ApiUrl}) cannot be reached: {e.Message}");
        }
    }

    private static PullRequestState State(PullRequest pr) =>
        new(pr.Number, pr.HtmlUrl, pr.Merged, pr.State.StringValue == "closed", pr.Merged ? pr.MergeCommitSha : null, pr.MergedBy?.Login);
}
