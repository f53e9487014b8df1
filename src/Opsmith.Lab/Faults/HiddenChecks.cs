using System.Globalization;
using Opsmith.Core.Rendering;
using Opsmith.Execution.Processes;
using Opsmith.Lab.Hosts;

namespace Opsmith.Lab.Faults;

/// <summary>The outcome of one hidden check on one host.</summary>
public sealed record HiddenCheckResult(string Host, string Check, bool Healthy, string Detail, TimeSpan Duration);

/// <summary>
/// The lab's hidden checks: what a user (or a monitor the agent cannot see) observes about each node, run
/// from outside the node — from the bastion's network, or from this machine for resource use — never by
/// the agent under test. Each says whether one user-visible property holds.
/// </summary>
public sealed class HiddenChecks(LabLayout lab)
{
    private readonly LabShell _shell = new(lab);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <summary>Largest resident memory one process of a node may hold before the memory check goes red.</summary>
    public const long MemoryLimitBytes = 400L * 1024 * 1024;
    /// <summary>CPU a node's processes may want (in cores, per one-second window) before the cpu check goes red; see <see cref="CpuAsync"/>.</summary>
    public const double CpuLimitCores = 0.8;

    /// <summary>Every check name, with what it observes.</summary>
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        ["web"] = "the page and its 256 KiB asset load over HTTP within 3 s each",
        ["api"] = "the rate-limiter API answers 200 through nginx (nginx → demo service → redis)",
        ["journal"] = "the demo service can write a 4 KiB event to its journal on the node's disk",
        ["tls"] = "HTTPS with a certificate valid now, signed by the lab CA",
        ["ssh"] = "sshd accepts connections and sends its banner",
        ["mesh"] = "the node reaches every other node's web server, and they reach it",
        ["cpu"] = $"the node's processes want less than {CpuLimitCores} of a core (time on a CPU plus time waiting for one) in at least one of three one-second windows",
        ["memory"] = $"no process on the node holds more than {MemoryLimitBytes / 1024 / 1024} MiB",
        ["postgres"] = "the app user can connect to PostgreSQL and run a query",
    };

    /// <summary>The checks that apply to a host (the bastion has none: it is the vantage point).</summary>
    public static IReadOnlyList<string> For(LabHost host)
    {
        if (host.Is(HostRoles.Bastion)) return [];
        var checks = new List<string> { "web", "api", "journal", "tls", "ssh", "mesh", "cpu", "memory" };
        if (host.Is(HostRoles.Postgres)) checks.Add("postgres");
        return checks;
    }

    public async Task<IReadOnlyList<HiddenCheckResult>> RunAllAsync(CancellationToken cancellationToken)
    {
        var perNode = await Task.WhenAll(lab.Nodes.Select(node => RunAsync(node, For(node), cancellationToken)));
        return perNode.SelectMany(r => r).ToList();
    }

    /// <summary>Runs every check until all are green or <paramref name="limit"/> has passed; returns the last results.</summary>
    public async Task<IReadOnlyList<HiddenCheckResult>> WaitForGreenAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var results = await RunAllAsync(cancellationToken);
            if (results.All(r => r.Healthy) || DateTime.UtcNow > deadline) return results;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<HiddenCheckResult>> RunAsync(LabHost host, IEnumerable<string> checks, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(checks.Select(check => RunOneAsync(host, check, cancellationToken)));
        return results;
    }

    private async Task<HiddenCheckResult> RunOneAsync(LabHost host, string check, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (healthy, detail) = check switch
        {
            "cpu" => await CpuAsync(host, cancellationToken),
            "memory" => await MemoryAsync(host, cancellationToken),
            "mesh" => await FromAsync(host, MeshScript(host), cancellationToken),
            _ => await FromAsync(lab.Bastion, ProbeScript(host, check), cancellationToken),
        };
        return new HiddenCheckResult(host.Name, check, healthy, detail, started.Elapsed);
    }

    private async Task<(bool, string)> FromAsync(LabHost vantage, string script, CancellationToken cancellationToken)
    {
        var result = await _shell.InNetworkOfAsync(vantage, script, Limit, cancellationToken);
        var said = (result.Succeeded ? result.Stdout : result.Stderr.Trim().Length > 0 ? result.Stderr : result.Stdout).Trim();
        if (said.Length > 300) said = said[..300] + "...";
        if (result.TimedOut) said = "no answer within 20 s";
        return (result.Succeeded, said.Length > 0 ? said : result.Succeeded ? "ok" : $"exit code {result.ExitCode}");
    }

    private string ProbeScript(LabHost host, string check)
    {
        var a = host.Address;
        var ca = ShellQuote.Quote(lab.CaCertificatePath);
        return check switch
        {
            "web" => $$"""
                curl -sS -f -m 3 -o /dev/null -w 'page %{http_code} in %{time_total}s' http://{{a}}/ || exit 1
                echo
                curl -sS -f -m 3 -o /dev/null -w 'asset %{http_code} in %{time_total}s' http://{{a}}/assets/app.js || exit 1
                """,
            "api" => $$"""curl -sS -m 6 -w ' (HTTP %{http_code})' --fail-with-body http://{{a}}/api/limit/hidden-check""",
            // 4 KiB and more: an append that needs a new page, so a full tmpfs refuses it (a short line could fit the last page).
            "journal" => $$"""head -c 4090 /dev/zero | tr '\0' 'x' | curl -sS -m 6 -w ' (HTTP %{http_code})' --fail-with-body -X POST --data-binary @- http://{{a}}/api/events""",
            "tls" => $$"""curl -sS -m 4 -o /dev/null -w 'HTTPS %{http_code}' --cacert {{ca}} --resolve {{host.Name}}:443:{{a}} https://{{host.Name}}/""",
            "ssh" => $"banner=$(timeout 3 bash -c 'exec 3<>/dev/tcp/{a}/22 && head -c 8 <&3') || {{ echo 'no connection to port 22' >&2; exit 1; }}; " +
                     "case $banner in SSH-*) echo \"banner $banner\" ;; *) echo \"no SSH banner\" >&2; exit 1 ;; esac",
            "postgres" => $"PGCONNECT_TIMEOUT=3 timeout 6 psql -X -At -h {a} -U app -d app -c 'select 1' 2>&1 >/dev/null | head -n 3 >&2; " +
                          $"PGCONNECT_TIMEOUT=3 timeout 6 psql -X -At -h {a} -U app -d app -c 'select 1' >/dev/null 2>&1 && echo 'query ok'",
            _ => throw new ArgumentException($"unknown hidden check '{check}'", nameof(check)),
        };
    }

    /// <summary>From inside the node: reach each other node; then from each other node, reach this one.</summary>
    private string MeshScript(LabHost host)
    {
        var others = lab.Nodes.Where(n => n != host).ToList();
        if (others.Count == 0) return "echo 'no other nodes'";
        var probes = string.Join("\n", others.Select(o =>
            $"curl -s -f -m 2 -o /dev/null http://{o.Address}/ || {{ echo '{host.Name} cannot reach {o.Name}' >&2; bad=1; }}"));
        var back = string.Join("\n", others.Select(o =>
            $"nsenter --net=/run/netns/{o.Namespace} curl -s -f -m 2 -o /dev/null http://{host.Address}/ || {{ echo '{o.Name} cannot reach {host.Name}' >&2; bad=1; }}"));
        return $"bad=0\n{probes}\n{back}\n[ $bad = 0 ] && echo 'all nodes reachable both ways'\nexit $bad";
    }

    /// <summary>
    /// How much CPU the node's processes want: time on a CPU plus time runnable but waiting for one, from each
    /// thread's schedstat. On a machine shared with other work a hog gets only its share of the cores, so time
    /// used alone would let a hog pass as green whenever the machine is busy; a spinning thread wants a whole
    /// core however busy the machine is. A runaway process wants the CPU all the time, while a service that
    /// has just started (a JIT at work, a busy neighbour stretching its run-queue waits) wants it for a moment:
    /// the node is red only when every one of <see cref="CpuWindows"/> consecutive one-second windows is over.
    /// </summary>
    private async Task<(bool, string)> CpuAsync(LabHost host, CancellationToken cancellationToken)
    {
        var detail = "";
        for (var window = 0; window < CpuWindows; window++)
        {
            (var cores, detail) = await CpuWindowAsync(host, cancellationToken);
            if (cores < CpuLimitCores) return (true, detail);
        }
        return (false, detail);
    }

    /// <summary>How many consecutive windows must all be over the limit before the CPU check is red.</summary>
    private const int CpuWindows = 3;

    private static async Task<(double Cores, string Detail)> CpuWindowAsync(LabHost host, CancellationToken cancellationToken)
    {
        var first = await CpuDemandAsync(host, cancellationToken);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(1000, cancellationToken);
        var second = await CpuDemandAsync(host, cancellationToken);
        var elapsedNs = watch.Elapsed.TotalSeconds * 1e9;
        var nanoseconds = second.Sum(p => first.TryGetValue(p.Key, out var before) ? Math.Max(0, p.Value.Nanoseconds - before.Nanoseconds) : 0);
        var cores = nanoseconds / elapsedNs;
        var busiest = second.Where(p => first.ContainsKey(p.Key))
            .OrderByDescending(p => p.Value.Nanoseconds - first[p.Key].Nanoseconds).FirstOrDefault();
        var detail = string.Create(CultureInfo.InvariantCulture, $"{cores:0.00} cores wanted");
        if (busiest.Value.Name is { } name) detail += $" (busiest: pid {busiest.Key} {name})";
        return (cores, detail);
    }

    private async Task<(bool, string)> MemoryAsync(LabHost host, CancellationToken cancellationToken)
    {
        var biggest = (Pid: 0, Name: "", Bytes: 0L);
        foreach (var pid in await PidsAsync(host, cancellationToken))
        {
            try
            {
                var status = await File.ReadAllLinesAsync($"/proc/{pid}/status", cancellationToken);
                var rss = status.FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                var name = status.FirstOrDefault(l => l.StartsWith("Name:", StringComparison.Ordinal))?[5..].Trim() ?? "?";
                if (rss is null) continue;
                var kb = long.Parse(rss[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                if (kb * 1024 > biggest.Bytes) biggest = (pid, name, kb * 1024);
            }
            catch (IOException) { }
        }
        var detail = $"largest process: pid {biggest.Pid} {biggest.Name} {biggest.Bytes / 1024 / 1024} MiB";
        return (biggest.Bytes < MemoryLimitBytes, detail);
    }

    /// <summary>Per process of the node: its name and the nanoseconds its threads ran or waited to run (schedstat).</summary>
    private static async Task<Dictionary<int, (string Name, long Nanoseconds)>> CpuDemandAsync(LabHost host, CancellationToken cancellationToken)
    {
        var demand = new Dictionary<int, (string, long)>();
        foreach (var pid in await PidsAsync(host, cancellationToken))
        {
            try
            {
                var name = (await File.ReadAllTextAsync($"/proc/{pid}/comm", cancellationToken)).Trim();
                long nanoseconds = 0;
                foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
                {
                    // "time on a CPU, time waiting on a run queue, time slices", in nanoseconds.
                    var fields = (await File.ReadAllTextAsync(Path.Combine(task, "schedstat"), cancellationToken)).Split(' ');
                    nanoseconds += long.Parse(fields[0], CultureInfo.InvariantCulture) + long.Parse(fields[1], CultureInfo.InvariantCulture);
                }
                demand[pid] = (name, nanoseconds);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // the process or a thread ended meanwhile
        }
        return demand;
    }

    private static async Task<IReadOnlyList<int>> PidsAsync(LabHost host, CancellationToken cancellationToken)
    {
        var result = await LocalProcess.RunAsync("ip", ["netns", "pids", host.Namespace], Limit, cancellationToken);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, out var p) ? p : 0).Where(p => p > 0).ToList();
    }
}
