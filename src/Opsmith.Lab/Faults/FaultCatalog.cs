using System.Text.RegularExpressions;
using Opsmith.Core.Rendering;
using Opsmith.Lab.Hosts;

namespace Opsmith.Lab.Faults;

/// <summary>A parameter a fault takes, with its default and a validator that returns a problem or null.</summary>
/// <param name="DefaultFor">A default that depends on the lab and host; used instead of <paramref name="Default"/> when set.</param>
public sealed record FaultParameter(string Name, string Default, string Description, Func<string, LabLayout, LabHost, string?> Validate,
    Func<LabLayout, LabHost, string>? DefaultFor = null);

/// <summary>What a fault script runs with: the lab, the host, the parameters (defaults filled in).</summary>
public sealed record FaultContext(LabLayout Lab, LabHost Host, IReadOnlyDictionary<string, string> Params, IReadOnlyList<string> OpsmithCommand)
{
    public string this[string name] => Params[name];
}

/// <summary>A catalog skill that is expected to mitigate a fault, with its inputs (besides <c>host</c>).</summary>
public sealed record RecoverySkill(string Skill, IReadOnlyDictionary<string, string> Inputs);

/// <summary>
/// One fault type: how it is injected and recovered (shell scripts run inside the host, as root, by the lab
/// — not through the executor, since the lab is the environment, not the agent) and which hidden checks it
/// turns red.
/// </summary>
/// <param name="Mechanism">How the fault is made, in one sentence (shown by <c>lab faults</c>).</param>
/// <param name="Requires">Roles the host must have.</param>
public sealed record Fault(
    string Name,
    string Summary,
    string Mechanism,
    HostRoles Requires,
    IReadOnlyList<FaultParameter> Parameters,
    Func<FaultContext, IReadOnlyList<string>> Checks,
    Func<FaultContext, string> Inject,
    Func<FaultContext, string> Recover,
    Func<FaultContext, RecoverySkill?> Skill);

/// <summary>The lab's fault catalog (see docs/lab.md for each fault's symptoms).</summary>
public static class FaultCatalog
{
    private const string Faults = "/run/opsmith-lab/faults";

    /// <summary>The services faults can crash or hang, and their units.</summary>
    public static readonly IReadOnlyDictionary<string, (string Unit, HostRoles Role, string[] Checks)> Services =
        new Dictionary<string, (string, HostRoles, string[])>
        {
            ["demo"] = ("opsmith-demo.service", HostRoles.Demo, ["api", "journal"]),
            ["nginx"] = ("nginx.service", HostRoles.Web, ["web", "api"]),
            ["redis"] = ("redis-server.service", HostRoles.Redis, ["api"]),
            ["postgresql"] = ("postgresql.service", HostRoles.Postgres, ["postgres"]),
        };

    private static FaultParameter ServiceParameter(string verb) => new("service", "demo",
        $"which service to {verb}: {string.Join(", ", Services.Keys)}",
        (value, _, host) => !Services.TryGetValue(value, out var s)
            ? $"service must be one of {string.Join(", ", Services.Keys)}"
            : host.Is(s.Role) ? null : $"{host.Name} does not run {value}");

    private static FaultParameter IntParameter(string name, string fallback, int min, int max, string description) => new(name, fallback, description,
        (value, _, _) => int.TryParse(value, out var n) && n >= min && n <= max ? null : $"{name} must be a whole number from {min} to {max}");

    private static string MainPid(string unit) =>
        $"PidFile=; . /run/opsmith-lab/units/{unit}; pid=$(head -n 1 \"$PidFile\" 2>/dev/null | tr -dc 0-9); " +
        $"[ -n \"$pid\" ] || {{ echo '{unit} is not running' >&2; exit 1; }}";

