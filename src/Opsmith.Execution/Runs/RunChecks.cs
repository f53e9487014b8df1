using Opsmith.Execution.Checks;

namespace Opsmith.Execution.Runs;

/// <summary>The read-only probes a run's checks use from this machine: HTTP (GET/HEAD), TCP connects and PromQL queries.</summary>
public sealed record RunChecks(HttpCheck Http, TcpCheck Tcp, PrometheusCheck Prometheus)
{
    private static readonly HttpClient SharedHttp = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>One shared HTTP client for the process (a client per run would leak sockets).</summary>
    public static RunChecks Default { get; } = new(new HttpCheck(SharedHttp), new TcpCheck(), new PrometheusCheck(SharedHttp));
}
