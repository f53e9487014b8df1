using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LibGit2Sharp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Opsmith.Testing;

/// <summary>
/// GitHub on loopback: a real bare Git repository as the repository's remote (<see cref="Remote"/>, pushed to and fetched
/// from by path) and a Kestrel server speaking the pull request part of GitHub's REST API (<c>POST /repos/O/R/pulls</c>,
/// <c>GET /repos/O/R/pulls/N</c>, also under GitHub Enterprise's <c>/api/v3</c>). Tests play the reviewer: <see cref="Merge"/>
/// makes a real merge commit on main of the remote, <see cref="Close"/> closes without merging, and <see cref="Webhook"/>
/// builds the signed <c>pull_request</c> delivery GitHub would send. Every request is recorded; <see cref="FailNext"/>
/// scripts an error answer.
/// </summary>
public sealed class FakeGitHubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<int, JsonObject> _pulls = new();
    private readonly ConcurrentQueue<(string Method, string Path, string Authorization)> _requests = new();
    private readonly ConcurrentQueue<int> _failures = new();
    private readonly object _git = new();
    private int _numbers;

    private FakeGitHubServer(WebApplication app, string remote, string repository)
    {
        _app = app;
        Remote = remote;
        Repository = repository;
    }

    /// <summary>The remote's path: a bare repository, the one a real GitHub repository would be.</summary>
    public string Remote { get; }

    /// <summary>OWNER/NAME.</summary>
    public string Repository { get; }

    /// <summary>The REST API's base URL (what Opsmith:GitHub:ApiUrl is set to).</summary>
    public Uri ApiUrl { get; private set; } = null!;

    public IReadOnlyList<(string Method, string Path, string Authorization)> Requests => _requests.ToList();

    public static async Task<FakeGitHubServer> StartAsync(string repository = "acme/skills")
    {
        var remote = Directory.CreateTempSubdirectory("opsmith-github-").FullName;
        LibGit2Sharp.Repository.Init(remote, isBare: true);
        File.WriteAllText(Path.Combine(remote, "HEAD"), "ref: refs/heads/main\n");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeGitHubServer(app, remote, repository);
        foreach (var prefix in new[] { "", "/api/v3" })
        {
            app.MapPost(prefix + "/repos/{owner}/{name}/pulls", server.CreateAsync);
            app.MapGet(prefix + "/repos/{owner}/{name}/pulls/{number:int}", server.GetAsync);
        }
        await app.StartAsync();
        server.ApiUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return server;
    }

    /// <summary>The next request is answered with <paramref name="status"/> and GitHub's error document.</summary>
    public void FailNext(int status) => _failures.Enqueue(status);

    /// <summary>The pull request as GitHub would show it; null if there is none.</summary>
    public JsonObject? Pull(int number) => _pulls.TryGetValue(number, out var pr) ? (JsonObject)pr.DeepClone() : null;

    /// <summary>Merges pull request <paramref name="number"/> with a merge commit on main of the remote, as <paramref name="login"/>; the merge commit's id.</summary>
    public string Merge(int number, string login)
    {
        lock (_git)
        {
            var pr = _pulls[number];
            using var repo = new LibGit2Sharp.Repository(Remote);
            var head = repo.Lookup<Commit>(pr["head"]!["sha"]!.GetValue<string>());
            var main = repo.Refs["refs/heads/main"]?.ResolveToDirectReference()?.Target as Commit
                       ?? throw new InvalidOperationException("the remote has no main to merge into");
            var merged = repo.ObjectDatabase.MergeCommits(main, head, new MergeTreeOptions());
            if (merged.Status != MergeTreeStatus.Succeeded) throw new InvalidOperationException($"pull request #{number} conflicts with main");
            var signature = new LibGit2Sharp.Signature(login, $"{login}@users.noreply.github.com", DateTimeOffset.UtcNow);
            var commit = repo.ObjectDatabase.CreateCommit(signature, signature,
                $"Merge pull request #{number} from {Repository.Split('/')[0]}/{pr["head"]!["ref"]}\n\n{pr["title"]}\n", merged.Tree, [main, head], prettifyMessage: false);
            repo.Refs.UpdateTarget(repo.Refs["refs/heads/main"], commit.Id);
            pr["state"] = "closed";
            pr["merged"] = true;
            pr["merge_commit_sha"] = commit.Sha;
            pr["merged_by"] = new JsonObject { ["login"] = login };
            pr["merged_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
            return commit.Sha;
        }
    }

    /// <summary>Closes pull request <paramref name="number"/> without merging it (GitHub's pull request does not say by whom).</summary>
    public void Close(int number) => _pulls[number]["state"] = "closed";

    /// <summary>The <c>pull_request</c> delivery GitHub sends for pull request <paramref name="number"/> as it is now: body and signature header.</summary>
    public (string Body, string Signature) Webhook(int number, string action, string secret)
    {
        var body = new JsonObject
        {
            ["action"] = action,
            ["number"] = number,
            ["pull_request"] = Pull(number),
            ["repository"] = new JsonObject { ["full_name"] = Repository },
            ["sender"] = new JsonObject { ["login"] = "octocat" },
        }.ToJsonString();
        return (body, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body))));
    }

    private async Task CreateAsync(HttpContext http, string owner, string name)
    {
        if (await RefuseAsync(http, owner, name)) return;
        var request = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync()) as JsonObject ?? [];
        var head = request["head"]?.GetValue<string>() ?? "";
        var baseRef = request["base"]?.GetValue<string>() ?? "";
        string? sha;
        lock (_git)
        {
            using var repo = new LibGit2Sharp.Repository(Remote);
            sha = (repo.Refs["refs/heads/" + head]?.ResolveToDirectReference()?.Target as Commit)?.Sha;
            if (repo.Refs["refs/heads/" + baseRef] is null) sha = null;
        }
        if (sha is null)
        {
            await ErrorAsync(http, 422, "Validation Failed");
            return;
        }
        var number = Interlocked.Increment(ref _numbers);
        var pr = new JsonObject
        {
            ["id"] = 1000 + number,
            ["number"] = number,
            ["url"] = $"{ApiUrl}repos/{Repository}/pulls/{number}",
            ["html_url"] = $"https://github.example/{Repository}/pull/{number}",
            ["state"] = "open",
            ["title"] = request["title"]?.GetValue<string>(),
            ["body"] = request["body"]?.GetValue<string>(),
            ["merged"] = false,
            ["merge_commit_sha"] = null,
            ["user"] = new JsonObject { ["login"] = "opsmith-bot" },
            ["head"] = new JsonObject { ["ref"] = head, ["sha"] = sha },
            ["base"] = new JsonObject { ["ref"] = baseRef },
            ["created_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
        _pulls[number] = pr;
        http.Response.StatusCode = 201;
        await http.Response.WriteAsJsonAsync(pr);
    }

    private async Task GetAsync(HttpContext http, string owner, string name, int number)
    {
        if (await RefuseAsync(http, owner, name)) return;
        if (Pull(number) is not { } pr)
        {
            await ErrorAsync(http, 404, "Not Found");
            return;
        }
        await http.Response.WriteAsJsonAsync(pr);
    }

    /// <summary>Records the request; answers a scripted failure, a missing token (401) or another repository (404).</summary>
    private async Task<bool> RefuseAsync(HttpContext http, string owner, string name)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        _requests.Enqueue((http.Request.Method, http.Request.Path.ToString(), authorization));
        if (_failures.TryDequeue(out var status)) await ErrorAsync(http, status, "scripted failure");
        else if (authorization.Length == 0) await ErrorAsync(http, 401, "Requires authentication");
        else if ($"{owner}/{name}" != Repository) await ErrorAsync(http, 404, "Not Found");
        else return false;
        return true;
    }

    private static Task ErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { message, documentation_url = "https://docs.github.com/rest" });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(Remote, recursive: true); }
        catch (IOException) { /* a temporary folder; the OS cleans it */ }
        catch (UnauthorizedAccessException) { /* git objects are read-only on some systems */ }
    }
}
