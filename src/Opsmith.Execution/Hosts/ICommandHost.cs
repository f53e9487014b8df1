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

    /// <summary>Runs a command in a read sandbox (<see cref="ReadSandboxAsync"/> says which one works here).</summary>
    Task<CommandResult> RunAsync(string command, CommandLimits limits, ReadSandbox sandbox, CancellationToken cancellationToken) =>
        sandbox == ReadSandbox.None ? RunAsync(command, limits, cancellationToken)
            : Task.FromResult(CommandResult.NotStarted(CommandStatus.Refused, "this host has no read sandbox"));

    /// <summary>Which read sandbox works on this host, found once per connection; <see cref="ReadSandbox.None"/> where none does.</summary>
    Task<ReadSandbox> ReadSandboxAsync(CancellationToken cancellationToken) => Task.FromResult(ReadSandbox.None);
}

/// <summary>
/// Opens and keeps the hosts of one run. A seam: tests drive the executor with a fake connector. Internal, so
/// no code outside this assembly can reach a host except through the <see cref="Runs.HostExecutor"/>.
/// </summary>
internal interface IHostConnector : IAsyncDisposable
{
    Task<(ICommandHost? Host, string? Error)> ConnectAsync(Core.Inventories.InventoryHost host, CancellationToken ct);

    Task<(ICommandHost? Host, string? Error)> ReconnectAsync(Core.Inventories.InventoryHost host, ICommandHost broken, CancellationToken ct);

    /// <summary>
    /// The host's out-of-band console (<see cref="Core.Inventories.HostConsole"/>), opened on first use and opened
    /// again when it broke; an error value when the host declares none or it gives no shell.
    /// </summary>
    Task<(ICommandHost? Host, string? Error)> ConnectConsoleAsync(Core.Inventories.InventoryHost host, CancellationToken ct) =>
        Task.FromResult<(ICommandHost?, string?)>((null, $"{host.Name} has no console"));
}
