using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Opsmith.Lab.DemoService;

/// <summary>
/// The demo service's counters, rendered in the Prometheus text exposition format (version 0.0.4) by
/// <c>GET /metrics</c>. A request is counted once it has been answered, so a scrape does not count itself.
/// </summary>
internal sealed class DemoMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly ConcurrentDictionary<(string Route, int Code), StrongBox<long>> _requests = new();
    private long _redisErrors;
    private long _journalErrors;
    private long _durationTicks;
    private long _durationCount;

    public void RecordRequest(string route, int statusCode, TimeSpan duration)
    {
        Interlocked.Increment(ref _requests.GetOrAdd((route, statusCode), _ => new StrongBox<long>()).Value);
        Interlocked.Add(ref _durationTicks, duration.Ticks);
        Interlocked.Increment(ref _durationCount);
    }

    public void RecordRedisError() => Interlocked.Increment(ref _redisErrors);

    public void RecordJournalError() => Interlocked.Increment(ref _journalErrors);

    public string Render()
    {
        var text = new StringBuilder();
        Family(text, "opsmith_demo_up", "gauge", "1 while the demo service is running and answering.");
        Sample(text, "opsmith_demo_up", 1);

        Family(text, "opsmith_demo_requests_total", "counter", "HTTP requests answered, by route template and status code.");
        foreach (var ((route, code), count) in _requests.OrderBy(r => r.Key.Route, StringComparer.Ordinal).ThenBy(r => r.Key.Code))
            Sample(text, $"opsmith_demo_requests_total{{route=\"{EscapeLabel(route)}\",code=\"{code}\"}}", Interlocked.Read(ref count.Value));

        Family(text, "opsmith_demo_redis_errors_total", "counter",
            "Redis calls that failed (refused, timed out, or answered with an error), from the rate limiter and the health check.");
        Sample(text, "opsmith_demo_redis_errors_total", Interlocked.Read(ref _redisErrors));

        Family(text, "opsmith_demo_journal_errors_total", "counter",
            "Journal writes that failed (such as a full filesystem), from event appends and the health check's probe.");
        Sample(text, "opsmith_demo_journal_errors_total", Interlocked.Read(ref _journalErrors));

        Family(text, "opsmith_demo_request_duration_seconds", "summary", "Time taken to answer HTTP requests.");
        var seconds = TimeSpan.FromTicks(Interlocked.Read(ref _durationTicks)).TotalSeconds;
        text.Append("opsmith_demo_request_duration_seconds_sum ").Append(seconds.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        Sample(text, "opsmith_demo_request_duration_seconds_count", Interlocked.Read(ref _durationCount));
        return text.ToString();
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string series, long value) =>
        text.Append(series).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
