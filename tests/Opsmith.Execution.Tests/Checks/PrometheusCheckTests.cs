using Opsmith.Core.Skills;
using Opsmith.Execution.Checks;

namespace Opsmith.Execution.Tests.Checks;

/// <summary>Against a real Prometheus scraping <c>opsmith_test_queue_depth 42</c> and two <c>opsmith_test_workers</c> series.</summary>
public sealed class PrometheusCheckTests(PrometheusServer prometheus) : IClassFixture<PrometheusServer>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly HttpClient client = new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    private PrometheusCheck Check => new(client);

    private PrometheusProbe Probe(string query, Comparison comparison, double value) => new(prometheus.Url, query, comparison, value);

    public void Dispose() => client.Dispose();

    [Fact]
    public async Task Prometheus_check_passes_when_the_value_is_below_the_limit()
    {
        var outcome = await Check.RunAsync(Probe("opsmith_test_queue_depth", Comparison.Below, 100), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.Equal("prometheus query 'opsmith_test_queue_depth' = 42, below 100", outcome.Detail);
        Assert.Equal("42", outcome.Fields["value"]);
    }

    [Fact]
    public async Task Prometheus_check_fails_with_the_value_when_it_is_not_below_the_limit()
    {
        var outcome = await Check.RunAsync(Probe("opsmith_test_queue_depth", Comparison.Below, 10), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal("prometheus query 'opsmith_test_queue_depth' = 42, expected below 10", outcome.Detail);
        Assert.Equal("42", outcome.Fields["value"]);
    }

    [Fact]
    public async Task Prometheus_check_passes_when_the_value_is_above_the_limit()
    {
        var outcome = await Check.RunAsync(Probe("opsmith_test_queue_depth", Comparison.Above, 41.5), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
    }

    [Fact]
    public async Task Prometheus_check_fails_when_the_value_is_equal_and_above_was_expected()
    {
        var outcome = await Check.RunAsync(Probe("opsmith_test_queue_depth", Comparison.Above, 42), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal("prometheus query 'opsmith_test_queue_depth' = 42, expected above 42", outcome.Detail);
    }

    [Fact]
    public async Task Prometheus_check_passes_when_the_value_equals_the_expected_one()
    {
        var outcome = await Check.RunAsync(Probe("opsmith_test_queue_depth", Comparison.Equals, 42), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.Equal("prometheus query 'opsmith_test_queue_depth' = 42, equal to 42", outcome.Detail);
    }

    [Fact]
    public async Task Prometheus_check_fails_when_the_value_differs_from_the_expected_one()
    {
        var outcome = await Check.RunAsync(Probe("opsmith_test_queue_depth", Comparison.Equals, 0), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal("prometheus query 'opsmith_test_queue_depth' = 42, expected equal to 0", outcome.Detail);
    }

    [Fact]
    public async Task Prometheus_check_fails_with_no_series_when_the_query_matches_nothing()
    {
        var outcome = await Check.RunAsync(Probe("opsmith_test_queue_depth{queue=\"missing\"}", Comparison.Below, 1), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal("prometheus query 'opsmith_test_queue_depth{queue=\"missing\"}' returned no series", outcome.Detail);
        Assert.False(outcome.Fields.ContainsKey("value"));
    }

    [Fact]
    public async Task Prometheus_check_fails_with_the_count_when_the_query_returns_several_series()
    {
        var outcome = await Check.RunAsync(Probe("opsmith_test_workers", Comparison.Above, 0), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.StartsWith("prometheus query 'opsmith_test_workers' returned 2 series, expected exactly one", outcome.Detail);
        Assert.Contains("opsmith_test_workers{", outcome.Detail);
        Assert.Contains("pool=\"batch\"", outcome.Detail);
    }

    [Fact]
    public async Task Prometheus_check_passes_once_several_series_are_aggregated()
    {
        var outcome = await Check.RunAsync(Probe("sum(opsmith_test_workers)", Comparison.Equals, 8), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
    }

    [Fact]
    public async Task Prometheus_check_compares_a_scalar_result()
    {
        var outcome = await Check.RunAsync(Probe("scalar(opsmith_test_queue_depth) * 2", Comparison.Equals, 84), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.Equal("84", outcome.Fields["value"]);
    }

    [Fact]
    public async Task Prometheus_check_tolerates_a_trailing_slash_on_the_server_url()
    {
        var probe = new PrometheusProbe(prometheus.Url + "/", "opsmith_test_queue_depth", Comparison.Equals, 42);

        var outcome = await Check.RunAsync(probe, Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
    }

    [Fact]
    public async Task Prometheus_check_fails_with_prometheus_error_when_the_query_is_invalid()
    {
        var outcome = await Check.RunAsync(Probe("sum(opsmith_test_workers", Comparison.Below, 1), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.StartsWith("prometheus query 'sum(opsmith_test_workers' was rejected by prometheus: bad_data: ", outcome.Detail);
    }

    [Fact]
    public async Task Prometheus_check_fails_with_a_hint_when_the_url_is_not_a_prometheus_server()
    {
        var probe = new PrometheusProbe(prometheus.Target.Url("/not-prometheus"), "up", Comparison.Equals, 1);

        var outcome = await Check.RunAsync(probe, Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Contains("answered 404 with something that is not the Prometheus API", outcome.Detail);
    }

    [Fact]
    public async Task Prometheus_check_fails_with_connection_refused_when_nothing_listens()
    {
        var url = $"http://127.0.0.1:{TestWebServer.FreePort()}";

        var outcome = await Check.RunAsync(new PrometheusProbe(url, "up", Comparison.Equals, 1), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal($"prometheus query 'up': prometheus at {url} could not be reached: connection refused", outcome.Detail);
    }

    [Fact]
    public async Task Prometheus_check_fails_saying_it_timed_out_when_the_server_is_slower_than_the_timeout()
    {
        var url = prometheus.Target.Url("/slow");

        var outcome = await Check.RunAsync(new PrometheusProbe(url, "up", Comparison.Equals, 1), TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal($"prometheus query 'up' at {url} timed out after 300ms, expected equal to 1", outcome.Detail);
    }
}
