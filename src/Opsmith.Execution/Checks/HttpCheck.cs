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
        // A check only looks. Validation refuses other methods; this holds for a probe built any other way too.
        if (method is not ("GET" or "HEAD"))
            return CheckOutcome.Fail($"{what}: a check may only GET or HEAD; a request that changes something is an action", fields);

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

            return Compare(probe, $"{what} answered {status}{HttpExchange.Redirected(url, response)}", status, body, truncated, fields);
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

    /// <summary>Compares an answer with the probe, wherever the request was made from (this machine or the target).</summary>
    internal static CheckOutcome Compare(HttpProbe probe, string answered, int status, string body, bool truncated, Dictionary<string, string> fields)
    {
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

    private static string Excerpt(string body)
    {
        var line = string.Join(' ', body.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (line.Length == 0) return " (empty body)";
        return line.Length <= 120 ? $" (body: '{line}')" : $" (body: '{line[..120]}…')";
    }
}
