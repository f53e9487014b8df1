using System.Reflection;
using System.Text;
using Opsmith.Core.Rendering;

namespace Opsmith.Lab.Hosts;

/// <summary>
/// The text of every file a lab writes: per-host configuration (sshd, nginx, redis, Prometheus), the
/// service units the lab's systemctl drives, the script that builds a host's namespaces, and the
/// inventory. Pure: callers write the results.
/// </summary>
public static class LabFiles
{
    public const int DemoPort = 8080;
    public const string DiskSize = "256m";

    /// <summary>The lab's systemctl and journalctl stand-ins (bash-free POSIX sh), shipped inside this assembly.</summary>
    public static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Opsmith.Lab.Hosts.Files.{name}")
            ?? throw new InvalidOperationException($"resource {name} is missing from Opsmith.Lab");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The script the host's anchor process runs as PID 1 inside its new PID, mount and UTS namespaces
    /// (with its own /proc): hostname, a size-limited tmpfs as the host's /var (its disk), a fresh /run, the
    /// host's own /etc files, the lab's systemctl on /usr/local/sbin. Ends by exec'ing the host's init, which
    /// keeps the namespaces alive.
    /// </summary>
    public static string AnchorScript(LabLayout lab, LabHost host)
    {
        var dir = lab.HostDirectory(host);
        var q = ShellQuote.Quote;
        return $"""
            set -eu
            hostname {host.Name}
            mount -t tmpfs -o size={DiskSize},mode=0755 {lab.Prefix}-{host.Name} /mnt
            mkdir -p /mnt/log/nginx /mnt/log/redis /mnt/log/postgresql /mnt/log/opsmith-demo /mnt/log/prometheus \
              /mnt/lib/redis /mnt/lib/postgresql /mnt/lib/opsmith-demo /mnt/lib/prometheus /mnt/lib/nginx \
              /mnt/cache /mnt/spool /mnt/tmp /mnt/www /mnt/local
            ln -s /run /mnt/run
            ln -s /run/lock /mnt/lock
            chmod 1777 /mnt/tmp
            chown redis:redis /mnt/lib/redis /mnt/log/redis
            chown postgres:postgres /mnt/lib/postgresql /mnt/log/postgresql
            chown prometheus:prometheus /mnt/lib/prometheus /mnt/log/prometheus 2>/dev/null || true
            chown www-data:adm /mnt/log/nginx 2>/dev/null || chown www-data /mnt/log/nginx
            mount --move /mnt /var
            mount -t tmpfs -o size=16m,mode=0755 {lab.Prefix}-{host.Name}-run /mnt
            {KeepLabFolder(lab)}
            mkdir -p /mnt/mount
            mount -n --move /mnt /run
            mkdir -p /run/sshd /run/lock /run/redis /run/postgresql /run/opsmith-lab
            chmod 0755 /run/sshd
            chown redis:redis /run/redis
            chown postgres:postgres /run/postgresql
            mount --bind {q(Path.Combine(dir, "etc", "nginx"))} /etc/nginx
            mount --bind {q(Path.Combine(dir, "etc", "redis"))} /etc/redis
            mkdir -p /var/www/opsmith-lab && cp -r {q(Path.Combine(dir, "www"))}/. /var/www/opsmith-lab/
            mkdir -p /run/opsmith-lab/units /run/opsmith-lab/state
            cp {q(Path.Combine(dir, "units"))}/* /run/opsmith-lab/units/
            if [ -f {q(Path.Combine(dir, "prometheus.yml"))} ]; then cp {q(Path.Combine(dir, "prometheus.yml"))} /run/opsmith-lab/prometheus.yml; fi
            mount --bind {q(Path.Combine(dir, "etc", "hosts"))} /etc/hosts
            mount --bind {q(Path.Combine(dir, "etc", "hostname"))} /etc/hostname
            mount --bind {q(Path.Combine(lab.Directory, "bin"))} /usr/local/sbin
            ip link set lo up
            exec perl -e {q(InitProgram)}
            """;
    }

