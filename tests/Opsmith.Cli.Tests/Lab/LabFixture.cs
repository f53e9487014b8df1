using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests.Lab;

/// <summary>
/// A real lab (network namespaces, sshd, nginx, redis, PostgreSQL, Prometheus) brought up once for the lab
/// tests through the CLI, under a name of its own, and taken down at the end. Needs root, like the lab.
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    public string Name { get; } = $"t{Environment.ProcessId % 0xfffff:x}";
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
}

[CollectionDefinition("lab")]
public sealed class LabCollection : ICollectionFixture<LabFixture>;
