using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests.Lab;

/// <summary>
/// A real lab (network namespaces, sshd, nginx, redis, PostgreSQL, Prometheus) brought up once for the lab
/// tests through the CLI, under a name of its own, and taken down at the end. Needs root, like the lab.
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    public string Name { get; } = NameFor('t');

    /// <summary>
    /// The name of this test process's lab of one kind: <c>t</c> this fixture's, <c>p</c> the first-run test's, <c>d</c>
    /// the down/crash test's. They run at the same time, and a lab's subnet comes from a hash of its name into 100
    /// values (<see cref="Opsmith.Lab.Hosts.LabLayout.SecondOctetFor"/>), so names chosen alone collided now and then
    /// ("would use 10.164.0.0/16, but this machine already has an address there"). Each kind takes the first suffix
    /// whose subnet has the kind's own remainder modulo 3: the three never share one.
    /// </summary>
    public static string NameFor(char kind)
    {
        var slot = "tpd".IndexOf(kind);
        if (slot < 0) throw new ArgumentOutOfRangeException(nameof(kind), kind, "one of t, p, d");
        var stem = $"{kind}{Environment.ProcessId % 0xfffff:x}";
        return Enumerable.Range(0, 100).Select(i => i == 0 ? stem : $"{stem}{i}")
            .First(name => Opsmith.Lab.Hosts.LabLayout.SecondOctetFor(name) % 3 == slot);
    }
    public string? UpError { get; private set; }

    public async Task InitializeAsync()
    {
        if (!Environment.IsPrivilegedProcess) { UpError = "the lab tests need root"; return; }
        var up = await CliProcess.RunAsync("lab", "up", "--name", Name);
        if (up.ExitCode != 0) UpError = $"lab up failed ({up.ExitCode}):\n{up.Stdout}\n{up.Stderr}";
    }

    public async Task DisposeAsync() => await CliProcess.RunAsync("lab", "down", "--name", Name);

    public void RequireUp() => Assert.True(UpError is null, UpError);

    public Task<CliResult> Lab(params string[] args) => CliProcess.RunAsync(["lab", .. args, "--name", Name]);

    /// <summary>The lab's machine-wide folder (keys, inventory, state).</summary>
    public string Folder => Path.Combine("/run/opsmith/labs", Name);

    /// <summary>Runs a command on a lab host over real SSH, through the bastion, as the inventory does.</summary>
    public async Task<CliResult> SshAsync(string host, string command)
    {
        var inventory = await File.ReadAllTextAsync(Path.Combine(Folder, "inventory.yaml"));
        string Address(string name) => inventory.Split($"  {name}:\n")[1].Split("address: ")[1].Split('\n')[0].Trim();
        string[] options = ["-i", Path.Combine(Folder, "id_ed25519"), "-o", $"UserKnownHostsFile={Path.Combine(Folder, "known_hosts")}",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"];
        var jump = $"ssh {string.Join(' ', options.Select(CliProcess.Quote))} -W %h:%p root@{Address("bastion")}";
        var result = await Opsmith.Execution.Processes.LocalProcess.RunAsync("ssh", [.. options, "-o", $"ProxyCommand={jump}", $"root@{Address(host)}", command],
            TimeSpan.FromMinutes(2), CancellationToken.None);
        return new CliResult(result.ExitCode, result.Stdout, result.Stderr);
    }
}

[CollectionDefinition("lab")]
public sealed class LabCollection : ICollectionFixture<LabFixture>;
