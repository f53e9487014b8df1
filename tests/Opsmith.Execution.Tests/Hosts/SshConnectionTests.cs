using Opsmith.Execution.Hosts;
using Opsmith.Execution.Tests.Support;
using Opsmith.Testing;

namespace Opsmith.Execution.Tests.Hosts;

/// <summary>Connection failures, host keys and the jump host. Each test gets its own cluster: they stop servers and edit keys.</summary>
public sealed class SshConnectionTests
{
    [Fact]
    public async Task Runs_that_connect_to_a_host_at_once_share_one_connection_through_the_jump_host()
    {
        await using var cluster = await SshCluster.StartAsync(nodes: 1);
        var inventory = cluster.LoadInventory();
        var control = cluster.NewControlDirectory();
        // One connector per run, as an agent's concurrent runs have, all with the same control folder.
        var connectors = Enumerable.Range(0, 5).Select(_ => new HostConnector(inventory, control, Connect.TestSsh)).ToList();
        try
        {
            var hosts = await Task.WhenAll(connectors.Select(c => Connect.HostAsync(c, "node1")));
            var answers = await Task.WhenAll(hosts.Select(h => Connect.RunAsync(h, "echo up")));

            Assert.All(answers, a => Assert.Equal("up\n", a.Stdout));
            Assert.Equal(1, EstablishedTo(cluster.Servers["bastion"].Port));
        }
        finally
        {
            foreach (var connector in connectors) await connector.DisposeAsync();
        }
    }

    [Fact]
    public async Task New_connections_are_opened_a_bounded_number_at_a_time_and_every_queued_host_connects()
    {
        // 50 hosts at once on 2 busy cores: each key exchange took longer than a host's 20 s and healthy hosts were
        // reported unreachable. ssh is wrapped to record, as each session starts, how many others are still between
        // starting and their shell's first answer (a marker removed before that answer reaches Opsmith).
        await using var cluster = await SshCluster.StartAsync(nodes: 4);
        var folder = Path.Combine(cluster.Folder, "handshakes");
        Directory.CreateDirectory(folder);
        var wrapper = Path.Combine(cluster.Folder, "ssh-counting");
        File.WriteAllText(wrapper, $$"""
            #!/bin/sh
            case "$*" in *"exec /bin/sh"*) ;; *) exec ssh "$@" ;; esac
            ls {{folder}} | wc -l >>{{folder}}.log
            touch {{folder}}/$$
            ssh "$@" | while IFS= read -r line; do
              [ "$line" = __OPSMITH_READY ] && rm -f {{folder}}/$$
              printf '%s\n' "$line"
            done
            """.Replace("\r", ""));
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var connector = new HostConnector(cluster.LoadInventory(), cluster.NewControlDirectory(),
            Connect.TestSsh with { SshProgram = wrapper, MaxConnecting = 2 });

        var hosts = await Task.WhenAll(connector.Inventory.Hosts.Values.Select(h => connector.ConnectAsync(h, CancellationToken.None)));

        Assert.All(hosts, h => Assert.True(h.Host is not null, h.Error));
        var alreadyConnecting = File.ReadAllLines(folder + ".log").Select(l => int.Parse(l.Trim())).ToList();
        Assert.Equal(5, alreadyConnecting.Count);
        Assert.All(alreadyConnecting, n => Assert.InRange(n, 0, 1));
    }

    [Fact]
    public async Task A_host_whose_shell_did_not_answer_in_time_is_tried_once_more_and_a_refusing_host_only_once()
    {
        // The first session to node1 hangs before its shell answers (a key exchange on a starved machine); the second is real ssh.
        await using var cluster = await SshCluster.StartAsync(nodes: 2);
        await cluster.Servers["node2"].StopAsync();
        var log = Path.Combine(cluster.Folder, "sessions.log");
        var wrapper = Path.Combine(cluster.Folder, "ssh-slow-first");
        File.WriteAllText(wrapper, $$"""
            #!/bin/sh
            case "$*" in *"exec /bin/sh"*) ;; *) exec ssh "$@" ;; esac
            echo "$*" >>{{log}}
            [ "$(grep -c node1 {{log}})" = 1 ] && case "$*" in *node1*) exec sleep 60 ;; esac
            exec ssh "$@"
            """.Replace("\r", ""));
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var connector = new HostConnector(cluster.LoadInventory(), cluster.NewControlDirectory(),
            Connect.TestSsh with { SshProgram = wrapper, ConnectTimeout = TimeSpan.FromSeconds(1) });

        var slow = await connector.ConnectAsync(connector.Inventory.Hosts["node1"], CancellationToken.None);
        var refusing = await connector.ConnectAsync(connector.Inventory.Hosts["node2"], CancellationToken.None);

        Assert.True(slow.Host is not null, slow.Error);
        Assert.Equal("ok\n", (await Connect.RunAsync(slow.Host!, "echo ok")).Stdout);
        Assert.Null(refusing.Host);
        Assert.DoesNotContain(ShellSession.NoAnswer, refusing.Error);
        var sessions = File.ReadAllLines(log);
        Assert.Equal(2, sessions.Count(l => l.Contains("node1")));
        Assert.Equal(1, sessions.Count(l => l.Contains("node2")));
    }

