using System.Diagnostics;

namespace Opsmith.Execution.Hosts;

/// <summary>This machine: commands run under a local <c>/bin/sh</c> as child processes.</summary>
public sealed class LocalCommandHost : ICommandHost
{
    private readonly ShellSession _session;

    private LocalCommandHost(string name, ShellSession session)
    {
        Name = name;
        _session = session;
    }

    public string Name { get; }

    public static async Task<(LocalCommandHost? Host, string? Error)> StartAsync(string name, CancellationToken ct)
    {
        var (session, error) = await ShellSession.StartAsync(new ProcessStartInfo("/bin/sh"), KillGroupAsync, TimeSpan.FromSeconds(10), ct);
        return session is null ? (null, $"cannot start a local shell: {error}") : (new LocalCommandHost(name, session), null);
    }

    public Task<CommandResult> RunAsync(string command, CommandLimits limits, CancellationToken cancellationToken) =>
        _session.RunAsync(command, limits, cancellationToken);

    private static Task KillGroupAsync(int processGroup) =>
        Processes.LocalProcess.RunAsync("kill", ["-s", "TERM", "--", $"-{processGroup}"], TimeSpan.FromSeconds(10), CancellationToken.None);

    public ValueTask DisposeAsync() => _session.DisposeAsync();
}
