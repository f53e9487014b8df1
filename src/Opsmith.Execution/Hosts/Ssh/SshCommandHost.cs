using System.Diagnostics;
using Opsmith.Core.Inventories;

namespace Opsmith.Execution.Hosts.Ssh;

/// <summary>
/// A host reached with the system's OpenSSH client: one ssh session per host per run carrying a long-lived
/// remote shell (see <see cref="ShellSession"/>), over a ControlMaster connection that later runs reuse.
/// </summary>
internal static class SshCommandHost
{
    public static async Task<(ICommandHost? Host, string? Error)> ConnectAsync(
        Inventory inventory, InventoryHost host, string configFile, SshOptions options, CancellationToken ct)
    {
        var start = SshStart(options, configFile, host.Name, "exec /bin/sh");
        var hops = inventory.JumpChain(host).Count + 1;
        var readyTimeout = options.ConnectTimeout * hops + TimeSpan.FromSeconds(10);
        var (session, error) = await ShellSession.StartAsync(start,
            (group, signal) => KillRemoteGroupAsync(options, configFile, host.Name, group, signal), readyTimeout, ct);
        // The host took the TCP connection (ssh's own ConnectTimeout did not fire) but no shell answered in time: on a
        // starved machine a key exchange can take that long while the host is healthy. One more try before calling it unreachable.
        if (session is null && error?.Contains(ShellSession.NoAnswer, StringComparison.Ordinal) == true)
            (session, error) = await ShellSession.StartAsync(SshStart(options, configFile, host.Name, "exec /bin/sh"),
                (group, signal) => KillRemoteGroupAsync(options, configFile, host.Name, group, signal), readyTimeout, ct);
        if (session is not null) return (new SessionCommandHost(host.Name, session), null);
        return (null, await ExplainFailureAsync(inventory, host, configFile, options, error ?? "", ct));
    }

    /// <summary>
    /// Names the hop that failed. ssh's own message through a ProxyJump does not say which hop broke, so
    /// each jump host is tried in turn, outermost first; the first that fails is the one to report.
    /// </summary>
    private static async Task<string> ExplainFailureAsync(Inventory inventory, InventoryHost host, string configFile,
        SshOptions options, string error, CancellationToken ct)
    {
        var own = SshFailure.Describe(host.Name, host.Address, host.Port, error);
        foreach (var jump in inventory.JumpChain(host))
        {
            var probe = await Processes.LocalProcess.RunAsync(options.SshProgram,
                ["-F", configFile, "-o", "ControlMaster=no", "-o", "ControlPath=none", jump.Name, "true"],
                options.ConnectTimeout + TimeSpan.FromSeconds(5), ct);
            // ssh exits 255 when it cannot connect; any other code (a bastion whose shell is nologin) means the hop is fine.
            if (!probe.Started || probe.TimedOut || probe.ExitCode == 255)
                return $"cannot reach {host.Name}: jump host {SshFailure.Describe(jump.Name, jump.Address, jump.Port, probe.Stderr + probe.StartError)}";
        }
        return own;
    }

    private static async Task KillRemoteGroupAsync(SshOptions options, string configFile, string host, int group, string signal)
    {
        // A second session over the same ControlMaster connection: the first is busy waiting for the command.
        await Processes.LocalProcess.RunAsync(options.SshProgram, ["-F", configFile, "-T", host, $"kill -s {signal} -- -{group}"],
            TimeSpan.FromSeconds(10), CancellationToken.None);
    }

    private static ProcessStartInfo SshStart(SshOptions options, string configFile, string host, string remoteCommand)
    {
        var start = new ProcessStartInfo(options.SshProgram) { UseShellExecute = false };
        foreach (var argument in new[] { "-F", configFile, "-T", host, remoteCommand }) start.ArgumentList.Add(argument);
        return start;
    }
}
