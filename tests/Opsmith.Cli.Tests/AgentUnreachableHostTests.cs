using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>
/// A suspect host the executor cannot connect to (here: nothing listens on its ssh port) can be neither diagnosed
/// nor repaired: the agent escalates and says which host it could not reach and ssh's reason, instead of
/// "no skill's findings explain" a red invariant.
/// </summary>
public sealed class AgentUnreachableHostTests : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task A_named_host_that_refuses_ssh_is_escalated_with_the_connection_error()
    {
        _home.Write("known_hosts", "");
        _home.Write("inventory.yaml", """
            apiVersion: opsmith/v1
            kind: Inventory
            defaults: {user: root, known_hosts: known_hosts, host_key_checking: strict}
            hosts:
              ghost: {address: 127.0.0.1, port: 1}
            """);
        var agent = _home.Write("agent.yaml", """
            apiVersion: opsmith/v1
            kind: Agent
            metadata: {name: local-sre}
            spec:
              autonomy: automate-safe
              skills: [check-*, diagnose-*]
              invariants:
                - {name: disk-has-room, skill: check-disk-usage, inputs: {path: /}, hosts: ghost}
            """);
        var env = new Dictionary<string, string> { ["OPSMITH_HOME"] = _home.Path, ["OPSMITH_ACTOR"] = "alice" };

        var run = await CliProcess.RunAsync(["agent", "run", agent, "-i", Path.Combine(_home.Path, "inventory.yaml"),
            "--description", "ghost does not answer", "--allow-mutation", "--settle", "1s"], env);

        Assert.True(run.ExitCode == 3, run.All);
        Assert.Contains("escalated", run.Stdout);
        Assert.Contains("ghost cannot be reached", run.Stdout);
        Assert.Contains("refused the connection", run.Stdout);
        Assert.DoesNotContain("no skill's findings explain them", run.Stdout);
    }
}
