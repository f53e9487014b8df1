using Xunit;

namespace Opsmith.Testing;

/// <summary>One SSH cluster shared by the tests of a class (starting sshd takes a moment).</summary>
public sealed class SshClusterFixture : IAsyncLifetime
{
    public SshCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await SshCluster.StartAsync(nodes: 2);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
