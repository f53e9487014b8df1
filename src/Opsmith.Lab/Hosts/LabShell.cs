using Opsmith.Execution.Processes;

namespace Opsmith.Lab.Hosts;

/// <summary>A failed lab operation, with what was being done and what the program said. Shown to people as is.</summary>
public sealed class LabException(string message) : Exception(message);

/// <summary>
/// Runs shell scripts on this machine for the lab: in the machine's own namespaces, inside a lab host (all
/// of its namespaces, as if logged in there), or in a host's network namespace only (a vantage point for
/// hidden checks: the network of that host with this machine's files). The lab's infrastructure is built
/// this way; skills and agents reach hosts only over SSH through the executor.
/// </summary>
public sealed class LabShell(LabLayout lab)
{
    public LabLayout Lab { get; } = lab;

    public static Task<ProcessResult> LocalAsync(string script, TimeSpan timeout, CancellationToken cancellationToken) =>
        LocalProcess.RunAsync("/bin/sh", ["-c", script], timeout, cancellationToken);

    /// <summary>
    /// Runs a script inside a lab host: its network, mounts (its /var, /run, /etc files), hostname and PID
    /// namespace, so what it starts stays in the host (and is reparented to the host's init when the script ends).
    /// </summary>
    public async Task<ProcessResult> InHostAsync(LabHost host, string script, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var anchor = AnchorPid(host) ?? throw new LabException($"lab host {host.Name} is not running (no anchor process); run 'opsmith lab up'");
        return await LocalProcess.RunAsync("nsenter", ["-t", anchor.ToString(), "-m", "-u", "-n", "-p", "--", "/bin/sh", "-c", script],
            timeout, cancellationToken);
    }

    /// <summary>Runs a script in a host's network namespace with this machine's files and programs.</summary>
    public Task<ProcessResult> InNetworkOfAsync(LabHost host, string script, TimeSpan timeout, CancellationToken cancellationToken) =>
        LocalProcess.RunAsync("nsenter", [$"--net=/run/netns/{host.Namespace}", "--", "/bin/sh", "-c", script], timeout, cancellationToken);

    /// <summary>Like <see cref="InHostAsync"/> but turns a failure into a <see cref="LabException"/> naming <paramref name="what"/>.</summary>
    public async Task<string> InHostOrThrowAsync(LabHost host, string what, string script, TimeSpan timeout, CancellationToken cancellationToken) =>
        Require(await InHostAsync(host, script, timeout, cancellationToken), $"{what} on {host.Name}");

    public static async Task<string> LocalOrThrowAsync(string what, string script, TimeSpan timeout, CancellationToken cancellationToken) =>
        Require(await LocalAsync(script, timeout, cancellationToken), what);

    public static string Require(ProcessResult result, string what)
    {
        if (result.Succeeded) return result.Stdout;
        var reason = result.StartError
            ?? (result.TimedOut ? $"timed out after {result.Duration.TotalSeconds:0} s" : $"exit code {result.ExitCode}");
        var said = (result.Stderr.Trim().Length > 0 ? result.Stderr : result.Stdout).Trim();
        if (said.Length > 1500) said = "..." + said[^1500..];
        throw new LabException($"{what} failed ({reason}){(said.Length > 0 ? ":\n" + said : "")}");
    }

    /// <summary>The PID (as this machine sees it) of the host's anchor, its PID 1, when it is alive.</summary>
    public int? AnchorPid(LabHost host)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Lab.AnchorPidPath(host)).Trim(), out var pid) && IsAnchor(pid) ? pid : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// Finds a host's anchor among the processes of its network namespace: the one that is PID 1 of a PID
    /// namespace of its own and runs the lab's init (not yet there while the host is being set up).
    /// </summary>
    public async Task<int?> FindAnchorAsync(LabHost host, CancellationToken cancellationToken)
    {
        var pids = await LocalProcess.RunAsync("ip", ["netns", "pids", host.Namespace], TimeSpan.FromSeconds(10), cancellationToken);
        foreach (var line in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(line, out var pid) && IsAnchor(pid)) return pid;
        return null;
    }

    /// <summary>Alive, PID 1 of a nested PID namespace, and the lab's init (a PID can be reused after a crash).</summary>
    private static bool IsAnchor(int pid)
    {
        try
        {
            if (!File.ReadAllText($"/proc/{pid}/cmdline").StartsWith(LabFiles.InitName + "\0", StringComparison.Ordinal)) return false;
            var nspid = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
            var ids = nspid?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries) ?? [];
            return ids.Length == 3 && ids[2] == "1";
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
