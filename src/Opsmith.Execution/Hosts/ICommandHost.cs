namespace Opsmith.Execution.Hosts;

/// <summary>
/// A place commands run: this machine (<see cref="LocalCommandHost"/>) or a host over SSH
/// (<see cref="Ssh.SshCommandHost"/>). Commands on one host run one at a time, in order. Only the
/// executor holds these; nothing else in Opsmith starts a process on a host.
/// </summary>
public interface ICommandHost : IAsyncDisposable
{
    string Name { get; }

    /// <summary>False once the connection was lost; the executor then connects again before the next command.</summary>
    bool IsUsable { get; }

    /// <summary>Runs a <c>/bin/sh</c> command. Never throws for a failing command or a lost host: that is a result.</summary>
    Task<CommandResult> RunAsync(string command, CommandLimits limits, CancellationToken cancellationToken);
}