    /// <summary>
    /// The host gets a /run of its own; the lab's folder, which lives in the machine's /run and holds the files
    /// the host's sshd and services read, is bound into it at the same path before it moves over /run.
    /// </summary>
    private static string KeepLabFolder(LabLayout lab)
    {
        if (!lab.Directory.StartsWith("/run/", StringComparison.Ordinal)) return "";
        var inside = ShellQuote.Quote("/mnt" + lab.Directory["/run".Length..]);
        return $"mkdir -p {inside} && mount --bind {ShellQuote.Quote(lab.Directory)} {inside}";
    }

    /// <summary>What a host's PID 1 shows in <c>ps</c>; the lab recognises its anchor by it.</summary>
    public const string InitName = "opsmith-init";

    /// <summary>
    /// PID 1 of a host: it holds the host's namespaces and reaps the orphans reparented to it (daemons that
    /// detached, killed services' children), as init does, so nothing lingers as a zombie. Perl is in every
    /// Debian (perl-base is essential). The kernel protects a namespace's PID 1 from signals sent inside it, so
    /// a <c>kill -9 -1</c> on a node does not take the host down.
    /// </summary>
    private const string InitProgram = "$0 = '" + InitName + "'; while (1) { sleep 1 if waitpid(-1, 0) < 0 }";

    public static string EtcHosts(LabLayout lab, LabHost host)
    {
        var text = new StringBuilder($"127.0.0.1\tlocalhost\n127.0.1.1\t{host.Name}\n");
        foreach (var other in lab.Hosts) text.Append($"{(other == lab.Bastion ? lab.BridgeAddress : other.Address)}\t{other.Name}\n");
        return text.ToString();
    }

    public static string SshdConfig(LabLayout lab, LabHost host) => $"""
        # sshd of lab host {host.Name} (written by opsmith lab up)
        ListenAddress {(host == lab.Bastion ? lab.BastionOuterAddress : host.Address)}
        {(host == lab.Bastion ? $"ListenAddress {lab.BridgeAddress}\n" : "")}HostKey {Path.Combine(lab.HostDirectory(host), "ssh_host_ed25519_key")}
        PidFile /run/sshd.pid
        AuthorizedKeysFile {Path.Combine(lab.Directory, "authorized_keys")}
        # The key file sits in the lab's 0700 folder, which may live below /tmp (OPSMITH_HOME): StrictModes would refuse it there.
        StrictModes no
        UsePAM no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PubkeyAuthentication yes
        PermitRootLogin prohibit-password
        AllowTcpForwarding yes
        MaxSessions 100
        MaxStartups 100
        PrintMotd no
        LogLevel ERROR
        """;

    public static string NginxConf() => """
        # nginx of an Opsmith lab host (written by opsmith lab up)
        user www-data;
        worker_processes 1;
        pid /run/nginx.pid;
        error_log /var/log/nginx/error.log;
        events { worker_connections 256; }
        http {
            include /etc/nginx/mime.types;
            default_type application/octet-stream;
            access_log /var/log/nginx/access.log;
            sendfile on;
            keepalive_timeout 15;
            include /etc/nginx/conf.d/*.conf;
        }
        """;

    /// <summary>The site: a static page and a 256 KiB asset, /api and /health proxied to the demo service, on HTTP and HTTPS.</summary>
    public static string SiteConf(LabHost host) => $$"""
        # The lab's web site on {{host.Name}}: static files, and the demo service behind /api and /health.
        upstream opsmith_demo {
            server 127.0.0.1:{{DemoPort}};
        }
        server {
            listen 80 default_server;
            listen 443 ssl default_server;
            server_name {{host.Name}};
            ssl_certificate /etc/nginx/tls/server.crt;
            ssl_certificate_key /etc/nginx/tls/server.key;
            root /var/www/opsmith-lab;
            location /api/ {
                proxy_pass http://opsmith_demo;
                proxy_connect_timeout 3s;
                proxy_read_timeout 5s;
            }
            location = /health {
                proxy_pass http://opsmith_demo;
                proxy_connect_timeout 3s;
                proxy_read_timeout 5s;
            }
        }
        """;

