namespace Opsmith.Core.Inventories;

/// <summary>How Opsmith decides whether a host's key is genuine. There is deliberately no "off".</summary>
public enum HostKeyChecking { Strict, AcceptNew }

public enum ConnectionKind { Ssh, Local }

/// <summary>One host of an inventory, with defaults already applied and paths already made absolute.</summary>
public sealed record InventoryHost(
    string Name,
    ConnectionKind Connection,
    string Address,
    int Port,
    string User,
    string? IdentityFile,
    string? KnownHosts,
    HostKeyChecking HostKeyChecking,
    string? Jump,
    IReadOnlyList<string> Groups,
    IReadOnlyDictionary<string, string> Vars)
{
    /// <summary>The host's out-of-band console (<c>console:</c>), or null when it has none.</summary>
    public HostConsole? Console { get; init; }
}

/// <summary>
/// An out-of-band way into a host that does not depend on its sshd or network: a program the controller runs
/// locally (<c>command</c>, an argument vector, never a shell line) whose stdin and stdout are a POSIX shell on the host,
/// such as <c>ip netns exec NS sh</c>, <c>nsenter</c>, <c>virsh console</c> behind a login helper, IPMI serial-over-LAN
/// or a cloud serial console/SSM session wrapper. Only skills that declare <c>via: console</c> use it.
/// </summary>
public sealed record HostConsole(IReadOnlyList<string> Command);

public sealed record InventoryGroup(string Name, IReadOnlyDictionary<string, string> Vars);

/// <summary>
/// The hosts Opsmith may reach and how. Built by <see cref="InventoryReader"/>, which guarantees that every
/// jump and group named exists and that jump chains have no cycles.
/// </summary>
public sealed record Inventory(
    string SourceFile,
    string ContentHash,
    IReadOnlyDictionary<string, InventoryHost> Hosts,
    IReadOnlyDictionary<string, InventoryGroup> Groups)
{
    /// <summary>Every <c>known_hosts</c> value as written (defaults and hosts), for checks that need the file system.</summary>
    public IReadOnlyList<KnownHostsSetting> KnownHostsSettings { get; init; } = [];

    /// <summary>The hosts a skill's <c>targets</c> names: a host, a group (in inventory order), or <c>all</c>.</summary>
    public IReadOnlyList<InventoryHost>? Resolve(string target)
    {
        if (Hosts.TryGetValue(target, out var host)) return [host];
        if (target == "all") return Hosts.Values.ToList();
        if (Groups.ContainsKey(target)) return Hosts.Values.Where(h => h.Groups.Contains(target)).ToList();
        return null;
    }

    /// <summary>The jump hosts to pass through to reach <paramref name="host"/>, outermost first.</summary>
    public IReadOnlyList<InventoryHost> JumpChain(InventoryHost host)
    {
        var chain = new List<InventoryHost>();
        var current = host;
        while (current.Jump is not null && Hosts.TryGetValue(current.Jump, out var jump) && !chain.Contains(jump))
        {
            chain.Insert(0, jump);
            current = jump;
        }
        return chain;
    }

    /// <summary>Variables of a host: its groups' vars in the order listed, then its own (the host wins).</summary>
    public IReadOnlyDictionary<string, string> VarsOf(InventoryHost host)
    {
        var vars = new Dictionary<string, string>();
        foreach (var group in host.Groups)
            if (Groups.TryGetValue(group, out var g))
                foreach (var (k, v) in g.Vars) vars[k] = v;
        foreach (var (k, v) in host.Vars) vars[k] = v;
        return vars;
    }
}