    /// <summary>Established TCP connections from this machine to 127.0.0.1:PORT (the client ends, from /proc/net/tcp).</summary>
    private static int EstablishedTo(int port) =>
        File.ReadLines("/proc/net/tcp").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f[2] == $"0100007F:{port:X4}" && f[3] == "01");

    [Fact]
    public async Task With_the_bastion_stopped_nodes_are_unreachable_and_the_jump_host_is_named()
    {
        await using var cluster = await SshCluster.StartAsync(nodes: 1);
        await cluster.Servers["bastion"].StopAsync();
        await using var connector = Connect.Connector(cluster);

        var (host, error) = await connector.ConnectAsync(connector.Inventory.Hosts["node1"], CancellationToken.None);

        Assert.Null(host);
        Assert.StartsWith("cannot reach node1: jump host bastion (127.0.0.1:", error);
        Assert.Contains("refused the connection", error);
    }

    [Fact]
    public async Task A_changed_host_key_is_refused_and_nothing_runs()
    {
        await using var cluster = await SshCluster.StartAsync(nodes: 1);
        var impostor = Path.Combine(cluster.Folder, "impostor");
        await SshCluster.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", impostor);
        var port = cluster.Servers["node1"].Port;
        var wrongKey = string.Join(' ', File.ReadAllText(impostor + ".pub").Split(' ').Take(2));
        var lines = File.ReadAllLines(cluster.KnownHostsFile).Select(l => l.StartsWith($"[127.0.0.1]:{port} ") ? $"[127.0.0.1]:{port} {wrongKey}" : l);
        File.WriteAllLines(cluster.KnownHostsFile, lines);
        await using var connector = Connect.Connector(cluster);

        var (host, error) = await connector.ConnectAsync(connector.Inventory.Hosts["node1"], CancellationToken.None);

        Assert.Null(host);
        Assert.Contains("does not match known_hosts: refusing to connect", error);
    }

    [Fact]
    public async Task An_unknown_host_key_is_refused_when_checking_is_strict()
    {
        await using var cluster = await SshCluster.StartAsync(nodes: 1);
        var port = ForgetHostKey(cluster, "node1");
        await using var connector = Connect.Connector(cluster);

        var (host, error) = await connector.ConnectAsync(connector.Inventory.Hosts["node1"], CancellationToken.None);

        Assert.Null(host);
        Assert.Contains("is not in known_hosts (host_key_checking: strict)", error);
    }

    [Fact]
    public async Task Accept_new_adds_an_unknown_host_key_and_then_holds_it()
    {
        await using var cluster = await SshCluster.StartAsync(nodes: 1);
        var port = ForgetHostKey(cluster, "node1");
        File.WriteAllText(cluster.InventoryFile, cluster.InventoryYaml().Replace("host_key_checking: strict", "host_key_checking: accept-new"));
        await using var connector = Connect.Connector(cluster);

        var host = await Connect.HostAsync(connector, "node1");

        Assert.Equal("ok\n", (await Connect.RunAsync(host, "echo ok")).Stdout);
        Assert.Contains(File.ReadAllLines(cluster.KnownHostsFile), l => l.StartsWith($"[127.0.0.1]:{port} "));
    }

    /// <summary>Removes a server's line from known_hosts, as for a host never connected to before.</summary>
    private static int ForgetHostKey(SshCluster cluster, string server)
    {
        var port = cluster.Servers[server].Port;
        File.WriteAllLines(cluster.KnownHostsFile, File.ReadAllLines(cluster.KnownHostsFile).Where(l => !l.StartsWith($"[127.0.0.1]:{port} ")));
        return port;
    }

    [Fact]
    public async Task The_ssh_config_never_turns_host_key_checking_off()
    {
        await using var cluster = await SshCluster.StartAsync(nodes: 1);
        var inventory = cluster.LoadInventory();

        var config = Opsmith.Execution.Hosts.Ssh.SshConfigWriter.Write(inventory, "/tmp/cm", Connect.TestSsh);

        Assert.DoesNotContain("StrictHostKeyChecking no", config);
        Assert.DoesNotContain("/dev/null", config);
        Assert.Equal(inventory.Hosts.Values.Count(h => h.Connection == Opsmith.Core.Inventories.ConnectionKind.Ssh),
            config.Split('\n').Count(l => l.Trim() == "StrictHostKeyChecking yes"));
        Assert.Contains("ProxyJump bastion", config);
    }
}