    /// <summary>Starts a background process group whose leader's PID goes to <c>faults/NAME.pid</c>.</summary>
    private static string Spawn(string name, string command) =>
        $"mkdir -p {Faults}; setsid -f sh -c {ShellQuote.Quote($"echo $$ >>{Faults}/{name}.pid; {command}")} </dev/null >/dev/null 2>&1";

    private static string KillSpawned(string name) =>
        $"if [ -f {Faults}/{name}.pid ]; then for g in $(cat {Faults}/{name}.pid); do kill -9 -\"$g\" 2>/dev/null; done; rm -f {Faults}/{name}.pid; fi";

    /// <summary>Polls a shell condition every 0.1 s until it holds, for up to 30 s; then fails the injection with a message.</summary>
    private static string WaitUntil(string condition, string failure) =>
        $"i=0; until {condition}; do [ \"$i\" -lt 300 ] || {{ echo {ShellQuote.Quote(failure)} >&2; exit 1; }}; sleep 0.1; i=$((i + 1)); done";

    private static string Opsmith(FaultContext c) => string.Join(' ', c.OpsmithCommand.Select(ShellQuote.Quote));

    private static readonly string DiskUse = "df -P /var | awk 'NR == 2 { sub(\"%\", \"\", $5); print $5 }'";

