using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Opsmith.Core.Checks;
using Opsmith.Core.Skills;
using Opsmith.Core.Text;

namespace Opsmith.Execution.Checks;

/// <summary>
/// Sends one HTTP request from this machine and compares the status (and optionally the body) with the probe.
/// Redirects are handled by the given client's handler: with the default handler they are followed, so the status
/// compared is the final one; the Detail then names where the request ended up.
/// </summary>
public sealed class HttpCheck(HttpClient client)
{
    /// <summary>Enough for any health page; a larger body is read no further, so a huge download cannot stall a check.</summary>
    public const int BodyReadLimit = 1024 * 1024;

    /// <summary>What later steps see of the body through <c>body</c>.</summary>
    public const int BodyFieldLimit = 64 * 1024;

    public async Task<CheckOutcome> RunAsync(HttpProbe probe, TimeSpan timeout, CancellationToken ct)
    {
        var method = probe.Method.Trim().ToUpperInvariant();
        var what = $"{method} {probe.Url}";
        var fields = new Dictionary<string, string>();
        if (!HttpExchange.TryAbsoluteUrl(probe.Url, out var url))
            return CheckOutcome.Fail($"{what}: '{probe.Url}' is not an absolute http:// or https:// URL", fields);
        if (method.Length == 0 || method.Any(c => !char.IsAsciiLetter(c)))
            return CheckOutcome.Fail($"{what}: '{probe.Method}' is not an HTTP method", fields);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            var (body, truncated) = await HttpExchange.ReadBodyAsync(response.Content, BodyReadLimit, deadline.Token);
            fields["status"] = status.ToString(CultureInfo.InvariantCulture);
            fields["body"] = body.Length <= BodyFieldLimit ? body : body[..BodyFieldLimit];

            var answered = $"{what} answered {status}{HttpExchange.Redirected(url, response)}";
            if (status != probe.ExpectStatus)
                return CheckOutcome.Fail($"{answered}, expected {probe.ExpectStatus}{Excerpt(body)}", fields);
            if (probe.BodyContains is { } wanted)
            {
                if (!body.Contains(wanted, StringComparison.Ordinal))
                {
                    var scope = truncated ? $"the first {BodyReadLimit / 1024 / 1024} MiB of the body" : "the body";
                    return CheckOutcome.Fail($"{answered} but {scope} does not contain '{wanted}'{Excerpt(body)}", fields);
                }
                return CheckOutcome.Pass($"{answered}, body contains '{wanted}'", fields);
            }
            return CheckOutcome.Pass(answered, fields);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return CheckOutcome.Fail($"{what} timed out after {HttpExchange.Limit(deadline, timeout, client)}, expected {probe.ExpectStatus}", fields);
        }
        catch (HttpRequestException e)
        {
            return CheckOutcome.Fail($"{what} failed: {HttpExchange.Describe(e)}, expected {probe.ExpectStatus}", fields);
        }
        catch (IOException e)
        {
            return CheckOutcome.Fail($"{what} failed while reading the answer: {HttpExchange.Describe(e)}, expected {probe.ExpectStatus}", fields);
        }
    }

    private static string Excerpt(string body)
    {
        var line = string.Join(' ', body.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (line.Length == 0) return " (empty body)";
        return line.Length <= 120 ? $" (body: '{line}')" : $" (body: '{line[..120]}…')";
    }
}

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
