using System.Net.Http.Json;
using System.Text.Json;
using Opsmith.Lab.DemoService;

namespace Opsmith.Lab.Tests.DemoService;

/// <summary>
/// A real redis-server and the demo service in front of it, on free loopback ports, with the journal in a fresh
/// temporary folder (not yet created, so the service must create it). Stopped and cleaned up on dispose.
/// </summary>
internal sealed class DemoServiceUnderTest : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _run;

    private DemoServiceUnderTest(RedisServerProcess redis, string folder, DemoServiceOptions options, RecordingLog log,
        CancellationTokenSource stop, Task run)
    {
        Redis = redis;
        Folder = folder;
        Options = options;
        Log = log;
        _stop = stop;
        _run = run;
        Http = new HttpClient { BaseAddress = new Uri(options.ListenUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public RedisServerProcess Redis { get; }
    public string Folder { get; }
    public DemoServiceOptions Options { get; }
    public RecordingLog Log { get; }
    public HttpClient Http { get; }
    public string JournalPath => Options.JournalPath;

    public static async Task<DemoServiceUnderTest> StartAsync(int rateLimitPerMinute = 100, string? journalPath = null)
    {
        var redis = await RedisServerProcess.StartAsync();
        var folder = Directory.CreateTempSubdirectory("opsmith-demo-").FullName;
        var port = LoopbackPort.Free();
        var options = new DemoServiceOptions($"http://127.0.0.1:{port}", "127.0.0.1", redis.Port,
            journalPath ?? Path.Combine(folder, "journal", "events.log"), "node-1", rateLimitPerMinute);
        var log = new RecordingLog();
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => DemoServiceHost.RunAsync(options, log, stop.Token));
        var service = new DemoServiceUnderTest(redis, folder, options, log, stop, run);
        try
        {
            await service.WaitUntilListeningAsync(port);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    public async Task<(int Status, JsonElement Body)> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public async Task<(int Status, JsonElement Body)> PostEventAsync(string body)
    {
        using var response = await Http.PostAsync("/api/events", new StringContent(body));
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>
    /// Waits until the service has logged <paramref name="count"/> requests. A request is counted and logged once
    /// its response is complete, which can be just after the client has read it.
    /// </summary>
    public async Task WaitForAnsweredRequestsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (RequestLines().Count < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the service logged {RequestLines().Count} requests, not {count}:\n{string.Join('\n', Log.Lines())}");
            await Task.Delay(20);
        }
    }

    /// <summary>Asks /health until it answers 200 (true), or gives up after 30 s (false): waits for an event, asserts no timing.</summary>
    public async Task<bool> WaitForHealthyAsync()
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(50))
            if ((await GetJsonAsync("/health")).Status == 200) return true;
        return false;
    }

    /// <summary>The log's per-request lines, without the service's own start and stop lines.</summary>
    public IReadOnlyList<string> RequestLines() => Log.Lines().Where(l => !l.StartsWith("opsmith demo service", StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            Http.Dispose();
            _stop.Dispose();
            Redis.Dispose();
            try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        }
    }

    private async Task WaitUntilListeningAsync(int port)
    {
        // A TCP connect, not an HTTP request, so readiness leaves no trace in the metrics under test.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await LoopbackPort.AcceptsAsync(port))
        {
            if (_run.IsCompleted)
            {
                await _run;
                throw new InvalidOperationException("the demo service stopped before it was listening");
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the demo service did not listen on port {port} within 20 s");
            await Task.Delay(20);
        }
    }
}
