using System.Diagnostics;
using Opsmith.Core.Inventories;

namespace Opsmith.Execution.Hosts.Console;

/// <summary>
/// A host reached through its out-of-band console (<see cref="HostConsole"/>): the inventory's argument vector runs on
/// the controller and its stdin/stdout are a shell on the host, driven like any other <see cref="ShellSession"/>. It
/// does not need the host's sshd or network, which is what it is for. Stopping a command's process group opens a
/// second console and sends <c>kill</c> to it, as SSH does with a second session.
/// </summary>
internal static class ConsoleCommandHost
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);

    public static async Task<(ICommandHost? Host, string? Error)> ConnectAsync(InventoryHost host, HostConsole console, CancellationToken ct)
    {
        var (session, error) = await ShellSession.StartAsync(Start(console), (group, signal) => KillGroupAsync(console, group, signal), ReadyTimeout, ct);
        return session is not null
            ? (new SessionCommandHost(host.Name, session), null)
            : (null, $"cannot open the console of {host.Name} ({string.Join(' ', console.Command)}): {(string.IsNullOrWhiteSpace(error) ? "it gave no shell" : error.Trim())}");
    }

    private static ProcessStartInfo Start(HostConsole console)
    {
        var start = new ProcessStartInfo(console.Command[0]) { UseShellExecute = false };
        foreach (var argument in console.Command.Skip(1)) start.ArgumentList.Add(argument);
        return start;
    }

    private static Task KillGroupAsync(HostConsole console, int group, string signal) =>
        Processes.LocalProcess.RunAsync(console.Command[0], console.Command.Skip(1), TimeSpan.FromSeconds(10), CancellationToken.None,
            standardInput: $"kill -s {signal} -- -{group}\n");
}