    public static string IndexHtml(LabHost host) => $"""
        <!doctype html>
        <html><head><title>opsmith lab: {host.Name}</title><script src="/assets/app.js"></script></head>
        <body><h1>opsmith lab: {host.Name}</h1><p>Served by nginx on {host.Name}; the API is at /api/limit/NAME and /api/events.</p></body></html>

        """;

    /// <summary>A 256 KiB script the page loads: big enough that a throttled link makes the page visibly slow.</summary>
    public static string AppJs() => "// opsmith lab page asset\n" + string.Concat(Enumerable.Repeat("console.log('opsmith lab asset padding line ....................................');\n", 3200));

    public static string RedisConf() => """
        # redis of an Opsmith lab host (written by opsmith lab up)
        bind 0.0.0.0
        protected-mode no
        port 6379
        daemonize no
        pidfile /run/redis/redis-server.pid
        logfile ""
        dir /var/lib/redis
        dbfilename dump.rdb
        save 60 1000
        appendonly no
        maxmemory 0
        maxmemory-policy noeviction
        """;

    public static string PrometheusYml(LabLayout lab)
    {
        var nodes = lab.Nodes.ToList();
        string Targets(int port) => string.Join(", ", nodes.Select(n => $"'{n.Name}:{port}'"));
        return $"""
            # Prometheus of lab {lab.Name}: scrapes every node's node-exporter and demo service (written by opsmith lab up)
            global:
              scrape_interval: 5s
              evaluation_interval: 5s
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: [{Targets(9100)}]
              - job_name: opsmith-demo
                static_configs:
                  - targets: [{Targets(DemoPort)}]
              - job_name: prometheus
                static_configs:
                  - targets: ['localhost:9090']
            """;
    }

    /// <summary>A unit file for the lab's systemctl: shell assignments it sources.</summary>
    public static string Unit(string description, string exec, string pidFile, string log, bool daemon = false,
        string user = "root", string? reload = null, string? ready = null, string stopSignal = "TERM", string killMode = "control-group")
    {
        var q = ShellQuote.Quote;
        var text = new StringBuilder("# Service unit for the Opsmith lab's systemctl (written by opsmith lab up)\n");
        text.Append($"Description={q(description)}\nExec={q(exec)}\nPidFile={q(pidFile)}\nLog={q(log)}\n");
        text.Append($"Daemon={(daemon ? "yes" : "no")}\nUser={user}\nStopSignal={stopSignal}\nKillMode={killMode}\n");
        if (reload is not null) text.Append($"Reload={q(reload)}\n");
        if (ready is not null) text.Append($"Ready={q(ready)}\n");
        return text.ToString();
    }

