using Opsmith.Core.Inventories;
using Opsmith.Execution.Hosts;
using Opsmith.Execution.Hosts.Ssh;

using Opsmith.Testing;

namespace Opsmith.Execution.Tests.Support;

internal static class Connect
{
    /// <summary>Short ControlPersist: the masters these tests open go away soon after.</summary>
    public static readonly SshOptions TestSsh = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

    public static HostConnector Connector(SshCluster cluster, Inventory? inventory = null) =>
        new(inventory ?? cluster.LoadInventory(), cluster.NewControlDirectory(), TestSsh);

    public static async Task<ICommandHost> HostAsync(HostConnector connector, string name)
    {
        var (host, error) = await connector.ConnectAsync(connector.Inventory.Hosts[name], CancellationToken.None);
        return host ?? throw new InvalidOperationException(error);
    }

    public static Task<CommandResult> RunAsync(ICommandHost host, string command, int timeoutSeconds = 30) =>
        host.RunAsync(command, new CommandLimits(TimeSpan.FromSeconds(timeoutSeconds)), CancellationToken.None);
}
