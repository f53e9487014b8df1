using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Opsmith.Lab.DemoService;

/// <summary>
/// Counts every answered request in <see cref="DemoMetrics"/> and writes one line per request to the service's
/// log, in place of ASP.NET's console logging.
/// </summary>
internal static class RequestRecording
{
    /// <summary>The route label of requests that matched no endpoint, so a scan of random paths adds one series, not thousands.</summary>
    public const string UnmatchedRoute = "unmatched";

    public static IApplicationBuilder UseRequestRecording(this IApplicationBuilder app, DemoMetrics metrics, TextWriter log, TimeProvider time) =>
        app.Use(async (context, next) =>
        {
            var started = time.GetTimestamp();
            var statusCode = StatusCodes.Status500InternalServerError;
            try
            {
                await next(context);
                statusCode = context.Response.StatusCode;
            }
            finally
            {
                // An aborted request is still counted, as the 499 nginx uses for a client that went away.
                if (context.RequestAborted.IsCancellationRequested) statusCode = 499;
                var elapsed = time.GetElapsedTime(started);
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? UnmatchedRoute;
                metrics.RecordRequest(route, statusCode, elapsed);
                var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{stamp} {context.Request.Method} {context.Request.Path}{context.Request.QueryString} {statusCode} {elapsed.TotalMilliseconds:0.0}ms");
                try
                {
                    log.WriteLine(line);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    // A closed log (the terminal went away) must not fail the requests it would describe.
                }
            }
        });
}
