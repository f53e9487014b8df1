using System.Text;
using Opsmith.Core.Rendering;
using Opsmith.Execution.Processes;

namespace Opsmith.Lab.Hosts;

/// <summary>What <c>lab status</c> reports for one host.</summary>
public sealed record HostStatus(LabHost Host, bool Running, IReadOnlyList<(string Unit, string State)> Units, IReadOnlyList<string> ActiveFaults);

/// <summary>
/// Brings a lab up and down: namespaces, the link to the bastion and the bridge, each host's anchor
/// (mount and UTS namespaces with its own tmpfs disk), keys, configuration, services and the inventory.
/// Every step is idempotent and <see cref="DownAsync"/> finds leftovers by name, so a crashed run is
/// cleaned by the next <c>lab up</c>.
/// </summary>
public sealed class LabController(LabLayout lab, IReadOnlyList<string> opsmithCommand, Action<string> progress)
{
    private readonly LabShell _shell = new(lab);
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Makes this machine ready for a lab: it needs root, and the Debian packages of <see cref="LabPackages"/>,
    /// which are installed here (saying which) when some are missing. Without root nothing is installed and the
    /// message gives the command. Returns null when ready, else what stops the lab, for the person.
    /// </summary>
    public static async Task<string?> PrepareMachineAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        var missing = LabPackages.Missing();
        if (!Environment.IsPrivilegedProcess)
            return "the lab needs root: it creates network namespaces, mounts and interfaces (run it as root, e.g. sudo ./opsmith lab up)" +
                (missing.Count == 0 ? "" : $"; it also needs Debian packages this machine lacks; install them with: sudo {LabPackages.InstallCommand(missing)}");
        if (missing.Count == 0) return null;
        if (await LabPackages.InstallAsync(missing, progress, cancellationToken) is { } failure)
            return $"the lab needs Debian packages that are missing, and installing them failed: {failure}\nInstall them yourself with: {LabPackages.InstallCommand(missing)}";
        return MissingPrograms();
    }

    /// <summary>What is missing to run a lab, as one message; null when nothing is. Installs nothing.</summary>
    public static string? MissingPrograms()
    {
        var missing = LabPackages.Missing();
        if (missing.Count == 0) return null;
        var programs = missing.SelectMany(p => p.Programs.Where(program => !LabPackages.ProgramExists(program)));
        return $"the lab needs {string.Join(", ", programs)}; install them with: {LabPackages.InstallCommand(missing)}";
    }

    public static string? PostgresBin() =>
        LabPackages.ResolveProgram("/usr/lib/postgresql/*/bin/pg_ctl") is { } pgCtl ? Path.GetDirectoryName(pgCtl) : null;

    public bool IsUp => File.Exists(lab.StatePath) && lab.Hosts.All(h => _shell.AnchorPid(h) is not null);

    /// <summary>Builds the lab from scratch (removing leftovers of an earlier one first).</summary>
    /// <param name="madeBy">Who makes it, for <see cref="LabState.MadeBy"/>.</param>
    public async Task UpAsync(string madeBy, CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess) throw new LabException("the lab needs root: it creates network namespaces, mounts and interfaces");
        if (MissingPrograms() is { } missing) throw new LabException(missing);
        progress($"Cleaning up leftovers of lab '{lab.Name}'");
        await DownAsync(cancellationToken);
        await CheckAddressesFreeAsync(cancellationToken);

        progress($"Writing keys and configuration to {lab.Directory}");
        await WriteFilesAsync(cancellationToken);

        progress($"Creating {lab.Hosts.Count} hosts (network namespaces on {lab.Subnet}, bastion at {lab.BastionOuterAddress})");
        await LabShell.LocalOrThrowAsync("creating the lab network", NetworkScript(), Short, cancellationToken);
        await StartAnchorsAsync(cancellationToken);

        foreach (var db in lab.Nodes.Where(n => n.Is(HostRoles.Postgres)))
        {
            progress($"Creating the PostgreSQL cluster on {db.Name}");
            await _shell.InHostOrThrowAsync(db, "initdb", InitDbScript(), TimeSpan.FromMinutes(2), cancellationToken);
        }

        progress("Starting sshd and services on every host");
        await Task.WhenAll(lab.Hosts.Select(host => StartServicesAsync(host, cancellationToken)));
        foreach (var db in lab.Nodes.Where(n => n.Is(HostRoles.Postgres)))
            await _shell.InHostOrThrowAsync(db, "creating the app database", CreateAppDatabaseScript(), Short, cancellationToken);

        await WriteKnownHostsAsync(cancellationToken);
        await File.WriteAllTextAsync(lab.InventoryPath, LabFiles.Inventory(lab), cancellationToken);
        await new LabState(lab.Name, lab.Hosts.Count, DateTimeOffset.UtcNow, madeBy).WriteAsync(lab.StatePath, cancellationToken);
    }

    /// <summary>
    /// Removes everything a lab made: kills every process in its namespaces (which releases their mounts),
    /// deletes the namespaces and the link, and removes the lab's folder. Safe to run on a lab that is not up.
    /// Returns what it removed, for the message.
    /// </summary>
    public async Task<IReadOnlyList<string>> DownAsync(CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        var namespaces = (await LocalProcess.RunAsync("ip", ["netns", "list"], Short, cancellationToken)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0])
            .Where(ns => ns.StartsWith(lab.Prefix + "-", StringComparison.Ordinal))
            .ToList();
        // Twice: a process can fork while the first sweep kills its siblings.
        for (var sweep = 0; sweep < 3; sweep++)
        {
            var pids = new List<string>();
            foreach (var ns in namespaces)
                pids.AddRange((await LocalProcess.RunAsync("ip", ["netns", "pids", ns], Short, cancellationToken)).Stdout
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries));
            if (pids.Count == 0) break;
            if (sweep == 0) removed.Add($"{pids.Count} processes");
            await LocalProcess.RunAsync("kill", ["-9", .. pids], Short, cancellationToken);
            await Task.Delay(200, cancellationToken);
        }
        foreach (var ns in namespaces)
        {
            LabShell.Require(await LocalProcess.RunAsync("ip", ["netns", "delete", ns], Short, cancellationToken), $"deleting namespace {ns}");
            removed.Add($"namespace {ns}");
        }
        if ((await LocalProcess.RunAsync("ip", ["link", "show", lab.RootLink], Short, cancellationToken)).Succeeded)
        {
            LabShell.Require(await LocalProcess.RunAsync("ip", ["link", "delete", lab.RootLink], Short, cancellationToken), $"deleting link {lab.RootLink}");
            removed.Add($"link {lab.RootLink}");
        }
        if (Directory.Exists(lab.Directory))
        {
            Directory.Delete(lab.Directory, recursive: true);
            removed.Add($"folder {lab.Directory}");
        }
        return removed;
    }

    public async Task<IReadOnlyList<HostStatus>> StatusAsync(CancellationToken cancellationToken)
    {
        var result = new List<HostStatus>();
        foreach (var host in lab.Hosts)
        {
            if (_shell.AnchorPid(host) is null) { result.Add(new HostStatus(host, false, [], [])); continue; }
            var output = await _shell.InHostAsync(host,
                "for f in /run/opsmith-lab/units/*.service; do u=${f##*/}; echo \"unit $u $(systemctl is-active $u)\"; done; " +
                "for f in /run/opsmith-lab/faults/*.active; do [ -e \"$f\" ] && { n=${f##*/}; echo \"fault ${n%.active}\"; }; done; true",
                Short, cancellationToken);
            var units = new List<(string, string)>();
            var faults = new List<string>();
            foreach (var line in output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Split(' ');
                if (parts[0] == "unit" && parts.Length >= 3) units.Add((parts[1], parts[2]));
                else if (parts[0] == "fault" && parts.Length >= 2) faults.Add(parts[1]);
            }
            result.Add(new HostStatus(host, true, units, faults));
        }
        return result;
    }

    private async Task CheckAddressesFreeAsync(CancellationToken cancellationToken)
    {
        var routes = (await LocalProcess.RunAsync("ip", ["-4", "-o", "addr", "show"], Short, cancellationToken)).Stdout;
        var prefix = $"10.{lab.SecondOctet}.";
        var clash = routes.Split('\n').FirstOrDefault(line => line.Contains($"inet {prefix}", StringComparison.Ordinal));
        if (clash is not null)
            throw new LabException($"lab '{lab.Name}' would use {lab.Subnet}, but this machine already has an address there " +
                $"({string.Join(' ', clash.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(4))}); choose another lab name with --name");
    }

    private async Task WriteFilesAsync(CancellationToken cancellationToken)
    {
        // Parents readable by all (like /run/sshd); the lab's own folder is root's alone.
        const UnixFileMode open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(Path.GetDirectoryName(lab.Directory)!, open);
        Directory.CreateDirectory(lab.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(lab.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var bin = Path.Combine(lab.Directory, "bin");
        Directory.CreateDirectory(bin);
        const UnixFileMode executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var (resource, name) in new[] { ("systemctl.sh", "systemctl"), ("journalctl.sh", "journalctl") })
        {
            var path = Path.Combine(bin, name);
            await File.WriteAllTextAsync(path, LabFiles.Resource(resource), cancellationToken);
            File.SetUnixFileMode(path, executable);
        }
        await LabShell.LocalOrThrowAsync("creating the lab's SSH key",
            $"ssh-keygen -q -t ed25519 -N '' -C {ShellQuote.Quote("opsmith-lab-" + lab.Name)} -f {ShellQuote.Quote(lab.IdentityPath)}", Short, cancellationToken);
        File.Copy(lab.IdentityPath + ".pub", Path.Combine(lab.Directory, "authorized_keys"), true);
        LabCertificates.Write(lab);

        var postgresBin = PostgresBin()!;
        foreach (var host in lab.Hosts)
        {
            var dir = lab.HostDirectory(host);
            var etc = Path.Combine(dir, "etc");
            foreach (var sub in new[] { "nginx/conf.d", "redis", "units" })
                Directory.CreateDirectory(Path.Combine(sub == "units" ? dir : etc, sub));
            Directory.CreateDirectory(Path.Combine(dir, "www", "assets"));
            await LabShell.LocalOrThrowAsync($"creating the host key of {host.Name}",
                $"ssh-keygen -q -t ed25519 -N '' -C {host.Name} -f {ShellQuote.Quote(Path.Combine(dir, "ssh_host_ed25519_key"))}", Short, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(dir, "sshd_config"), LabFiles.SshdConfig(lab, host), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(etc, "hosts"), LabFiles.EtcHosts(lab, host), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(etc, "hostname"), host.Name + "\n", cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(etc, "nginx", "nginx.conf"), LabFiles.NginxConf(), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(etc, "nginx", "conf.d", "opsmith-lab.conf"), LabFiles.SiteConf(host), cancellationToken);
            if (File.Exists("/etc/nginx/mime.types")) File.Copy("/etc/nginx/mime.types", Path.Combine(etc, "nginx", "mime.types"), true);
            else await File.WriteAllTextAsync(Path.Combine(etc, "nginx", "mime.types"), "types { text/html html; application/javascript js; }\n", cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(etc, "redis", "redis.conf"), LabFiles.RedisConf(), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(dir, "www", "index.html"), LabFiles.IndexHtml(host), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(dir, "www", "assets", "app.js"), LabFiles.AppJs(), cancellationToken);
            if (host.Is(HostRoles.Prometheus))
                await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), LabFiles.PrometheusYml(lab), cancellationToken);
            foreach (var (name, content) in LabFiles.Units(lab, host, opsmithCommand, postgresBin))
                await File.WriteAllTextAsync(Path.Combine(dir, "units", name), content, cancellationToken);
        }
        // Like etckeeper on a real host: every node's nginx configuration is a git repository whose commits passed
        // nginx -t, so "the last configuration that passed nginx -t" is something a runbook can find and restore.
        foreach (var node in lab.Nodes)
        {
            var nginx = ShellQuote.Quote(Path.Combine(lab.HostDirectory(node), "etc", "nginx"));
            await LabShell.LocalOrThrowAsync($"recording the nginx configuration of {node.Name}",
                $"cd {nginx} && printf 'tls/\n' >.gitignore && git init -q && git add -A && " +
                "git -c user.name='opsmith lab' -c user.email=lab@localhost commit -qm 'configuration that passed nginx -t'", Short, cancellationToken);
        }
        // Services running as their own users read these through bind mounts; the folders above them stay private.
        await LabShell.LocalOrThrowAsync("setting permissions", $"chmod -R a+rX {ShellQuote.Quote(Path.Combine(lab.Directory, "hosts"))} " +
            $"&& chmod 0700 {ShellQuote.Quote(lab.Directory)} && find {ShellQuote.Quote(lab.Directory)} -name '*.key' -o -name '*_key' | xargs chmod 0600",
            Short, cancellationToken);
    }

    private string NetworkScript()
    {
        var b = lab.Bastion.Namespace;
        var script = new StringBuilder("set -eu\n");
        foreach (var host in lab.Hosts) script.Append($"ip netns add {host.Namespace}\n");
        script.Append($"""
            ip link add {lab.RootLink} type veth peer name eth0 netns {b}
            ip addr add {lab.RootAddress}/30 dev {lab.RootLink}
            ip link set {lab.RootLink} up
            ip -n {b} addr add {lab.BastionOuterAddress}/30 dev eth0
            ip -n {b} link set eth0 up
            ip -n {b} link set lo up
            ip -n {b} link add br0 type bridge
            ip -n {b} addr add {lab.BridgeAddress}/24 dev br0
            ip -n {b} link set br0 up
            ip netns exec {b} sysctl -q -w net.ipv4.ip_forward=0

            """);
        foreach (var node in lab.Nodes)
            script.Append($"""
                ip link add eth0 netns {node.Namespace} type veth peer name {node.Link} netns {b}
                ip -n {b} link set {node.Link} master br0 up
                ip -n {node.Namespace} addr add {node.Address}/24 dev eth0
                ip -n {node.Namespace} link set eth0 up
                ip -n {node.Namespace} link set lo up

                """);
        return script.ToString();
    }

    private async Task StartAnchorsAsync(CancellationToken cancellationToken)
    {
        foreach (var host in lab.Hosts)
        {
            var script = LabFiles.AnchorScript(lab, host);
            var log = Path.Combine(lab.HostDirectory(host), "anchor.log");
            await LabShell.LocalOrThrowAsync($"starting host {host.Name}",
                $"setsid -f ip netns exec {host.Namespace} unshare --mount --uts --pid --fork --mount-proc --propagation private /bin/sh -c {ShellQuote.Quote(script)} " +
                $">{ShellQuote.Quote(log)} 2>&1 </dev/null", Short, cancellationToken);
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        foreach (var host in lab.Hosts)
        {
            int? anchor;
            while ((anchor = await _shell.FindAnchorAsync(host, cancellationToken)) is null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    var log = Path.Combine(lab.HostDirectory(host), "anchor.log");
                    var said = File.Exists(log) ? File.ReadAllText(log).Trim() : "";
                    throw new LabException($"host {host.Name} did not come up within 20 s{(said.Length > 0 ? ":\n" + said : "")}");
                }
                await Task.Delay(50, cancellationToken);
            }
            // The script inside sees itself as PID 1, so only this side can record the anchor's PID.
            await File.WriteAllTextAsync(lab.AnchorPidPath(host), $"{anchor}\n", cancellationToken);
        }
    }

    private static string InitDbScript()
    {
        var bin = PostgresBin()!;
        return $"""
            set -eu
            setpriv --reuid=postgres --regid=postgres --init-groups -- {bin}/initdb -D /var/lib/postgresql/lab -U postgres -A trust --no-sync -E UTF8 >/var/log/postgresql/initdb.log 2>&1
            cat >>/var/lib/postgresql/lab/postgresql.auto.conf <<'CONF'
            listen_addresses = '*'
            max_connections = 20
            superuser_reserved_connections = 3
            unix_socket_directories = '/run/postgresql'
            fsync = off
            shared_buffers = 16MB
            CONF
            echo 'host all all 10.0.0.0/8 trust' >>/var/lib/postgresql/lab/pg_hba.conf
            """;
    }

    private static string CreateAppDatabaseScript() => """
        set -eu
        psql -X -q -h /run/postgresql -U postgres -d postgres -v ON_ERROR_STOP=1 -c "create role app login" -c "create database app owner app"
        psql -X -q -h /run/postgresql -U app -d app -v ON_ERROR_STOP=1 -c "create table if not exists orders (id serial primary key, item text not null, created timestamptz not null default now())"
        """;

    private async Task StartServicesAsync(LabHost host, CancellationToken cancellationToken)
    {
        var units = LabFiles.Units(lab, host, opsmithCommand, PostgresBin()!).Select(u => u.Name);
        await _shell.InHostOrThrowAsync(host, "starting services", $"systemctl start {string.Join(' ', units)}", TimeSpan.FromMinutes(2), cancellationToken);
    }

    private async Task WriteKnownHostsAsync(CancellationToken cancellationToken)
    {
        var lines = new StringBuilder();
        foreach (var host in lab.Hosts)
        {
            var key = string.Join(' ', (await File.ReadAllTextAsync(Path.Combine(lab.HostDirectory(host), "ssh_host_ed25519_key.pub"), cancellationToken))
                .Trim().Split(' ').Take(2));
            var names = host == lab.Bastion ? $"{lab.BastionOuterAddress},{lab.BridgeAddress}" : host.Address;
            lines.Append($"{names} {key}\n");
        }
        await File.WriteAllTextAsync(lab.KnownHostsPath, lines.ToString(), cancellationToken);
    }
}
