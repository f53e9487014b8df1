using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;

namespace Opsmith.Core.Tests.Inventories;

/// <summary>
/// A known_hosts path that cannot keep keys turns accept-new into "accept anything": it is refused, with the
/// file, line, field and why. Paths are judged from their text when read, and from the disk by the caller.
/// </summary>
public sealed class KnownHostsFilesTests
{
    private const string InventoryFile = "/srv/ops/inventory.yaml";

    private static LoadedDocument Inventory(string knownHosts, string checking = "accept-new") => DocumentLoader.Load(InventoryFile, $$"""
        apiVersion: opsmith/v1
        kind: Inventory
        defaults: {user: root, host_key_checking: {{checking}}}
        hosts:
          web1: {address: 10.0.1.11, known_hosts: "{{knownHosts}}"}
        """);

    [Theory]
    [InlineData("/dev/null", "/dev/null throws away every key")]
    [InlineData("/dev/../dev/null", "/dev/null throws away every key")]
    [InlineData("//dev//null", "/dev/null throws away every key")]
    [InlineData("/dev/stdout", "devices and terminals")]
    [InlineData("/dev/tty", "devices and terminals")]
    [InlineData("/proc/self/fd/1", "the kernel's")]
    [InlineData("/etc/ssh/", "names a folder")]
    [InlineData("/etc/ssh/.", "names a folder")]
    [InlineData("~", "names a folder")]
    [InlineData("keys/", "names a folder")]
    public void A_path_that_cannot_keep_keys_is_an_error_naming_file_line_field_and_why(string path, string why)
    {
        var document = Inventory(path);

        Assert.Null(document.Inventory);
        var error = Assert.Single(document.Diagnostics);
        Assert.Equal(KnownHostsFiles.Code, error.Code);
        Assert.Equal(InventoryFile, error.File);
        Assert.Equal(5, error.Position.Line);
        Assert.Equal("hosts.web1.known_hosts", error.Path);
        Assert.Contains("'hosts.web1.known_hosts'", error.Message);
        Assert.Contains(why, error.Message);
        Assert.Contains("accept-new", error.Message);
        Assert.StartsWith($"{InventoryFile}:5:", error.ToLine());
    }

    [Fact]
    public void Dev_null_is_refused_with_strict_checking_too()
    {
        Assert.Null(Inventory("/dev/null", "strict").Inventory);
    }

    [Fact]
    public void Dev_null_under_defaults_is_refused_where_it_is_written()
    {
        var document = DocumentLoader.Load(InventoryFile, """
            apiVersion: opsmith/v1
            kind: Inventory
            defaults: {user: root, known_hosts: /dev/null, host_key_checking: accept-new}
            hosts:
              web1: {address: 10.0.1.11}
            """);

        var error = Assert.Single(document.Diagnostics);
        Assert.Equal("3:37", error.Position.ToString());
        Assert.Equal("defaults.known_hosts", error.Path);
    }

    [Theory]
    [InlineData("~/.ssh/known_hosts")]
    [InlineData("/etc/ssh/ssh_known_hosts")]
    [InlineData("/dev/shm/opsmith/known_hosts")]
    [InlineData("known_hosts")]
    public void A_file_path_is_accepted_and_kept_for_the_disk_check(string path)
    {
        var document = Inventory(path);

        Assert.Empty(document.Diagnostics);
        var setting = Assert.Single(document.Inventory!.KnownHostsSettings);
        Assert.Equal(document.Inventory.Hosts["web1"].KnownHosts, setting.Path);
        Assert.Equal(new SourcePosition(5, 43), setting.Position);
    }

    // ---- what only the disk shows (the file system passed in) ----

    [Theory]
    [InlineData(FileKind.Directory, "is a folder")]
    [InlineData(FileKind.CharacterDevice, "is a device")]
    [InlineData(FileKind.BlockDevice, "is a device")]
    [InlineData(FileKind.Fifo, "named pipe")]
    [InlineData(FileKind.Socket, "is a socket")]
    [InlineData(FileKind.Unknown, "cannot tell")]
    public void A_path_that_is_no_regular_file_on_disk_makes_the_inventory_invalid(FileKind kind, string why)
    {
        var document = Inventory("/var/lib/opsmith/known_hosts");

        var checkedDocument = KnownHostsFiles.CheckOnDisk(document, path => path == "/var/lib/opsmith/known_hosts" ? kind : FileKind.Directory);

        Assert.Null(checkedDocument.Inventory);
        var error = Assert.Single(checkedDocument.Diagnostics);
        Assert.Equal(KnownHostsFiles.Code, error.Code);
        Assert.Equal(5, error.Position.Line);
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void A_missing_file_in_an_existing_folder_is_fine_ssh_creates_it()
    {
        var document = Inventory("/var/lib/opsmith/known_hosts");

        var checkedDocument = KnownHostsFiles.CheckOnDisk(document, path => path == "/var/lib/opsmith" ? FileKind.Directory : FileKind.Missing);

        Assert.Same(document, checkedDocument);
    }

    [Fact]
    public void A_missing_file_in_a_missing_folder_cannot_keep_keys()
    {
        var checkedDocument = KnownHostsFiles.CheckOnDisk(Inventory("/var/lib/opsmith/known_hosts"), _ => FileKind.Missing);

        Assert.Contains("its folder does not either", Assert.Single(checkedDocument.Diagnostics).Message);
    }

    [Fact]
    public void A_regular_file_passes()
    {
        var document = Inventory("/var/lib/opsmith/known_hosts");

        Assert.Same(document, KnownHostsFiles.CheckOnDisk(document, _ => FileKind.RegularFile));
    }
}
