using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Opsmith.Lab.DemoService;

/// <summary>The demo service's HTTP endpoints, as static handlers over the services the host registers.</summary>
internal static class DemoEndpoints
{
    public static IEndpointRouteBuilder MapDemoEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", Greet);
        endpoints.MapGet("/health", CheckHealthAsync);
        endpoints.MapGet("/api/limit/{client}", CountRequestAsync);
        endpoints.MapPost("/api/events", AppendEventAsync);
        endpoints.MapGet("/metrics", RenderMetrics);
        return endpoints;
    }

    private static IResult Greet(DemoServiceOptions options) =>
        Results.Text($"opsmith demo service on {options.NodeName}\n", "text/plain; charset=utf-8");

    private static async Task<IResult> CheckHealthAsync(HealthCheck health, DemoMetrics metrics, CancellationToken cancellationToken)
    {
        var report = await health.CheckAsync(cancellationToken);
        if (report.Redis != HealthCheck.Ok) metrics.RecordRedisError();
        if (report.Journal != HealthCheck.Ok) metrics.RecordJournalError();
        return Results.Json(report, statusCode: report.Status == HealthCheck.Ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> CountRequestAsync(
        string client, RedisRateLimiter limiter, DemoMetrics metrics, CancellationToken cancellationToken)
    {
        switch (await limiter.CountAsync(client, cancellationToken))
        {
            case RateLimitCounted counted:
                return Results.Json(
                    new LimitResponse(client, counted.Count, limiter.LimitPerMinute, counted.Allowed),
                    statusCode: counted.Allowed ? StatusCodes.Status200OK : StatusCodes.Status429TooManyRequests);
            case RateLimitUnavailable unavailable:
                metrics.RecordRedisError();
                return Results.Json(new ErrorResponse($"redis: {unavailable.Reason}"), statusCode: StatusCodes.Status503ServiceUnavailable);
            default:
                throw new InvalidOperationException("unknown rate limit outcome");
        }
    }

    private static async Task<IResult> AppendEventAsync(
        HttpRequest request, EventJournal journal, DemoMetrics metrics, CancellationToken cancellationToken)
    {
        var body = request.ContentLength > EventJournal.MaxEventBytes
            ? null
            : await ReadSmallBodyAsync(request.Body, EventJournal.MaxEventBytes, cancellationToken);
        if (body is null)
            return Results.Json(
                new ErrorResponse($"event too large: at most {EventJournal.MaxEventBytes} bytes are accepted"),
                statusCode: StatusCodes.Status413PayloadTooLarge);

        var written = await journal.AppendAsync(body, cancellationToken);
        if (written.Failure is { } failure)
        {
            metrics.RecordJournalError();
            return Results.Json(new ErrorResponse($"journal: {failure}"), statusCode: StatusCodes.Status507InsufficientStorage);
        }
        return Results.Json(new EventWrittenResponse(true), statusCode: StatusCodes.Status201Created);
    }

    private static IResult RenderMetrics(DemoMetrics metrics) => Results.Text(metrics.Render(), DemoMetrics.ContentType);

    /// <summary>The body as UTF-8 text, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    private static async Task<string?> ReadSmallBodyAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        // One byte more than allowed tells "exactly the limit" from "over it" without reading a huge body.
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            length += read;
        return length > maxBytes ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }
}
