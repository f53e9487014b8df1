using System.Text.RegularExpressions;

namespace Opsmith.Lab.Hosts;

/// <summary>What a lab host runs. The bastion runs sshd and Prometheus; nodes run the services faults act on.</summary>
[Flags]
public enum HostRoles
{
    None = 0,
    Bastion = 1,
    Web = 2,          // nginx (HTTP and HTTPS) in front of the demo service
    Demo = 4,         // the Opsmith demo service (rate limiter on redis, event journal on disk)
    Redis = 8,
    Postgres = 16,
    Prometheus = 32,
}

/// <summary>One host of a lab: a network namespace with its own address, hostname, disk and sshd.</summary>
/// <param name="Namespace">Name of its network namespace (as <c>ip netns</c> lists it).</param>
/// <param name="Link">Name of its interface toward the lab bridge, as seen from the bastion.</param>
public sealed record LabHost(string Name, string Address, string Namespace, string Link, HostRoles Roles)
{
    public bool Is(HostRoles role) => (Roles & role) == role;

    /// <summary>The inventory groups the host is in (nodes, web, redis, db); the bastion is in none.</summary>
    public IReadOnlyList<string> Groups =>
        Is(HostRoles.Bastion)
            ? []
            : new[] { "nodes", Is(HostRoles.Web) ? "web" : null, Is(HostRoles.Redis) ? "redis" : null, Is(HostRoles.Postgres) ? "db" : null }
                .OfType<string>().ToList();
}

/// <summary>
/// Where everything of one lab lives: names, addresses and files, computed from the lab's name and host
/// count alone, so <c>lab down</c> (and <c>lab up</c> after a crash) finds what an earlier run made even when
/// its state file is gone. Pure: nothing here touches the machine.
/// </summary>
/// <param name="SecondOctet">The lab uses 10.SecondOctet.0.0/16: .0.0/30 for the link from this machine to the
/// bastion, .1.0/24 for the bridge the hosts share.</param>
public sealed record LabLayout(string Name, string Directory, int SecondOctet, IReadOnlyList<LabHost> Hosts)
{
    public const string DefaultName = "lab";
    public const int DefaultHostCount = 4;
    public const int MaxHostCount = 40;

    /// <summary>
    /// Where every lab's folder lives: machine-wide, like its namespaces, and like them gone after a reboot
    /// (/run is a tmpfs). Root-owned; each lab's folder is 0700.
    /// </summary>
    public const string MachineLabsDirectory = "/run/opsmith/labs";

    /// <summary>Every namespace, interface and tmpfs of a lab starts with this, so leftovers are easy to find.</summary>
    public string Prefix => $"osl-{Name}";
    /// <summary>This machine's end of the link to the bastion.</summary>
    public string RootLink => Prefix;
    public string RootAddress => $"10.{SecondOctet}.0.1";
    public string BastionOuterAddress => $"10.{SecondOctet}.0.2";
    public string BridgeAddress => $"10.{SecondOctet}.1.1";
    public string Subnet => $"10.{SecondOctet}.0.0/16";
    public LabHost Bastion => Hosts[0];
    public IEnumerable<LabHost> Nodes => Hosts.Skip(1);

    public string InventoryPath => Path.Combine(Directory, "inventory.yaml");
    public string KnownHostsPath => Path.Combine(Directory, "known_hosts");
    public string IdentityPath => Path.Combine(Directory, "id_ed25519");
    public string StatePath => Path.Combine(Directory, "state.json");
    public string CaCertificatePath => Path.Combine(Directory, "tls", "ca.crt");
    public string HostDirectory(LabHost host) => Path.Combine(Directory, "hosts", host.Name);
    public string AnchorPidPath(LabHost host) => Path.Combine(HostDirectory(host), "anchor.pid");
    public string PrometheusUrl => $"http://{BastionOuterAddress}:9090";

    public LabHost? Find(string name) => Hosts.FirstOrDefault(h => h.Name == name);

    /// <summary>Checks a lab name: lower-case letters, digits and '-', 1 to 8 characters (interface names are short).</summary>
    public static string? NameProblem(string name) =>
        Regex.IsMatch(name, "^[a-z][a-z0-9-]{0,7}$")
            ? null
            : $"lab name '{name}' must be 1 to 8 lower-case letters, digits or '-', starting with a letter (it becomes part of interface names, which Linux limits to 15 characters)";

    /// <summary>
    /// The layout for a lab of <paramref name="hostCount"/> hosts: the bastion and nodes node1..nodeN-1.
    /// Every node runs nginx, the demo service and redis; the last node also runs PostgreSQL; the bastion
    /// runs Prometheus.
    /// </summary>
    public static LabLayout For(string name, int hostCount, string labsDirectory)
    {
        if (NameProblem(name) is { } problem) throw new ArgumentException(problem, nameof(name));
        if (hostCount < 2 || hostCount > MaxHostCount)
            throw new ArgumentOutOfRangeException(nameof(hostCount), $"a lab has 2 to {MaxHostCount} hosts (a bastion and at least one node)");
        var octet = SecondOctetFor(name);
        var hosts = new List<LabHost>
        {
            new("bastion", $"10.{octet}.0.2", $"osl-{name}-bastion", "", HostRoles.Bastion | HostRoles.Prometheus),
        };
        for (var i = 1; i < hostCount; i++)
        {
            var roles = HostRoles.Web | HostRoles.Demo | HostRoles.Redis;
            if (i == hostCount - 1) roles |= HostRoles.Postgres;
            hosts.Add(new LabHost($"node{i}", $"10.{octet}.1.{10 + i}", $"osl-{name}-node{i}", $"osl-n{i}", roles));
        }
        return new LabLayout(name, Path.Combine(labsDirectory, name), octet, hosts);
    }

    /// <summary>The default lab gets 10.213/16; others a stable octet from 150 to 249 derived from the name.</summary>
    public static int SecondOctetFor(string name)
    {
        if (name == DefaultName) return 213;
        uint hash = 2166136261;
        foreach (var c in name) hash = (hash ^ c) * 16777619;
        var octet = 150 + (int)(hash % 100);
        return octet == 213 ? 214 : octet;
    }
}
