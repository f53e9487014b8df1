using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Opsmith.Lab.DemoService;

/// <summary>
/// Runs the demo service each lab node serves: a small Kestrel app with a redis-backed rate limiter, an
/// fsynced event journal, a health check over both, and Prometheus metrics. Faults injected on the node
/// (redis stopped or paused, a full disk, CPU or memory pressure) show up in its answers.
/// </summary>
public static class DemoServiceHost
{
    /// <summary>Serves until <paramref name="cancellationToken"/> is cancelled (or the process gets SIGINT/SIGTERM), then stops cleanly.</summary>
    /// <param name="options">Where to listen, which redis and journal to use, the node's name and the rate limit.</param>
    /// <param name="log">Receives one line when the service is listening and one per answered request.</param>
    /// <param name="cancellationToken">Stops the service.</param>
    /// <exception cref="ArgumentException">The options have problems; the message lists them all.</exception>
    public static Task RunAsync(DemoServiceOptions options, TextWriter log, CancellationToken cancellationToken) =>
        RunAsync(options, log, TimeProvider.System, cancellationToken);

    internal static async Task RunAsync(DemoServiceOptions options, TextWriter log, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var problems = options.Problems();
        if (problems.Count > 0)
            throw new ArgumentException($"The demo service cannot start: {string.Join("; ", problems)}.", nameof(options));

        var synchronizedLog = TextWriter.Synchronized(log);
        using var redis = new RedisClient(options.RedisHost, options.RedisPort, time: time);
        var journal = new EventJournal(options.JournalPath, time);
        var metrics = new DemoMetrics();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // No appsettings.json watcher: the service is configured by its options alone.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.ListenUrl);
        builder.Services.Configure<JsonOptions>(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(journal);
        builder.Services.AddSingleton(new RedisRateLimiter(redis, options.RateLimitPerMinute, time));
        builder.Services.AddSingleton(new HealthCheck(redis, journal, options.NodeName));

        await using var app = builder.Build();
        app.UseRequestRecording(metrics, synchronizedLog, time);
        app.MapDemoEndpoints();

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        synchronizedLog.WriteLine(
            $"opsmith demo service on {options.NodeName} listening on {string.Join(", ", app.Urls)} " +
            $"(redis {redis.Endpoint}, journal {Path.GetFullPath(options.JournalPath)}, limit {options.RateLimitPerMinute}/min)");
        await app.WaitForShutdownAsync(cancellationToken);
        synchronizedLog.WriteLine($"opsmith demo service on {options.NodeName} stopped");
    }
}
