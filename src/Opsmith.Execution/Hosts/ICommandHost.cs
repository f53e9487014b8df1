namespace Opsmith.Execution.Hosts;

/// <summary>
/// A place commands run: this machine (<see cref="LocalCommandHost"/>) or a host over SSH
/// (<see cref="Ssh.SshCommandHost"/>). Commands on one host run one at a time, in order. Only the
/// executor holds these (the type is internal); nothing else in Opsmith starts a process on a host.
/// </summary>
internal interface ICommandHost : IAsyncDisposable
{
    string Name { get; }

    /// <summary>False once the connection was lost; the executor then connects again before the next command.</summary>
    bool IsUsable { get; }

    /// <summary>Runs a <c>/bin/sh</c> command. Never throws for a failing command or a lost host: that is a result.</summary>
    Task<CommandResult> RunAsync(string command, CommandLimits limits, CancellationToken cancellationToken);
}

/// <summary>
/// Opens and keeps the hosts of one run. A seam: tests drive the executor with a fake connector. Internal, so
/// no code outside this assembly can reach a host except through the <see cref="Runs.HostExecutor"/>.
/// </summary>
internal interface IHostConnector : IAsyncDisposable
{
    Task<(ICommandHost? Host, string? Error)> ConnectAsync(Core.Inventories.InventoryHost host, CancellationToken ct);

    Task<(ICommandHost? Host, string? Error)> ReconnectAsync(Core.Inventories.InventoryHost host, ICommandHost broken, CancellationToken ct);
}
