using System.Diagnostics;

namespace Opsmith.Execution.Hosts;

/// <summary>This machine: commands run under a local <c>/bin/sh</c> as child processes.</summary>
internal static class LocalCommandHost
{
    public static async Task<(ICommandHost? Host, string? Error)> StartAsync(string name, CancellationToken ct)
    {
        var (session, error) = await ShellSession.StartAsync(new ProcessStartInfo("/bin/sh"), KillGroupAsync, TimeSpan.FromSeconds(10), ct);
        return session is null ? (null, $"cannot start a local shell: {error}") : (new SessionCommandHost(name, session), null);
    }

    private static Task KillGroupAsync(int processGroup, string signal) =>
        Processes.LocalProcess.RunAsync("kill", ["-s", signal, "--", $"-{processGroup}"], TimeSpan.FromSeconds(10), CancellationToken.None);
}
