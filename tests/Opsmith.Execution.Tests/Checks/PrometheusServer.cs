using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Opsmith.Execution.Tests.Checks;

/// <summary>
/// A real Prometheus (Debian's /usr/bin/prometheus) in a temp folder on its own port, scraping a Kestrel /metrics
/// endpoint every second. Ready once the first scrape is queryable; killed and deleted afterwards.
/// </summary>
public sealed class PrometheusServer : IAsyncLifetime
{
    public const string Binary = "/usr/bin/prometheus";
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Exposition-format metrics: one gauge with a single series, one with two.</summary>
    public const string Metrics = """
        # HELP opsmith_test_queue_depth Jobs waiting in the test queue.
        # TYPE opsmith_test_queue_depth gauge
        opsmith_test_queue_depth 42
        # HELP opsmith_test_workers Workers per pool.
        # TYPE opsmith_test_workers gauge
        opsmith_test_workers{pool="batch"} 3
        opsmith_test_workers{pool="web"} 5

        """;

    private readonly string folder = Path.Combine(Path.GetTempPath(), $"opsmith-prometheus-{Guid.NewGuid():N}");
    private readonly StringBuilder output = new();
    private TestWebServer? target;
    private Process? process;

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>A Kestrel server that is not Prometheus (404 everywhere but /slow), for the failure cases.</summary>
    public TestWebServer Target => target!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException(
                $"{Binary} is missing: the prometheus check tests need a real Prometheus. Run ./test.sh (it installs the Debian 'prometheus' package) or: apt-get install -y prometheus");

        target = await TestWebServer.StartAsync(app =>
        {
            app.MapGet("/metrics", (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                return context.Response.WriteAsync(Metrics.Replace("\r\n", "\n"));
            });
            app.MapGet("/slow/{**rest}", async (HttpContext context) => await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted));
        });

        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: opsmith-test
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: ['127.0.0.1:{target.Port}']
            """);

        var port = TestWebServer.FreePort();
        Url = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[]
        {
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        })
            info.ArgumentList.Add(argument);
        process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        await WaitUntilScrapedAsync();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    /// <summary>Polls until the first scrape is queryable, so every test sees the series.</summary>
    private async Task WaitUntilScrapedAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var query = $"{Url}/api/v1/query?query=opsmith_test_queue_depth";
        var watch = Stopwatch.StartNew();
        var last = "no answer yet";
        while (watch.Elapsed < ReadyDeadline)
        {
            if (process!.HasExited)
                throw new InvalidOperationException($"prometheus exited with {process.ExitCode} before it was ready:\n{Output()}");
            try
            {
                last = await http.GetStringAsync(query);
                using var answer = JsonDocument.Parse(last);
                if (answer.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() > 0) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                last = e.Message;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException(
            $"prometheus at {Url} did not return opsmith_test_queue_depth within {ReadyDeadline.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s " +
            $"(last answer: {last}); its output:\n{Output()}");
    }

    private string Output()
    {
        lock (output) return output.ToString();
    }

    public async Task DisposeAsync()
    {
        if (process is not null)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(wait.Token);
            process.Dispose();
        }
        if (target is not null) await target.DisposeAsync();
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
