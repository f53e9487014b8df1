using System.Collections.Concurrent;
using Opsmith.Core.Inventories;
using Opsmith.Execution.Hosts.Ssh;

namespace Opsmith.Execution.Hosts;

/// <summary>
/// Opens one <see cref="ICommandHost"/> per inventory host for a run, on first use, and closes them all at
/// the end. SSH control sockets live in a private folder (0700) that outlives the run, so a second run within
/// ControlPersist reuses the connections.
/// </summary>
internal sealed class HostConnector(Inventory inventory, string controlDirectory, SshOptions options) : IHostConnector
{
    private readonly ConcurrentDictionary<string, Lazy<Task<(ICommandHost? Host, string? Error)>>> _hosts = new();
    private readonly Lazy<string> _configFile = new(() => WriteConfig(inventory, controlDirectory, options));

    public Inventory Inventory => inventory;

    public async Task<(ICommandHost? Host, string? Error)> ConnectAsync(InventoryHost host, CancellationToken ct)
    {
        var entry = _hosts.GetOrAdd(host.Name, _ => new Lazy<Task<(ICommandHost?, string?)>>(() => OpenAsync(host, ct)));
        try
        {
            return await entry.Value;
        }
        catch (OperationCanceledException)
        {
            // A cancelled attempt must not stick: the rollback after a Ctrl-C connects again.
            Forget(host.Name, entry);
            throw;
        }
    }

    /// <summary>
    /// Drops a host whose connection was lost and connects again: a rollback after a restart of the network
    /// or of sshd should not fail only because the old connection died.
    /// </summary>
    public async Task<(ICommandHost? Host, string? Error)> ReconnectAsync(InventoryHost host, ICommandHost broken, CancellationToken ct)
    {
        if (_hosts.TryGetValue(host.Name, out var entry) && entry.IsValueCreated && (await entry.Value).Host == broken)
        {
            Forget(host.Name, entry);
            await broken.DisposeAsync();
        }
        // Whatever dropped the connection (a restarted sshd, a network blip) may need a moment to come back.
        for (var attempt = 1; ; attempt++)
        {
            var (target, error) = await ConnectAsync(host, ct);
            if (target is not null || attempt == ReconnectAttempts) return (target, error);
            if (_hosts.TryGetValue(host.Name, out var failed)) Forget(host.Name, failed);
            await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
        }
    }

    private const int ReconnectAttempts = 3;

    private readonly ConcurrentDictionary<string, Lazy<Task<(ICommandHost? Host, string? Error)>>> _consoles = new();

    public async Task<(ICommandHost? Host, string? Error)> ConnectConsoleAsync(InventoryHost host, CancellationToken ct)
    {
        if (host.Console is not { } console)
            return (null, $"{host.Name} declares no console in the inventory, so a skill with 'via: console' cannot reach it (docs/inventory.md)");
        for (var attempt = 1; ; attempt++)
        {
            var entry = _consoles.GetOrAdd(host.Name, _ => new Lazy<Task<(ICommandHost?, string?)>>(() => Console.ConsoleCommandHost.ConnectAsync(host, console, ct)));
            (ICommandHost? Host, string? Error) opened;
            try
            {
                opened = await entry.Value;
            }
            catch (OperationCanceledException)
            {
                _consoles.TryRemove(new KeyValuePair<string, Lazy<Task<(ICommandHost?, string?)>>>(host.Name, entry));
                throw;
            }
            if (opened.Host is { IsUsable: true } || attempt == 2) return opened;
            // A console that failed or broke is opened again once: the next command should not inherit the last one's failure.
            _consoles.TryRemove(new KeyValuePair<string, Lazy<Task<(ICommandHost?, string?)>>>(host.Name, entry));
            if (opened.Host is { } broken) await broken.DisposeAsync();
        }
    }

    /// <summary>Drops this attempt for the host, unless another caller already replaced it.</summary>
    private void Forget(string host, Lazy<Task<(ICommandHost?, string?)>> entry) =>
        _hosts.TryRemove(new KeyValuePair<string, Lazy<Task<(ICommandHost?, string?)>>>(host, entry));

    private async Task<(ICommandHost?, string?)> OpenAsync(InventoryHost host, CancellationToken ct)
    {
        if (host.Connection == ConnectionKind.Local)
        {
            return await LocalCommandHost.StartAsync(host.Name, ct);
        }
        // Runs started together (an agent checking every invariant at once) would each open a connection of their own
        // while no ControlMaster for the host exists yet: a key exchange per run, on the hop and on the host, which a
        // loaded machine or a throttled link pays for. The first opens the master; the runs that arrive meanwhile wait
        // for that one attempt (not for each other) and then share it.
        var control = SshConfigWriter.ControlPath(inventory, controlDirectory, host);
        if (File.Exists(control)) return await SshCommandHost.ConnectAsync(inventory, host, _configFile.Value, options, ct);
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var opening = Opening.GetOrAdd(control, mine.Task);
        if (opening != mine.Task)
        {
            await opening.WaitAsync(ct);
            return await SshCommandHost.ConnectAsync(inventory, host, _configFile.Value, options, ct);
        }
        try
        {
            // A new connection is a key exchange: bounded across the process, queued before the host's timeout starts.
            var gate = Connecting.GetOrAdd(options.ConnectingLimit, limit => new SemaphoreSlim(limit, limit));
            await gate.WaitAsync(ct);
            try
            {
                return await SshCommandHost.ConnectAsync(inventory, host, _configFile.Value, options, ct);
            }
            finally
            {
                gate.Release();
            }
        }
        finally
        {
            mine.SetResult();
            Opening.TryRemove(new KeyValuePair<string, Task>(control, mine.Task));
        }
    }

    /// <summary>Per limit (one in practice): the slots for connections being opened in this process, across runs.</summary>
    private static readonly ConcurrentDictionary<int, SemaphoreSlim> Connecting = new();

    /// <summary>Per ControlMaster socket: the first connection being opened, while it is.</summary>
    private static readonly ConcurrentDictionary<string, Task> Opening = new();

    private static string WriteConfig(Inventory inventory, string controlDirectory, SshOptions options)
    {
        Directory.CreateDirectory(controlDirectory);
        File.SetUnixFileMode(controlDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = Path.Combine(controlDirectory, $"config-{inventory.ContentHash[..16]}");
        // Unique per writer: runs started together in one process (an agent checking every invariant at once) each write it.
        var temporary = file + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, SshConfigWriter.Write(inventory, controlDirectory, options));
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, file, overwrite: true);
        return file;
    }

    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(_hosts.Values.Concat(_consoles.Values).Where(e => e.IsValueCreated).Select(async entry =>
        {
            try
            {
                var (host, _) = await entry.Value;
                if (host is not null) await host.DisposeAsync();
            }
            catch (OperationCanceledException) { }
        }));
}
