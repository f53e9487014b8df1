using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Opsmith.Core.Checks;
using Opsmith.Core.Skills;
using Opsmith.Core.Text;

namespace Opsmith.Execution.Checks;

/// <summary>The parts of an HTTP exchange that the http and prometheus checks share: reading and explaining.</summary>
internal static class HttpExchange
{
    public static bool TryAbsoluteUrl(string text, out Uri url)
    {
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps))
        {
            url = parsed;
            return true;
        }
        url = null!;
        return false;
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes and decodes them with the declared charset (UTF-8 otherwise).</summary>
    public static async Task<(string Text, bool Truncated)> ReadBodyAsync(HttpContent content, int limit, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var kept = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (kept.Length <= limit)
        {
            var n = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit + 1 - kept.Length)), ct);
            if (n == 0) break;
            kept.Write(chunk, 0, n);
        }
        var truncated = kept.Length > limit;
        return (Encoding(content).GetString(kept.GetBuffer(), 0, (int)Math.Min(kept.Length, limit)), truncated);
    }

    private static Encoding Encoding(HttpContent content)
    {
        var charset = content.Headers.ContentType?.CharSet?.Trim('"');
        if (string.IsNullOrEmpty(charset)) return System.Text.Encoding.UTF8;
        try
        {
            return System.Text.Encoding.GetEncoding(charset);
        }
        catch (ArgumentException)
        {
            return System.Text.Encoding.UTF8;
        }
    }

    /// <summary>" (redirected to …)" when the client followed redirects to another address, so the reader knows which server answered.</summary>
    public static string Redirected(Uri requested, HttpResponseMessage response) =>
        response.RequestMessage?.RequestUri is { } final && final != requested ? $" (redirected to {final})" : "";

    /// <summary>Our own deadline, or the client's timeout when that one fired first.</summary>
    public static string Limit(CancellationTokenSource deadline, TimeSpan timeout, HttpClient client) =>
        DurationText.Format(deadline.IsCancellationRequested || client.Timeout == Timeout.InfiniteTimeSpan ? timeout : client.Timeout);

    /// <summary>Why no answer came, in the words an operator uses: connection refused, name not resolved, TLS failed.</summary>
    public static string Describe(HttpRequestException e)
    {
        var socket = Inner<SocketException>(e);
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"host name could not be resolved{Because(socket)}",
            HttpRequestError.ConnectionError when socket is not null => Socket(socket),
            HttpRequestError.SecureConnectionError => $"TLS handshake failed: {Innermost(e).Message}",
            HttpRequestError.ResponseEnded => "the server closed the connection without a complete answer",
            HttpRequestError.InvalidResponse => $"the server's answer is not valid HTTP: {Innermost(e).Message}",
            _ => socket is not null ? Socket(socket) : Innermost(e).Message,
        };
    }

    public static string Describe(IOException e) => Inner<SocketException>(e) is { } socket ? Socket(socket) : Innermost(e).Message;

    public static string Socket(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset by the server",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.TimedOut => "connection timed out",
        SocketError.HostNotFound or SocketError.NoData => "host name could not be resolved",
        _ => e.Message,
    };

    private static string Because(SocketException? socket) => socket is null ? "" : $" ({socket.Message})";

    private static T? Inner<T>(Exception e) where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
            if (current is T found) return found;
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
