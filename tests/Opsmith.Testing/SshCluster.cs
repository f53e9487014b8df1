using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Execution.Processes;

namespace Opsmith.Testing;

/// <summary>
/// Real OpenSSH servers on loopback for tests: a bastion and nodes reached only through it (the inventory
/// says so with <c>jump: bastion</c>). Each server has its own host key, config and random port; the user
/// key and known_hosts are generated per cluster. Everything is killed and deleted on dispose.
/// </summary>
public sealed class SshCluster : IAsyncDisposable
{
    private readonly Dictionary<string, SshServer> _servers = new();

    private SshCluster(string folder) => Folder = folder;

    public string Folder { get; }
    public string InventoryFile => Path.Combine(Folder, "inventory.yaml");
    public string KnownHostsFile => Path.Combine(Folder, "known_hosts");
    public string IdentityFile => Path.Combine(Folder, "id_ed25519");
    public IReadOnlyDictionary<string, SshServer> Servers => _servers;

    public Inventory LoadInventory(string? file = null)
    {
        var document = DocumentLoader.Load(file ?? InventoryFile, File.ReadAllBytes(file ?? InventoryFile));
        return document.Model as Inventory
               ?? throw new InvalidOperationException(string.Join("\n", document.Diagnostics.Select(d => d.ToLine())));
    }

    public static async Task<SshCluster> StartAsync(int nodes = 2)
    {
        if (!File.Exists("/usr/sbin/sshd"))
            throw new InvalidOperationException("/usr/sbin/sshd is missing: run ./test.sh, which installs openssh-server");
        var folder = Directory.CreateTempSubdirectory("opsmith-ssh-").FullName;
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory("/run/sshd"); // sshd's privilege-separation folder when started as root
        var cluster = new SshCluster(folder);
        await Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "opsmith-test", "-f", cluster.IdentityFile);
        await File.WriteAllTextAsync(Path.Combine(folder, "authorized_keys"), await File.ReadAllTextAsync(cluster.IdentityFile + ".pub"));

        var names = new[] { "bastion" }.Concat(Enumerable.Range(1, nodes).Select(i => $"node{i}")).ToList();
        foreach (var name in names)
        {
            var server = new SshServer(name, folder, FreePort());
            await server.CreateKeysAsync();
            cluster._servers[name] = server;
        }
        await File.WriteAllLinesAsync(cluster.KnownHostsFile,
            await Task.WhenAll(cluster._servers.Values.Select(async s => $"[127.0.0.1]:{s.Port} {await s.PublicHostKeyAsync()}")));
        await Task.WhenAll(cluster._servers.Values.Select(s => s.StartAsync()));
        await File.WriteAllTextAsync(cluster.InventoryFile, cluster.InventoryYaml());
        return cluster;
    }

    public string InventoryYaml(string? knownHosts = null)
    {
        var nodes = string.Join("\n", _servers.Values.Where(s => s.Name != "bastion")
            .Select(s => "  " + s.Name + ": {address: 127.0.0.1, port: " + s.Port + ", jump: bastion, groups: [nodes], vars: {role: worker}}"));
        return $$"""
            apiVersion: opsmith/v1
            kind: Inventory
            defaults:
              user: {{Environment.UserName}}
              identity_file: {{IdentityFile}}
              known_hosts: {{knownHosts ?? KnownHostsFile}}
              host_key_checking: strict
            hosts:
              bastion: {address: 127.0.0.1, port: {{_servers["bastion"].Port}}}
              self: {connection: local}

            """ + nodes + """

            groups:
              nodes: {vars: {tier: test}}

            """;
    }

    /// <summary>A fresh private folder for SSH control sockets, so tests never share connections.</summary>
    public string NewControlDirectory() => Directory.CreateTempSubdirectory("opsmith-cm-").FullName;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values) await server.StopAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task Run(string program, params string[] arguments)
    {
        var result = await LocalProcess.RunAsync(program, arguments, TimeSpan.FromSeconds(30), CancellationToken.None);
        if (!result.Succeeded) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {result.StartError}{result.Stderr}");
    }
}

/// <summary>One sshd on 127.0.0.1 with its own host key and config.</summary>
public sealed class SshServer(string name, string folder, int port)
{
    private Process? _process;

    public string Name { get; } = name;
    public int Port { get; } = port;
    private string HostKey => Path.Combine(folder, $"host-{Name}");
    private string Config => Path.Combine(folder, $"sshd-{Name}.conf");

    public Task CreateKeysAsync() => SshCluster.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", HostKey);

    public async Task<string> PublicHostKeyAsync() => string.Join(' ', (await File.ReadAllTextAsync(HostKey + ".pub")).Split(' ').Take(2));

    public async Task StartAsync()
    {
        await File.WriteAllTextAsync(Config, $"""
            Port {Port}
            ListenAddress 127.0.0.1
            HostKey {HostKey}
            PidFile none
            AuthorizedKeysFile {Path.Combine(folder, "authorized_keys")}
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            AllowTcpForwarding yes
            MaxSessions 100
            MaxStartups 200
            LogLevel ERROR
            """);
        var start = new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", Config])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        _process = Process.Start(start)!;
        _ = _process.StandardError.ReadToEndAsync();
        _ = _process.StandardOutput.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"sshd {Name} exited at once with {_process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException($"sshd {Name} did not listen on port {Port} within 15 s");
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }
}
