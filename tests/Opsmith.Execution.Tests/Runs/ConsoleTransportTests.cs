using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Hosts;
using Opsmith.Execution.Runs;
using Opsmith.Execution.Tests.Support;
using Opsmith.Policy.Classification;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Execution.Tests.Runs;

/// <summary>
/// A host's out-of-band console is a transport of the executor like ssh: a console step is decided by the policy and
/// recorded (saying it went through the console) before it runs, the kill switch stops every console step, reads too,
/// and a host that declares no console refuses it. The console here is a real one: a local <c>/bin/sh</c> the
/// inventory names, so what runs through it is observable on this machine.
/// </summary>
public sealed class ConsoleTransportTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opsmith-console-").FullName;
    private SqliteAuditStore _audit = null!;

    public async Task InitializeAsync() =>
        _audit = await SqliteAuditStore.OpenAsync(new SqliteAuditOptions(Path.Combine(_folder, "audit.db")), TimeProvider.System, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _audit.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static readonly Inventory Inventory = (Inventory)DocumentLoader.Load("inventory.yaml", """
        apiVersion: opsmith/v1
        kind: Inventory
        hosts:
          with-console: {connection: local, console: {command: [/bin/sh]}}
          without-console: {connection: local}
        """).Model!;

    private static StepIdentity Console(string step, RiskTier declared, string? skill = "s") =>
        new(skill, RunSection.Actions, step, declared, Via: Transport.Console);

    [Fact]
    public async Task A_console_step_is_decided_and_recorded_as_a_console_step_before_it_runs()
    {
        var marker = Path.Combine(_folder, "ran");
        await using var executor = Executor(new KillSwitch(_folder), out var audit);

        var result = await executor.RunAsync(Inventory.Hosts["with-console"], Console("touch-marker", RiskTier.ServiceMutation),
            $"touch {marker} && echo done", CommandLimits.Default, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error ?? result.Stderr);
        Assert.True(File.Exists(marker));
        var records = await _audit.ListAsync(new AuditQuery(RunId: audit.RunId, Limit: 10), CancellationToken.None);
        var decision = Assert.Single(records, r => r.Kind == AuditKind.Decision);
        var command = Assert.Single(records, r => r.Kind == AuditKind.Command);
        Assert.True(decision.Sequence < command.Sequence);
        Assert.Equal(AuditDecision.Allowed, decision.Decision);
        Assert.Contains("actions/touch-marker (via console) [", decision.Detail);
        Assert.StartsWith("actions/touch-marker (via console): touch ", command.Detail);
    }

    [Fact]
    public async Task With_the_kill_switch_on_nothing_goes_through_the_console_not_even_a_read()
    {
        var killSwitch = new KillSwitch(_folder);
        killSwitch.TurnOn(new KillSwitchState("user:carol", DateTimeOffset.UtcNow, "incident 4711"));
        await using var executor = Executor(killSwitch, out var audit);

        var read = await executor.RunAsync(Inventory.Hosts["with-console"], Console("look", RiskTier.Read), "uptime",
            CommandLimits.Default, CancellationToken.None);
        var overSsh = await executor.RunAsync(Inventory.Hosts["with-console"], new StepIdentity("s", RunSection.Actions, "look", RiskTier.Read), "true",
            CommandLimits.Default, CancellationToken.None);

        Assert.Equal(CommandStatus.Refused, read.Status);
        Assert.False(read.Started);
        Assert.Contains("kill switch is on", read.Error);
        Assert.True(overSsh.Succeeded);   // the switch stops console reads; reads over the connection still run
        var blocked = Assert.Single(await _audit.ListAsync(new AuditQuery(RunId: audit.RunId, Decision: AuditDecision.Blocked, Limit: 10), CancellationToken.None));
        Assert.Equal("kill-switch", blocked.Facts.Outcome);
        Assert.Contains("(via console)", blocked.Detail);
    }

    [Fact]
    public async Task An_unreadable_kill_switch_stops_console_steps()
    {
        var killSwitch = new KillSwitch(_folder);
        Directory.CreateDirectory(killSwitch.FilePath);   // a kill-switch "file" that cannot be read counts as on
        await using var executor = Executor(killSwitch, out _);

        var read = await executor.RunAsync(Inventory.Hosts["with-console"], Console("look", RiskTier.Read), "uptime",
            CommandLimits.Default, CancellationToken.None);

        Assert.Equal(CommandStatus.Refused, read.Status);
        Assert.Contains("kill switch is on", read.Error);
    }

    [Fact]
    public async Task A_host_without_a_console_refuses_a_console_step_and_runs_nothing()
    {
        var marker = Path.Combine(_folder, "ran");
        await using var executor = Executor(new KillSwitch(_folder), out var audit);

        var result = await executor.RunAsync(Inventory.Hosts["without-console"], Console("touch-marker", RiskTier.ServiceMutation),
            $"touch {marker}", CommandLimits.Default, CancellationToken.None);

        Assert.Equal(CommandStatus.Refused, result.Status);
        Assert.False(result.Started);
        Assert.Contains("without-console declares no console in the inventory", result.Error);
        Assert.False(File.Exists(marker));
        Assert.Empty(await _audit.ListAsync(new AuditQuery(RunId: audit.RunId, Kind: AuditKind.Command, Limit: 10), CancellationToken.None));
    }

    [Fact]
    public async Task An_ad_hoc_command_may_not_use_the_console()
    {
        await using var executor = Executor(new KillSwitch(_folder), out _);

        var result = await executor.RunAsync(Inventory.Hosts["with-console"], Console("look", RiskTier.Read, skill: null), "uptime",
            CommandLimits.Default, CancellationToken.None);

        Assert.Equal(CommandStatus.Refused, result.Status);
        Assert.Contains("blocked by policy (console)", result.Error);
    }

    [Fact]
    public async Task A_console_step_gets_the_tier_the_classifier_reads_and_the_autonomy_decides_on_it()
    {
        await using var executor = Executor(new KillSwitch(_folder), out _, AutonomyLevel.Observe);

        var result = await executor.RunAsync(Inventory.Hosts["with-console"], Console("sneaky", RiskTier.Read), "systemctl restart ssh",
            CommandLimits.Default, CancellationToken.None);

        Assert.Equal(CommandStatus.Refused, result.Status);
        Assert.Equal(RiskTier.ServiceMutation, result.Tier);
        Assert.Contains("autonomy is observe", result.Error);
    }

    private HostExecutor Executor(IKillSwitch killSwitch, out RunAudit audit, AutonomyLevel autonomy = AutonomyLevel.AutomateDestructive)
    {
        var settings = PolicySettings.Default with { Autonomy = autonomy, MaxRunsPerHour = null, MaxRunsPerHourPerSkill = null };
        var guard = new StepGuard(new CommandClassifier(), settings, new Actor("test", ActorKind.Human), ApprovalStores.For(_audit, settings, TimeProvider.System),
            killSwitch, TimeProvider.System);
        var runId = RunAudit.NewRunId();
        audit = new RunAudit(_audit, runId, "user:test", "hash", RunMode.Execute, new SecretMasker(), new RunEventStream(runId, TimeProvider.System));
        return HostExecutor.ForInventory(Inventory, new SshConnection(Path.Combine(_folder, "ssh"), Connect.TestSsh), audit, guard);
    }
}
