using System.Text;
using Opsmith.Core.Inventories;

namespace Opsmith.Execution.Hosts.Ssh;

/// <summary>
/// Writes the ssh_config Opsmith uses for a run, passed to ssh with <c>-F</c> so that the inner ssh of a
/// ProxyJump reads the same settings (options given with <c>-o</c> are not inherited by the jump).
/// The user's own ~/.ssh/config is not read: the inventory alone decides how hosts are reached.
/// Host-key checking is always on: <c>StrictHostKeyChecking yes</c>, or <c>accept-new</c> when the inventory
/// says so. There is no setting that turns it off.
/// </summary>
internal static class SshConfigWriter
{
    public static string Write(Inventory inventory, string controlDirectory, SshOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine("# Written by Opsmith for one inventory; regenerated on every run.");
        foreach (var host in inventory.Hosts.Values.Where(h => h.Connection == ConnectionKind.Ssh))
        {
            text.AppendLine($"Host {host.Name}");
            text.AppendLine($"  HostName {host.Address}");
            text.AppendLine($"  Port {host.Port}");
            text.AppendLine($"  User {Quote(host.User)}");
            if (host.IdentityFile is not null)
            {
                text.AppendLine($"  IdentityFile {Quote(ExpandHome(host.IdentityFile))}");
                text.AppendLine("  IdentitiesOnly yes");
            }
            if (host.KnownHosts is not null) text.AppendLine($"  UserKnownHostsFile {Quote(ExpandHome(host.KnownHosts))}");
            text.AppendLine($"  StrictHostKeyChecking {(host.HostKeyChecking == HostKeyChecking.AcceptNew ? "accept-new" : "yes")}");
            if (host.Jump is not null) text.AppendLine($"  ProxyJump {host.Jump}");
            text.AppendLine("  BatchMode yes");
            text.AppendLine("  PasswordAuthentication no");
            text.AppendLine("  KbdInteractiveAuthentication no");
            text.AppendLine($"  ConnectTimeout {(int)options.ConnectTimeout.TotalSeconds}");
            // Command output is text: compressed, a throttled or congested link (the hosts one is asked to repair) carries it several times faster.
            text.AppendLine("  Compression yes");
            text.AppendLine("  ServerAliveInterval 15");
            text.AppendLine("  ServerAliveCountMax 3");
            text.AppendLine("  ControlMaster auto");
            // One master per inventory and host: never shared with another inventory whose keys or jumps differ.
            text.AppendLine($"  ControlPath {Quote(ControlPath(inventory, controlDirectory, host))}");
            text.AppendLine($"  ControlPersist {(int)options.ControlPersist.TotalSeconds}");
            text.AppendLine("  CheckHostIP no");
            text.AppendLine("  HashKnownHosts no");
            text.AppendLine("  UpdateHostKeys no");
            text.AppendLine("  ForwardAgent no");
            text.AppendLine("  LogLevel ERROR");
        }
        return text.ToString();
    }

    /// <summary>Where the ControlMaster socket of <paramref name="host"/> lives (it exists while a master is up).</summary>
    public static string ControlPath(Inventory inventory, string controlDirectory, InventoryHost host) =>
        Path.Combine(controlDirectory, ControlName(inventory, host));

    private static string ControlName(Inventory inventory, InventoryHost host) =>
        "cm-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{inventory.ContentHash}/{host.Name}")))[..24];

    public static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;

    private static string Quote(string value) => value.Any(c => char.IsWhiteSpace(c) || c == '"') ? $"\"{value.Replace("\"", "")}\"" : value;
}

/// <summary>
/// SSH settings that are Opsmith's, not the inventory's. <paramref name="MaxConnecting"/> bounds the new connections
/// being opened at once in this process (0: <see cref="DefaultMaxConnecting"/>); the others queue, and the time a host
/// waits in that queue does not count toward its connection timeout.
/// </summary>
public sealed record SshOptions(TimeSpan ConnectTimeout, TimeSpan ControlPersist, string SshProgram = "ssh", int MaxConnecting = 0)
{
    public static readonly SshOptions Default = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));

    /// <summary>
    /// A key exchange is CPU work on both ends, and on loopback or a LAN nearly all of a connection's cost: 50 at once on
    /// 2 busy cores each took more than the 20 s a host has to answer, though every host was healthy. Four per core keep the
    /// cores busy and the network's round trips overlapped, and each handshake finishes in a fraction of the time.
    /// </summary>
    public static int DefaultMaxConnecting => Math.Clamp(4 * Environment.ProcessorCount, 8, 64);

    public int ConnectingLimit => MaxConnecting > 0 ? MaxConnecting : DefaultMaxConnecting;
}