    public static readonly IReadOnlyList<Fault> All =
    [
        new("none", "No fault (control): nothing is injected; every hidden check must stay green.",
            "nothing", HostRoles.None, [],
            c => HiddenChecks.For(c.Host), _ => "true", _ => "true", _ => null),

        new("service-crash", "A service dies (SIGKILL to it and its children).",
            "kill -KILL of the unit's main process and its children", HostRoles.None, [ServiceParameter("crash")],
            c => Services[c["service"]].Checks,
            // Stopped first, so a master process (nginx, PostgreSQL) cannot replace the children killed next.
            c => $"{MainPid(Services[c["service"]].Unit)}\nkill -STOP \"$pid\"; pkill -KILL -P \"$pid\" 2>/dev/null; kill -KILL \"$pid\"",
            c => $"systemctl start {Services[c["service"]].Unit}",
            c => ServiceSkill(c["service"])),

        new("service-hang", "A service hangs: its processes are stopped (SIGSTOP) and hold their sockets without answering.",
            "kill -STOP of the unit's main process and its children", HostRoles.None, [ServiceParameter("hang")],
            c => Services[c["service"]].Checks,
            c => $"{MainPid(Services[c["service"]].Unit)}\npkill -STOP -P \"$pid\" 2>/dev/null; kill -STOP \"$pid\"",
            c => $"{MainPid(Services[c["service"]].Unit)}\nkill -CONT \"$pid\"; pkill -CONT -P \"$pid\" 2>/dev/null; true",
            c => ServiceSkill(c["service"])),

        new("disk-full", "The host's disk (/var, a tmpfs) is filled with old rotated logs until writes fail with ENOSPC.",
            "32 MiB files /var/log/opsmith-demo/service.log.N.gz dated 30 days back, written until the filesystem is full",
            HostRoles.Demo, [],
            _ => ["journal"],
            _ => $"""
                i=1
                while [ "$i" -le 200 ]; do
                  dd if=/dev/zero of=/var/log/opsmith-demo/service.log.$i.gz bs=1M count=32 2>/dev/null || break
                  i=$((i + 1))
                done
                touch -d '30 days ago' /var/log/opsmith-demo/service.log.*.gz
                echo "disk use $({DiskUse})%"
                """,
            _ => "rm -f /var/log/opsmith-demo/service.log.*.gz",
            _ => new RecoverySkill("cleanup-rotated-logs", new Dictionary<string, string> { ["path"] = "/var/log", ["older_than_days"] = "7" })),

        new("log-explosion", "A runaway debug log: a process appends to /var/log/opsmith-demo/debug.log as fast as it can and keeps the disk full.",
            "a shell loop appending 4 MiB of log lines at a time; it retries every second once the disk is full",
            HostRoles.Demo, [],
            _ => ["journal"],
            _ => $$"""
                {{Spawn("log-explosion", "while :; do yes \"$(date -u +%FT%TZ) DEBUG opsmith-demo cache probe key=session:4711 hit=false\" | head -c 4194304 >>/var/log/opsmith-demo/debug.log 2>/dev/null || sleep 1; done")}}
                i=0
                while [ "$i" -lt 150 ] && [ "$({{DiskUse}})" -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
                echo "disk use $({{DiskUse}})%"
                """,
            _ => $"{KillSpawned("log-explosion")}\nrm -f /var/log/opsmith-demo/debug.log",
            _ => null),

        new("network-partition", "Two nodes cannot talk: every packet between the host and its peer is dropped.",
            "iptables DROP rules (chain OPSMITH-LAB-PARTITION) in the host's namespace, both directions",
            HostRoles.None,
            [new("peer", "", "the other node (default: the next node)", (value, lab, host) =>
                lab.Find(value) is not { } peer || peer.Is(HostRoles.Bastion) ? $"peer must be a node of the lab ({string.Join(", ", lab.Nodes.Select(n => n.Name))})"
                : peer == host ? "peer must be another node than the host" : null,
                NextNode)],
            _ => ["mesh"],
            c =>
            {
                var peer = c.Lab.Find(c["peer"])!.Address;
                return $"""
                    iptables -N OPSMITH-LAB-PARTITION 2>/dev/null || iptables -F OPSMITH-LAB-PARTITION
                    iptables -A OPSMITH-LAB-PARTITION -s {peer} -j DROP
                    iptables -A OPSMITH-LAB-PARTITION -d {peer} -j DROP
                    iptables -C INPUT -j OPSMITH-LAB-PARTITION 2>/dev/null || iptables -I INPUT -j OPSMITH-LAB-PARTITION
                    iptables -C OUTPUT -j OPSMITH-LAB-PARTITION 2>/dev/null || iptables -I OUTPUT -j OPSMITH-LAB-PARTITION
                    """;
            },
            _ => """
                iptables -D INPUT -j OPSMITH-LAB-PARTITION 2>/dev/null
                iptables -D OUTPUT -j OPSMITH-LAB-PARTITION 2>/dev/null
                iptables -F OPSMITH-LAB-PARTITION 2>/dev/null
                iptables -X OPSMITH-LAB-PARTITION 2>/dev/null
                true
                """,
            _ => null),

        new("latency", "A slow, congested link: the host's network is throttled so pages take many seconds.",
            "tc tbf rate limit on the host's eth0 (netem is not available on these kernels)", HostRoles.None,
            [new("rate", "64kbit", "the link's rate (tc syntax, such as 64kbit or 1mbit)", (value, _, _) =>
                Regex.IsMatch(value, "^[1-9][0-9]{0,5}(kbit|mbit)$") ? null : "rate must look like 64kbit or 2mbit")],
            _ => ["web"],
            c => $"tc qdisc replace dev eth0 root tbf rate {c["rate"]} burst 16kb latency 2s",
            _ => "tc qdisc del dev eth0 root 2>/dev/null; true",
            _ => null),

        new("nginx-bad-config", "A bad nginx change is reloaded: the API upstream points at a port nothing listens on (502s).",
            "sed on /etc/nginx/conf.d/opsmith-lab.conf (upstream 8080 → 8089), then nginx -s reload", HostRoles.Web, [],
            _ => ["api"],
            // A reload only signals nginx; the fault is in place once the new workers answer with 502.
            _ => "sed -i 's/server 127.0.0.1:8080;/server 127.0.0.1:8089;/' /etc/nginx/conf.d/opsmith-lab.conf && nginx -s reload\n" +
                 WaitUntil("[ \"$(curl -s -o /dev/null -m 2 -w '%{http_code}' http://127.0.0.1/api/limit/fault-probe)\" = 502 ]", "nginx did not answer 502 for the API after the reload"),
            _ => "sed -i 's/server 127.0.0.1:8089;/server 127.0.0.1:8080;/' /etc/nginx/conf.d/opsmith-lab.conf\n" +
                 "if systemctl is-active --quiet nginx; then nginx -s reload; else systemctl start nginx; fi",
            _ => null),

        new("redis-paused", "Redis stops taking writes: clients are paused for an hour, so every write waits (reads and PING still answer).",
            "redis-cli CLIENT PAUSE 3600000 WRITE (a pause of ALL would block CLIENT UNPAUSE too)", HostRoles.Redis, [],
            _ => ["api"],
            _ => "redis-cli -p 6379 CLIENT PAUSE 3600000 WRITE",
            _ => "redis-cli -p 6379 CLIENT UNPAUSE >/dev/null 2>&1; true",
            _ => new RecoverySkill("restart-redis", new Dictionary<string, string>())),

        new("redis-oom", "Redis is out of memory: maxmemory is set below its data with noeviction, so every write fails with OOM.",
            "redis-cli CONFIG SET maxmemory 1 (policy noeviction)", HostRoles.Redis, [],
            _ => ["api"],
            _ => "redis-cli -p 6379 CONFIG SET maxmemory-policy noeviction >/dev/null && redis-cli -p 6379 CONFIG SET maxmemory 1",
            _ => "redis-cli -p 6379 CONFIG SET maxmemory 0 >/dev/null 2>&1; true",
            _ => new RecoverySkill("restart-redis", new Dictionary<string, string>())),

        new("postgres-connections", "PostgreSQL connection exhaustion: idle-in-transaction sessions hold every non-reserved slot.",
            "psql sessions that run BEGIN; SELECT 1 and then wait, added one at a time until the app user is refused", HostRoles.Postgres, [],
            _ => ["postgres"],
            // Counting free slots up front races with every other connection (a hidden check, the count's own
            // session), so the fault adds holders until PostgreSQL refuses the app user, which is the symptom.
            // Each holder is its own detached session in the host: it outlives this script and stays until killed.
            _ => $$"""
                held() { psql -X -At -h /run/postgresql -U postgres -d postgres -c "select count(*) from pg_stat_activity where usename = 'app' and state = 'idle in transaction'"; }
                refused() { ! PGCONNECT_TIMEOUT=3 psql -X -q -At -h 127.0.0.1 -U app -d app -c 'select 1' >/dev/null 2>&1; }
                i=0
                while [ "$i" -lt 100 ] && ! refused; do
                  before=$(held)
                  {{Spawn("postgres-connections", "{ echo 'begin; select 1;'; exec sleep 2147483647; } | psql -X -q -h 127.0.0.1 -U app -d app")}}
                  j=0
                  while [ "$j" -lt 50 ] && [ "$(held)" -le "$before" ]; do sleep 0.1; j=$((j + 1)); done
                  i=$((i + 1))
                done
                refused || { echo "PostgreSQL still takes connections of the app user after $(held) holders" >&2; exit 1; }
                echo "$(held) idle-in-transaction sessions hold every non-reserved slot"
                """,
            _ => $"{KillSpawned("postgres-connections")}\n" +
                 "psql -X -q -At -h /run/postgresql -U postgres -d postgres -c \"select pg_terminate_backend(pid) from pg_stat_activity where usename = 'app'\" >/dev/null 2>&1; true",
            _ => new RecoverySkill("terminate-idle-in-transaction", new Dictionary<string, string> { ["min_idle_seconds"] = "1" })),

        new("cpu-hog", "A runaway process burns CPU.",
            "opsmith lab hog cpu: busy threads", HostRoles.None,
            [IntParameter("threads", "2", 1, 8, "busy threads")],
            _ => ["cpu"],
            // In place once every hog thread runs (the hog's start-up takes seconds on a busy machine).
            c => Spawn("cpu-hog", $"exec {Opsmith(c)} lab hog cpu --threads {c["threads"]}") + "\n" +
                 WaitUntil($"[ \"$(cat /proc/$(head -n 1 {Faults}/cpu-hog.pid)/task/*/comm 2>/dev/null | grep -c '^opsmith-cpu-ho')\" -ge {c["threads"]} ]",
                     "the CPU hog's threads did not start"),
            _ => KillSpawned("cpu-hog"),
            _ => null),

        new("memory-hog", "A runaway process holds a lot of memory.",
            "opsmith lab hog memory: allocates and touches the given MiB", HostRoles.None,
            [IntParameter("megabytes", "600", 450, 8192, "MiB to hold (above the memory check's 400 MiB limit)")],
            _ => ["memory"],
            c => $$"""
                {{Spawn("memory-hog", $"exec {Opsmith(c)} lab hog memory --megabytes {c["megabytes"]}")}}
                i=0
                while [ "$i" -lt 300 ]; do
                  pid=$(head -n 1 {{Faults}}/memory-hog.pid 2>/dev/null)
                  kb=$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status 2>/dev/null)
                  [ "${kb:-0}" -ge {{int.Parse(c["megabytes"]) * 1024 * 9 / 10}} ] && { echo "holding ${kb} kB"; exit 0; }
                  sleep 0.1; i=$((i + 1))
                done
                echo "the memory hog did not reach its size within 30 s" >&2; exit 1
                """,
            _ => KillSpawned("memory-hog"),
            _ => null),

        new("tls-expired", "nginx serves an expired TLS certificate.",
            "the lab CA's certificate for the host that expired 30 days ago replaces the valid one; nginx -s reload", HostRoles.Web, [],
            _ => ["tls"],
            c => "cd /etc/nginx/tls && cp expired.crt server.crt && cp expired.key server.key && nginx -s reload\n" +
                 WaitUntil($"! curl -s -o /dev/null -m 2 --cacert {ShellQuote.Quote(c.Lab.CaCertificatePath)} --resolve {c.Host.Name}:443:127.0.0.1 https://{c.Host.Name}/",
                     "nginx still serves a valid certificate after the reload"),
            _ => "cd /etc/nginx/tls && cp valid.crt server.crt && cp valid.key server.key\n" +
                 "if systemctl is-active --quiet nginx; then nginx -s reload; else systemctl start nginx; fi",
            _ => null),

        new("sshd-killed", "The host's sshd is killed: the host is unreachable over SSH (sessions already open survive).",
            "kill -KILL of the sshd listener", HostRoles.None, [],
            _ => ["ssh"],
            _ => $"{MainPid("ssh.service")}\nkill -KILL \"$pid\"",
            _ => "systemctl start ssh",
            _ => null),
    ];

    private static RecoverySkill ServiceSkill(string service) => service switch
    {
        "nginx" => new RecoverySkill("restart-nginx", new Dictionary<string, string>()),
        "redis" => new RecoverySkill("restart-redis", new Dictionary<string, string>()),
        _ => new RecoverySkill("restart-systemd-unit", new Dictionary<string, string> { ["unit"] = Services[service].Unit }),
    };

    /// <summary>The node after <paramref name="host"/> (wrapping around): the default peer of a partition.</summary>
    private static string NextNode(LabLayout lab, LabHost host)
    {
        var nodes = lab.Nodes.ToList();
        return nodes.Count < 2 ? host.Name : nodes[(nodes.IndexOf(host) + 1) % nodes.Count].Name;
    }

    public static Fault? Find(string name) => All.FirstOrDefault(f => f.Name == name);

    /// <summary>For the suite reader: each fault's parameter names.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> ParameterNames() =>
        All.ToDictionary(f => f.Name, f => (IReadOnlySet<string>)f.Parameters.Select(p => p.Name).ToHashSet());
}
