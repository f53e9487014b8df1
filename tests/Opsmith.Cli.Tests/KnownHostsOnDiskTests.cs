using Opsmith.Execution;
using System.Diagnostics;
using System.Net.Sockets;
using Opsmith.Application;
using Opsmith.Cli.Tests.Support;
using Opsmith.Core.Inventories;

namespace Opsmith.Cli.Tests;

/// <summary>
/// The disk's half of the known_hosts check, on a real file system: a known_hosts path that is a folder, a
/// device (through a symbolic link, where the path's text looks innocent) or a FIFO makes the inventory invalid.
/// </summary>
public sealed class KnownHostsOnDiskTests
{
    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    [Fact]
    public void File_kinds_are_read_from_the_disk_following_links()
    {
        using var temp = new TempFolder();
        var file = temp.Write("known_hosts", "");
        var fifo = Path.Combine(temp.Path, "fifo");
        MakeFifo(fifo);
        var link = Path.Combine(temp.Path, "link");
        File.CreateSymbolicLink(link, "/dev/null");
        var socketPath = Path.Combine(temp.Path, "socket");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));

        Assert.Equal(FileKind.RegularFile, FileKinds.Of(file));
        Assert.Equal(FileKind.Directory, FileKinds.Of(temp.Path));
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of("/dev/null"));
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of(link));
        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo));
        Assert.Equal(FileKind.Socket, FileKinds.Of(socketPath));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(temp.Path, "absent")));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(temp.Path, "known_hosts", "below-a-file")));
    }

    [Theory]
    [InlineData("link-to-null", "is a device")]
    [InlineData("folder", "is a folder")]
    [InlineData("fifo", "named pipe")]
    [InlineData("no-such-folder/known_hosts", "its folder does not either")]
    public async Task Validate_refuses_an_inventory_whose_known_hosts_cannot_keep_keys(string name, string why)
    {
        using var temp = new TempFolder();
        File.CreateSymbolicLink(Path.Combine(temp.Path, "link-to-null"), "/dev/null");
        Directory.CreateDirectory(Path.Combine(temp.Path, "folder"));
        MakeFifo(Path.Combine(temp.Path, "fifo"));
        var inventory = temp.Write("inventory.yaml", $$"""
            apiVersion: opsmith/v1
            kind: Inventory
            defaults: {user: root, host_key_checking: accept-new}
            hosts:
              web1: {address: 10.0.1.11, known_hosts: {{name}}}
            """);

        var result = await CliProcess.RunAsync("validate", inventory);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{inventory}:5:43: error: 'hosts.web1.known_hosts' is '{Path.Combine(temp.Path, name)}', which cannot keep host keys: ", result.Stdout);
        Assert.Contains(why, result.Stdout);
    }

    [Fact]
    public async Task Validate_accepts_a_known_hosts_file_that_does_not_exist_yet_in_an_existing_folder()
    {
        using var temp = new TempFolder();
        var inventory = temp.Write("inventory.yaml", """
            apiVersion: opsmith/v1
            kind: Inventory
            defaults: {user: root, host_key_checking: accept-new}
            hosts:
              web1: {address: 10.0.1.11, known_hosts: known_hosts}
            """);

        var result = await CliProcess.RunAsync("validate", inventory);

        Assert.True(result.ExitCode == 0, result.All);
    }
}