    /// <summary>The services a host runs, as unit file name → content, in start order.</summary>
    public static IReadOnlyList<(string Name, string Content)> Units(LabLayout lab, LabHost host, IReadOnlyList<string> opsmithCommand, string postgresBin)
    {
        var q = ShellQuote.Quote;
        var units = new List<(string, string)>
        {
            ("ssh.service", Unit("OpenBSD Secure Shell server", $"/usr/sbin/sshd -f {q(Path.Combine(lab.HostDirectory(host), "sshd_config"))}",
                "/run/sshd.pid", "/var/log/sshd.log", daemon: true, reload: "kill -HUP \"$MAINPID\"", killMode: "process")),
        };
        if (host.Is(HostRoles.Redis))
            units.Add(("redis-server.service", Unit("Advanced key-value store", "/usr/bin/redis-server /etc/redis/redis.conf",
                "/run/redis/redis-server.pid", "/var/log/redis/redis-server.log", user: "redis",
                ready: "redis-cli -p 6379 ping | grep -q PONG")));
        if (host.Is(HostRoles.Postgres))
            units.Add(("postgresql.service", Unit("PostgreSQL database server",
                $"{postgresBin}/pg_ctl -D /var/lib/postgresql/lab -l /var/log/postgresql/postgresql.log -w -t 30 start",
                "/var/lib/postgresql/lab/postmaster.pid", "/var/log/postgresql/postgresql.log", daemon: true, user: "postgres",
                reload: $"setpriv --reuid=postgres --regid=postgres --init-groups -- {postgresBin}/pg_ctl -D /var/lib/postgresql/lab reload",
                stopSignal: "INT")));
        if (host.Is(HostRoles.Demo))
        {
            var command = string.Join(' ', opsmithCommand.Select(q));
            units.Add(("opsmith-demo.service", Unit("Opsmith demo service (rate limiter and event journal)",
                $"{command} lab demo-service --listen http://0.0.0.0:{DemoPort} --redis 127.0.0.1:6379 --journal /var/lib/opsmith-demo/events.log --node {host.Name}",
                "/run/opsmith-demo.pid", "/var/log/opsmith-demo/service.log",
                ready: $"curl -fs -o /dev/null -m 2 http://127.0.0.1:{DemoPort}/")));
        }
        if (host.Is(HostRoles.Web))
            units.Add(("nginx.service", Unit("A high performance web server and a reverse proxy server", "/usr/sbin/nginx",
                "/run/nginx.pid", "/var/log/nginx/error.log", daemon: true, reload: "/usr/sbin/nginx -s reload", stopSignal: "QUIT")));
        if (!host.Is(HostRoles.Bastion))
            units.Add(("prometheus-node-exporter.service", Unit("Prometheus exporter for machine metrics",
                "/usr/bin/prometheus-node-exporter --web.listen-address=:9100 '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|etc|usr)($|/)'",
                "/run/prometheus-node-exporter.pid", "/var/log/prometheus/node-exporter.log", user: "prometheus")));
        if (host.Is(HostRoles.Prometheus))
            units.Add(("prometheus.service", Unit("Monitoring system and time series database",
                $"/usr/bin/prometheus --config.file=/run/opsmith-lab/prometheus.yml --storage.tsdb.path=/var/lib/prometheus/lab --web.listen-address={lab.BastionOuterAddress}:9090 --storage.tsdb.retention.time=1d",
                "/run/prometheus.pid", "/var/log/prometheus/prometheus.log", user: "prometheus",
                ready: $"curl -fs -o /dev/null -m 2 http://{lab.BastionOuterAddress}:9090/-/ready")));
        return units;
    }

    /// <summary>
    /// A node's out-of-band console, as the inventory declares it: this machine enters the node's namespaces (as its
    /// operator can, the way a hypervisor console or a serial console reaches a real machine) and gives a shell there,
    /// without the node's sshd or network. The anchor's PID is read when the console opens, so it follows the lab.
    /// A YAML single-quoted scalar.
    /// </summary>
    public static string ConsoleScript(LabLayout lab, LabHost node) =>
        "'exec nsenter --target \"$(cat " + ShellQuote.Quote(lab.AnchorPidPath(node)).Replace("'", "''") +
        ")\" --mount --uts --net --pid --wd=/ -- env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/sh'";

    public static string Inventory(LabLayout lab)
    {
        var text = new StringBuilder($"""
            # Inventory of Opsmith lab '{lab.Name}' (written by opsmith lab up; removed by opsmith lab down).
            # Only the bastion is reachable from this machine; every node is reached through it over ssh, and has an
            # out-of-band console (this machine's operator can enter the node's namespaces) for skills with 'via: console'.
            apiVersion: opsmith/v1
            kind: Inventory
            defaults:
              user: root
              identity_file: id_ed25519
              known_hosts: known_hosts
              host_key_checking: strict
            hosts:
              bastion:
                address: {lab.BastionOuterAddress}

            """);
        foreach (var node in lab.Nodes)
        {
            text.Append($"""
                  {node.Name}:
                    address: {node.Address}
                    jump: bastion
                    groups: [{string.Join(", ", node.Groups)}]
                    vars:
                      tls_certificate_source: /etc/nginx/tls/valid.crt
                      tls_key_source: /etc/nginx/tls/valid.key
                    console:
                      command: [sh, -c, {ConsoleScript(lab, node)}]

                """);
        }
        text.Append("groups:\n");
        foreach (var group in lab.Nodes.SelectMany(n => n.Groups).Distinct()) text.Append($"  {group}: {{}}\n");
        return text.ToString();
    }
}
