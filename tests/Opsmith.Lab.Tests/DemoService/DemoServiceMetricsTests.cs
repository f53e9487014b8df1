using System.Diagnostics;

namespace Opsmith.Lab.Tests.DemoService;

/// <summary>What <c>GET /metrics</c> exposes, and that Prometheus's own checker accepts it.</summary>
public sealed class DemoServiceMetricsTests
{
    [Fact]
    public async Task Metrics_count_requests_by_route_and_code_and_sum_their_durations()
    {
        await using var service = await DemoServiceUnderTest.StartAsync(rateLimitPerMinute: 1);
        await service.Http.GetAsync("/");
        await service.Http.GetAsync("/");
        await service.GetJsonAsync("/api/limit/dave");
        await service.GetJsonAsync("/api/limit/dave");
        await service.PostEventAsync("hello");
        await service.Http.GetAsync("/no/such/page");

        var metrics = await ScrapeAfterAllAnsweredAsync(service, expectedRequests: 6);

        Assert.Contains("opsmith_demo_up 1\n", metrics);
        Assert.Contains("opsmith_demo_requests_total{route=\"/\",code=\"200\"} 2\n", metrics);
        Assert.Contains("opsmith_demo_requests_total{route=\"/api/limit/{client}\",code=\"200\"} 1\n", metrics);
        Assert.Contains("opsmith_demo_requests_total{route=\"/api/limit/{client}\",code=\"429\"} 1\n", metrics);
        Assert.Contains("opsmith_demo_requests_total{route=\"/api/events\",code=\"201\"} 1\n", metrics);
        Assert.Contains("opsmith_demo_requests_total{route=\"unmatched\",code=\"404\"} 1\n", metrics);
        Assert.Contains("opsmith_demo_redis_errors_total 0\n", metrics);
        Assert.Contains("opsmith_demo_journal_errors_total 0\n", metrics);
        Assert.Contains("opsmith_demo_request_duration_seconds_count 6\n", metrics);
        var sum = double.Parse(metrics.Split('\n').Single(l => l.StartsWith("opsmith_demo_request_duration_seconds_sum ", StringComparison.Ordinal)).Split(' ')[1]);
        // Six requests were timed, so the sum is positive; how large it is depends on the machine, and no test
        // asserts on wall-clock time (tests/Opsmith.Architecture.Tests/WallClockAssertionTests.cs).
        Assert.True(sum > 0 && double.IsFinite(sum), $"duration sum {sum} s is not a positive number");
        foreach (var family in new[] { "opsmith_demo_up", "opsmith_demo_requests_total", "opsmith_demo_redis_errors_total", "opsmith_demo_journal_errors_total", "opsmith_demo_request_duration_seconds" })
        {
            Assert.Contains($"# HELP {family} ", metrics);
            Assert.Contains($"# TYPE {family} ", metrics);
        }
    }

    [Fact]
    public async Task Metrics_are_served_as_the_prometheus_text_format_and_pass_promtool()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();
        await service.Http.GetAsync("/");

        using var response = await service.Http.GetAsync("/metrics");
        var metrics = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        var promtool = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);
        if (promtool is null) return; // test.sh installs Debian's prometheus package, which ships promtool.
        var (exitCode, output) = await RunWithInputAsync(promtool, metrics, "check", "metrics");
        Assert.True(exitCode == 0, $"promtool check metrics failed:\n{output}\n{metrics}");
    }

    /// <summary>Scrapes once every earlier request has been counted (which is a moment after its client has the answer).</summary>
    internal static async Task<string> ScrapeAfterAllAnsweredAsync(DemoServiceUnderTest service, int expectedRequests)
    {
        await service.WaitForAnsweredRequestsAsync(expectedRequests);
        return await service.Http.GetStringAsync("/metrics");
    }

    private static async Task<(int ExitCode, string Output)> RunWithInputAsync(string program, string input, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in args) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
