using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Opsmith.Core.Skills;
using Opsmith.Execution.Checks;

namespace Opsmith.Execution.Tests.Checks;

/// <summary>One Kestrel server for the class: healthy, unavailable, slow, huge and redirecting endpoints.</summary>
public sealed class HttpEndpoints : IAsyncLifetime
{
    public TestWebServer Server { get; private set; } = null!;

    private int _jobsPosted;

    /// <summary>How many POSTs reached /jobs: a check must never send one.</summary>
    public int JobsPosted => Volatile.Read(ref _jobsPosted);

    public async Task InitializeAsync() => Server = await TestWebServer.StartAsync(app =>
    {
        app.MapGet("/health", () => "status: ready\nversion: 1.4.2");
        app.MapGet("/unavailable", () => Results.Text("Service Unavailable: draining", statusCode: 503));
        app.MapGet("/slow", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            return "finally";
        });
        app.MapGet("/huge", () => Results.Text(new string('a', 2 * 1024 * 1024) + "needle"));
        app.MapGet("/moved", () => Results.Redirect("/health"));
        app.MapMethods("/head-only", ["HEAD"], () => Results.Ok());
        app.MapPost("/jobs", () =>
        {
            Interlocked.Increment(ref _jobsPosted);
            return Results.Text("queued", statusCode: 201);
        });
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class HttpCheckTests(HttpEndpoints endpoints) : IClassFixture<HttpEndpoints>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly HttpClient client = new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    private HttpCheck Check => new(client);

    private HttpProbe Probe(string path, int status = 200, string? bodyContains = null, string method = "GET") =>
        new(endpoints.Server.Url(path), method, status, bodyContains);

    public void Dispose() => client.Dispose();

    [Fact]
    public async Task Http_check_passes_when_server_answers_the_expected_status()
    {
        var outcome = await Check.RunAsync(Probe("/health"), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.Equal($"GET {endpoints.Server.Url("/health")} answered 200", outcome.Detail);
        Assert.Equal("200", outcome.Fields["status"]);
        Assert.Equal("status: ready\nversion: 1.4.2", outcome.Fields["body"]);
    }

    [Fact]
    public async Task Http_check_fails_with_status_when_server_answers_503()
    {
        var outcome = await Check.RunAsync(Probe("/unavailable"), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal($"GET {endpoints.Server.Url("/unavailable")} answered 503, expected 200 (body: 'Service Unavailable: draining')", outcome.Detail);
        Assert.Equal("503", outcome.Fields["status"]);
    }

    [Fact]
    public async Task Http_check_passes_when_503_is_the_expected_status()
    {
        var outcome = await Check.RunAsync(Probe("/unavailable", status: 503), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
    }

    [Fact]
    public async Task Http_check_passes_when_body_contains_the_expected_text()
    {
        var outcome = await Check.RunAsync(Probe("/health", bodyContains: "status: ready"), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.EndsWith("answered 200, body contains 'status: ready'", outcome.Detail);
    }

    [Fact]
    public async Task Http_check_fails_when_body_lacks_the_expected_text()
    {
        var outcome = await Check.RunAsync(Probe("/health", bodyContains: "status: green"), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal($"GET {endpoints.Server.Url("/health")} answered 200 but the body does not contain 'status: green' (body: 'status: ready version: 1.4.2')",
            outcome.Detail);
    }

    [Fact]
    public async Task Http_check_fails_saying_it_timed_out_when_the_server_is_slower_than_the_timeout()
    {
        var outcome = await Check.RunAsync(Probe("/slow"), TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal($"GET {endpoints.Server.Url("/slow")} timed out after 300ms, expected 200", outcome.Detail);
        Assert.False(outcome.Fields.ContainsKey("status"));
    }

    [Fact]
    public async Task Http_check_fails_with_connection_refused_when_nothing_listens()
    {
        var url = $"http://127.0.0.1:{TestWebServer.FreePort()}/health";

        var outcome = await Check.RunAsync(new HttpProbe(url, "GET", 200, null), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal($"GET {url} failed: connection refused, expected 200", outcome.Detail);
    }

    [Fact]
    public async Task Http_check_reads_at_most_1_MiB_of_the_body_and_keeps_64_KiB_in_the_field()
    {
        var outcome = await Check.RunAsync(Probe("/huge", bodyContains: "needle"), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Contains("but the first 1 MiB of the body does not contain 'needle'", outcome.Detail);
        Assert.Equal(64 * 1024, outcome.Fields["body"].Length);
    }

    [Fact]
    public async Task Http_check_follows_redirects_and_says_where_it_ended()
    {
        var outcome = await Check.RunAsync(Probe("/moved"), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.Equal($"GET {endpoints.Server.Url("/moved")} answered 200 (redirected to {endpoints.Server.Url("/health")})", outcome.Detail);
    }

    [Fact]
    public async Task Http_check_sends_head_when_the_probe_says_so()
    {
        var outcome = await Check.RunAsync(Probe("/head-only", method: "head"), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.StartsWith("HEAD ", outcome.Detail);
    }

    [Theory]
    [InlineData("post")]
    [InlineData("DELETE")]
    [InlineData("PUT")]
    public async Task Http_check_never_sends_a_request_that_can_change_something(string method)
    {
        var outcome = await Check.RunAsync(Probe("/jobs", status: 201, method: method), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Contains("a check may only GET or HEAD", outcome.Detail);
        Assert.Equal(0, endpoints.JobsPosted);
    }

    [Fact]
    public async Task Http_check_fails_when_the_url_is_not_absolute()
    {
        var outcome = await Check.RunAsync(new HttpProbe("10.0.0.5/health", "GET", 200, null), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal("GET 10.0.0.5/health: '10.0.0.5/health' is not an absolute http:// or https:// URL", outcome.Detail);
    }

    [Fact]
    public async Task Http_check_propagates_cancellation_by_the_caller()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Check.RunAsync(Probe("/slow"), Timeout, cancel.Token));
    }
}
