namespace Opsmith.Execution.Hosts;

/// <summary>A host whose commands go to one long-lived shell session, local or at the far end of SSH.</summary>
internal sealed class SessionCommandHost(string name, ShellSession session) : ICommandHost
{
    public string Name { get; } = name;

    public bool IsUsable => !session.IsBroken;

    public Task<CommandResult> RunAsync(string command, CommandLimits limits, CancellationToken cancellationToken) =>
        session.RunAsync(command, limits, cancellationToken);

    public Task<CommandResult> RunAsync(string command, CommandLimits limits, ReadSandbox sandbox, CancellationToken cancellationToken) =>
        session.RunAsync(command, limits, sandbox, cancellationToken);

    public Task<ReadSandbox> ReadSandboxAsync(CancellationToken cancellationToken) => session.ReadSandboxAsync(cancellationToken);

    public ValueTask DisposeAsync() => session.DisposeAsync();
}
