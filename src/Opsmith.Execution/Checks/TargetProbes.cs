using System.Globalization;
using System.Text.RegularExpressions;
using Opsmith.Core.Checks;
using Opsmith.Core.Rendering;
using Opsmith.Core.Skills;

namespace Opsmith.Execution.Checks;

/// <summary>
/// An http, tcp or prometheus check made <b>from the target</b> (<c>from: target</c>): the shell command that makes
/// it there, and how its result reads. The command runs as a read through the executor like any other (policy,
/// audit, read sandbox), so hosts behind a jump host can be checked from where they are: curl for HTTP and the
/// Prometheus API, bash's <c>/dev/tcp</c> for a TCP connect. The answers are compared exactly as checks made from
/// this machine are (<see cref="HttpCheck.Compare"/>, <see cref="PrometheusCheck.Compare"/>).
/// </summary>
internal static partial class TargetProbes
{
    /// <summary>curl prints the status code on a line of its own after the body.</summary>
    private const string StatusLine = "-w '\\n%{http_code}'";

    private static string Seconds(TimeSpan timeout) =>
        Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public static string? HttpCommand(HttpProbe probe, TimeSpan timeout)
    {
        if (!HttpExchange.TryAbsoluteUrl(probe.Url, out _)) return null;
        var method = probe.Method.Trim().ToUpperInvariant() == "HEAD" ? "--head" : "-X GET";
        return $"curl -sS -L --max-time {Seconds(timeout)} {StatusLine} {method} -- {ShellQuote.Quote(probe.Url.Trim())}";
    }

    public static CheckOutcome Http(HttpProbe probe, int exitCode, string stdout, string stderr)
    {
        var what = $"{probe.Method.Trim().ToUpperInvariant()} {probe.Url} (from the target)";
        var fields = new Dictionary<string, string>();
        var (body, status) = SplitStatus(stdout);
        if (exitCode != 0 || status is null or 0)
            return CheckOutcome.Fail($"{what} failed: {Curl(exitCode, stderr)}, expected {probe.ExpectStatus}", fields);
        var truncated = body.Length > HttpCheck.BodyReadLimit;
        if (truncated) body = body[..HttpCheck.BodyReadLimit];
        fields["status"] = status.Value.ToString(CultureInfo.InvariantCulture);
        fields["body"] = body.Length <= HttpCheck.BodyFieldLimit ? body : body[..HttpCheck.BodyFieldLimit];
        return HttpCheck.Compare(probe, $"{what} answered {status}", status.Value, body, truncated, fields);
    }

    /// <summary>A connect with bash's /dev/tcp: exit 0 connected, 124 no answer in time, anything else refused or unreachable.</summary>
    public static string? TcpCommand(TcpProbe probe, TimeSpan timeout)
    {
        var host = probe.Host.Trim();
        if (!HostName().IsMatch(host) || !int.TryParse(probe.Port.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return null;
        return $"timeout {Seconds(timeout)} bash -c ': </dev/tcp/$0/$1' {ShellQuote.Quote(host)} {port.ToString(CultureInfo.InvariantCulture)}";
    }

    public static CheckOutcome Tcp(TcpProbe probe, int exitCode, string stderr, TimeSpan timeout)
    {
        var target = $"tcp {probe.Host.Trim()}:{probe.Port.Trim()} (from the target)";
        var expected = probe.Expect == TcpExpectation.Open ? "open" : "closed";
        var open = exitCode == 0;
        var why = exitCode == 124 ? $"no answer within {Seconds(timeout)}s: filtered or host down" : LastLine(stderr) is { Length: > 0 } said ? said : $"exit code {exitCode}";
        var fields = new Dictionary<string, string> { ["open"] = open ? "true" : "false" };
        var seen = open ? "is open" : $"is closed ({why})";
        return open == (probe.Expect == TcpExpectation.Open)
            ? CheckOutcome.Pass($"{target} {seen}", fields)
            : CheckOutcome.Fail($"{target} {seen}, expected {expected}", fields);
    }

    public static string? PrometheusCommand(PrometheusProbe probe, TimeSpan timeout)
    {
        if (!HttpExchange.TryAbsoluteUrl(probe.Url, out var server)) return null;
        var url = $"{server.AbsoluteUri.TrimEnd('/')}/api/v1/query";
        return $"curl -sS -G --max-time {Seconds(timeout)} {StatusLine} --data-urlencode {ShellQuote.Quote("query=" + probe.Query)} -- {ShellQuote.Quote(url)}";
    }

    public static CheckOutcome Prometheus(PrometheusProbe probe, int exitCode, string stdout, string stderr)
    {
        var (body, status) = SplitStatus(stdout);
        if (exitCode != 0 || status is null or 0)
            return CheckOutcome.Fail($"prometheus query '{probe.Query}' (from the target): prometheus at {probe.Url.Trim().TrimEnd('/')} could not be reached: {Curl(exitCode, stderr)}",
                new Dictionary<string, string>());
        return PrometheusCheck.Compare(probe, body, status.Value);
    }

    private static (string Body, int? Status) SplitStatus(string stdout)
    {
        var cut = stdout.LastIndexOf('\n');
        var last = (cut < 0 ? stdout : stdout[(cut + 1)..]).Trim();
        var status = int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : (int?)null;
        return (cut < 0 ? "" : stdout[..cut], status);
    }

    private static string Curl(int exitCode, string stderr) => LastLine(stderr) is { Length: > 0 } said ? said : exitCode switch
    {
        6 => "the host name could not be resolved",
        7 => "connection refused",
        28 => "no answer in time",
        127 => "curl is not installed on the target",
        _ => $"curl exited with {exitCode}",
    };

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

    /// <summary>An address or host name; anything else is not put on a command line.</summary>
    [GeneratedRegex("^[A-Za-z0-9._:-]{1,253}$")]
    private static partial Regex HostName();
}
