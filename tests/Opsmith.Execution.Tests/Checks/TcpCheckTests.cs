using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Opsmith.Core.Skills;
using Opsmith.Execution.Checks;

namespace Opsmith.Execution.Tests.Checks;

public sealed class TcpCheckTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly TcpCheck check = new();

    public TcpCheckTests() => listener.Start();

    private string OpenPort => ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

    private static string ClosedPort => TestWebServer.FreePort().ToString(CultureInfo.InvariantCulture);

    public void Dispose() => listener.Stop();

    [Fact]
    public async Task Tcp_check_passes_when_the_port_is_open_and_expected_open()
    {
        var outcome = await check.RunAsync(new TcpProbe("127.0.0.1", OpenPort, TcpExpectation.Open), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.Equal($"tcp 127.0.0.1:{OpenPort} is open", outcome.Detail);
        Assert.Equal("true", outcome.Fields["open"]);
    }

    [Fact]
    public async Task Tcp_check_fails_with_connection_refused_when_the_port_is_closed_and_expected_open()
    {
        var port = ClosedPort;

        var outcome = await check.RunAsync(new TcpProbe("127.0.0.1", port, TcpExpectation.Open), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal($"tcp 127.0.0.1:{port} is closed (connection refused), expected open", outcome.Detail);
        Assert.Equal("false", outcome.Fields["open"]);
    }

    [Fact]
    public async Task Tcp_check_passes_when_the_port_is_closed_and_expected_closed()
    {
        var port = ClosedPort;

        var outcome = await check.RunAsync(new TcpProbe("127.0.0.1", port, TcpExpectation.Closed), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.Equal($"tcp 127.0.0.1:{port} is closed (connection refused)", outcome.Detail);
    }

    [Fact]
    public async Task Tcp_check_fails_when_the_port_is_open_and_expected_closed()
    {
        var outcome = await check.RunAsync(new TcpProbe("127.0.0.1", OpenPort, TcpExpectation.Closed), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal($"tcp 127.0.0.1:{OpenPort} is open, expected closed", outcome.Detail);
    }

    [Fact]
    public async Task Tcp_check_resolves_host_names()
    {
        var outcome = await check.RunAsync(new TcpProbe("localhost", OpenPort, TcpExpectation.Open), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
    }

    [Fact]
    public async Task Tcp_check_fails_when_the_port_is_not_a_number()
    {
        var outcome = await check.RunAsync(new TcpProbe("127.0.0.1", "redis", TcpExpectation.Closed), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal("tcp 127.0.0.1:redis: 'redis' is not a port number (1-65535)", outcome.Detail);
        Assert.Empty(outcome.Fields);
    }

    [Fact]
    public async Task Tcp_check_fails_even_when_expecting_closed_if_the_host_name_does_not_resolve()
    {
        var outcome = await check.RunAsync(new TcpProbe("no-such-host.invalid", "6379", TcpExpectation.Closed), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal("tcp no-such-host.invalid:6379: host name could not be resolved, expected closed", outcome.Detail);
    }
}
