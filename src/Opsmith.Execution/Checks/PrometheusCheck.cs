using System.Globalization;
using System.Text.Json;
using Opsmith.Core.Checks;
using Opsmith.Core.Skills;

namespace Opsmith.Execution.Checks;

/// <summary>
/// Runs one instant query against a Prometheus server (<c>GET {url}/api/v1/query</c>) and compares the single
/// number it returns with the probe. A vector must hold exactly one series: with several, which one the check
/// compared would be a guess, so it fails with the count and asks for an aggregation instead.
/// </summary>
public sealed class PrometheusCheck(HttpClient client)
{
    private const int SeriesShown = 3;

    public async Task<CheckOutcome> RunAsync(PrometheusProbe probe, TimeSpan timeout, CancellationToken ct)
    {
        var fields = new Dictionary<string, string>();
        var query = $"prometheus query '{probe.Query}'";
        var expected = $"expected {Describe(probe.Comparison)} {Number(probe.Value)}";
        if (!HttpExchange.TryAbsoluteUrl(probe.Url, out var server))
            return CheckOutcome.Fail($"{query}: '{probe.Url}' is not an absolute http:// or https:// URL (the server's base, like http://127.0.0.1:9090)", fields);
        var url = new Uri($"{server.AbsoluteUri.TrimEnd('/')}/api/v1/query?query={Uri.EscapeDataString(probe.Query)}");
        var where = probe.Url.Trim().TrimEnd('/');

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        string body;
        int status;
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            status = (int)response.StatusCode;
            (body, _) = await HttpExchange.ReadBodyAsync(response.Content, HttpCheck.BodyReadLimit, deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return CheckOutcome.Fail($"{query} at {where} timed out after {HttpExchange.Limit(deadline, timeout, client)}, {expected}", fields);
        }
        catch (HttpRequestException e)
        {
            return CheckOutcome.Fail($"{query}: prometheus at {where} could not be reached: {HttpExchange.Describe(e)}", fields);
        }
        catch (IOException e)
        {
            return CheckOutcome.Fail($"{query}: prometheus at {where} failed while answering: {HttpExchange.Describe(e)}", fields);
        }

        return Compare(probe, body, status);
    }

    /// <summary>Compares an answer of the query API with the probe, wherever the query was sent from (this machine or the target).</summary>
    internal static CheckOutcome Compare(PrometheusProbe probe, string body, int status)
    {
        var fields = new Dictionary<string, string>();
        var query = $"prometheus query '{probe.Query}'";
        var expected = $"expected {Describe(probe.Comparison)} {Number(probe.Value)}";
        var where = probe.Url.Trim().TrimEnd('/');
        var (value, problem) = Read(body, status, where);
        if (problem is not null) return CheckOutcome.Fail($"{query} {problem}", fields);
        fields["value"] = value!;

        var number = Parse(value!);
        var holds = probe.Comparison switch
        {
            Comparison.Below => number < probe.Value,
            Comparison.Above => number > probe.Value,
            _ => number == probe.Value,
        };
        return holds
            ? CheckOutcome.Pass($"{query} = {value}, {Describe(probe.Comparison)} {Number(probe.Value)}", fields)
            : CheckOutcome.Fail($"{query} = {value}, {expected}", fields);
    }

    /// <summary>The sample value as Prometheus wrote it, or why there is no single one (said after "prometheus query '…'").</summary>
    private static (string? Value, string? Problem) Read(string body, int status, string server)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return (null, $"failed: {server} answered {status} with something that is not the Prometheus API (is the url the server's base, like http://127.0.0.1:9090?)");
        }
        using (document)
        {
            try
            {
                return Interpret(document.RootElement, status, server);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException)
            {
                return (null, $"failed: {server} answered {status} with JSON not shaped as the Prometheus API documents ({e.Message})");
            }
        }
    }

    private static (string? Value, string? Problem) Interpret(JsonElement root, int status, string server)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var state))
            return (null, $"failed: {server} answered {status} with JSON that is not a Prometheus API answer");
        if (state.GetString() != "success")
        {
            var kind = root.TryGetProperty("errorType", out var t) ? $"{t.GetString()}: " : "";
            var error = root.TryGetProperty("error", out var m) ? m.GetString() : $"status {status}";
            return (null, $"was rejected by prometheus: {kind}{error}");
        }
        if (!root.TryGetProperty("data", out var data) || !data.TryGetProperty("resultType", out var type) || !data.TryGetProperty("result", out var result))
            return (null, "failed: prometheus answered success without data.resultType/data.result");
        return type.GetString() switch
        {
            "vector" => Single(result),
            "scalar" => (SampleValue(result), null),
            "matrix" => (null, "returned a range vector (matrix); use an instant query without [range], or wrap it, e.g. max_over_time(...)"),
            var other => (null, $"returned a {other}, expected a number (a vector of one series or a scalar)"),
        };
    }

    private static (string? Value, string? Problem) Single(JsonElement result)
    {
        var count = result.GetArrayLength();
        if (count == 0) return (null, "returned no series");
        if (count == 1) return (SampleValue(result[0].GetProperty("value")), null);
        var shown = result.EnumerateArray().Take(SeriesShown)
            .Select(series => $"{Labels(series.GetProperty("metric"))}={SampleValue(series.GetProperty("value"))}");
        var more = count > SeriesShown ? ", …" : "";
        return (null, $"returned {count} series, expected exactly one (aggregate with sum/max/min or filter by label): {string.Join(", ", shown)}{more}");
    }

    /// <summary>A sample is <c>[timestamp, "value"]</c>.</summary>
    private static string SampleValue(JsonElement sample) => sample[1].GetString() ?? "";

    private static string Labels(JsonElement metric)
    {
        var name = metric.TryGetProperty("__name__", out var n) ? n.GetString() : "";
        var labels = metric.EnumerateObject().Where(p => p.Name != "__name__").Select(p => $"{p.Name}=\"{p.Value.GetString()}\"");
        return $"{name}{{{string.Join(",", labels)}}}";
    }

    /// <summary>Prometheus spells infinities +Inf/-Inf and not-a-number NaN; NaN compares false with everything.</summary>
    private static double Parse(string value) => value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : double.NaN,
    };

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Describe(Comparison comparison) => comparison switch
    {
        Comparison.Below => "below",
        Comparison.Above => "above",
        _ => "equal to",
    };
}
