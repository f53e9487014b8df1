using System.Globalization;
using System.Net.Sockets;
using Opsmith.Core.Checks;
using Opsmith.Core.Skills;
using Opsmith.Core.Text;

namespace Opsmith.Execution.Checks;

/// <summary>
/// Tries one TCP connection from this machine and compares "does it accept connections" with the probe.
/// A port is open only when the handshake completes. Refused, unreachable and no answer within the timeout all
/// mean not open — the Detail says which, since "closed" because the host is down reads differently at 3 a.m.
/// A host name that does not resolve fails either way: the check cannot say anything about a port it cannot find.
/// </summary>
public sealed class TcpCheck
{
    public async Task<CheckOutcome> RunAsync(TcpProbe probe, TimeSpan timeout, CancellationToken ct)
    {
        var host = probe.Host.Trim();
        var target = $"tcp {(host.Contains(':') ? $"[{host}]" : host)}:{probe.Port.Trim()}";
        var expected = probe.Expect == TcpExpectation.Open ? "open" : "closed";
        if (!int.TryParse(probe.Port.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return CheckOutcome.Fail($"{target}: '{probe.Port}' is not a port number (1-65535)", new Dictionary<string, string>());
        if (host.Length == 0)
            return CheckOutcome.Fail($"{target}: the host is empty", new Dictionary<string, string>());

        var (open, why) = await ConnectAsync(host, port, timeout, ct);
        if (why is null)
            return CheckOutcome.Fail($"{target}: host name could not be resolved, expected {expected}", new Dictionary<string, string>());

        var fields = new Dictionary<string, string> { ["open"] = open ? "true" : "false" };
        var seen = open ? "is open" : $"is closed ({why})";
        return open == (probe.Expect == TcpExpectation.Open)
            ? CheckOutcome.Pass($"{target} {seen}", fields)
            : CheckOutcome.Fail($"{target} {seen}, expected {expected}", fields);
    }

    /// <summary>Whether the handshake completed, and why not; a null reason means the name did not resolve.</summary>
    private static async Task<(bool Open, string? Why)> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        // A dual-mode socket connects to whichever address the name resolves to, IPv4 or IPv6.
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, deadline.Token);
            return (true, "connected");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, $"no answer within {DurationText.Format(timeout)}: filtered or host down");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
        {
            return (false, null);
        }
        catch (SocketException e)
        {
            return (false, HttpExchange.Socket(e));
        }
    }
}
