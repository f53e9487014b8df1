using System.Collections.Concurrent;
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
/// The executor is the only way to a host, and it cannot be talked past: the policy decides on the effective
/// tier (declared risk raised by the classifier), the kill switch is part of that decision, and a command the
/// audit trail cannot record never runs. Driven with a fake host, so what reaches "the host" is observable.
/// </summary>
public sealed class ChokepointTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opsmith-chokepoint-").FullName;
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
          web1: {connection: local}
        """).Model!;

    /// <summary>A declared-read step whose command restarts a service, then a real read.</summary>
    private static readonly Skill Understated = TestRuns.Skill("""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: understated, title: Understated, description: Claims to read but restarts., stage: diagnosis}
        spec:
          targets: web1
          risk: read
          actions:
            - name: look
              run: uptime
              risk: read
            - name: sneaky-restart
              run: systemctl restart nginx
              risk: read
          rollback: {none: true, reason: "it only reads, it says"}
        """);

    [Fact]
    public async Task A_kill_switch_engaged_mid_run_stops_the_next_mutating_step_whatever_its_declared_risk()
    {
        var killSwitch = new FakeKillSwitch();
        var host = new FakeHost(command => { if (command == "uptime") killSwitch.State = new KillSwitchState("user:carol", DateTimeOffset.UtcNow, "incident 4711"); });
        await using var executor = Executor(host, killSwitch, out var audit);

        var report = await new SkillRunner(executor, RunChecks.Default, TimeProvider.System)
            .RunAsync(Request(Understated), "understated.yaml", CancellationToken.None);

        Assert.Equal(["uptime"], host.Commands);
        var refused = report.Hosts[0].Steps.Single(s => s.Name == "sneaky-restart");
        Assert.Equal(StepVerdict.Refused, refused.Verdict);
        Assert.Equal(RiskTier.ServiceMutation, refused.Tier);
        Assert.Contains("kill switch is on", refused.Detail);
        var decision = (await _audit.ListAsync(new AuditQuery(RunId: audit.RunId, Kind: AuditKind.Decision, Limit: 10), CancellationToken.None))
            .Single(d => d.Facts.Step == "sneaky-restart");
        Assert.Equal(AuditDecision.Blocked, decision.Decision);
        Assert.Equal(new AuditFacts(RunSection.Actions, "sneaky-restart", RiskTier.ServiceMutation, RunMode.Execute, "kill-switch"), decision.Facts);
    }

    [Fact]
    public async Task With_the_kill_switch_on_reads_still_run_and_the_refusal_is_in_the_audit_trail()
    {
        var host = new FakeHost();
        await using var executor = Executor(host, new FakeKillSwitch { State = new KillSwitchState("user:carol", DateTimeOffset.UtcNow, "") }, out var audit);

        var read = await executor.RunAsync(Inventory.Hosts["web1"], new StepIdentity("s", RunSection.Actions, "look", RiskTier.Read), "df -h",
            CommandLimits.Default, CancellationToken.None);
        var write = await executor.RunAsync(Inventory.Hosts["web1"], new StepIdentity("s", RunSection.Actions, "wipe", RiskTier.Read), "rm -rf /opt/app",
            CommandLimits.Default, CancellationToken.None);

        Assert.True(read.Succeeded);
        Assert.Equal(CommandStatus.Refused, write.Status);
        Assert.False(write.Started);
        Assert.Equal(["df -h"], host.Commands);
        var blocked = await _audit.ListAsync(new AuditQuery(RunId: audit.RunId, Decision: AuditDecision.Blocked, Limit: 10), CancellationToken.None);
        Assert.Equal("kill-switch", Assert.Single(blocked).Facts.Outcome);
    }

    [Fact]
    public async Task A_command_the_audit_trail_cannot_record_does_not_run()
    {
        var host = new FakeHost();
        await using var executor = Executor(host, new FakeKillSwitch(), out _, store: new FailingAuditStore(_audit));

        var result = await executor.RunAsync(Inventory.Hosts["web1"], new StepIdentity("s", RunSection.Actions, "look", RiskTier.Read), "uptime",
            CommandLimits.Default, CancellationToken.None);

        Assert.Equal(CommandStatus.Refused, result.Status);
        Assert.False(result.Started);
        Assert.Contains("could not be recorded", result.Error);
        Assert.Empty(host.Commands);
    }

    [Fact]
    public async Task A_step_that_reads_as_mutating_is_treated_as_changing_the_host()
    {
        var host = new FakeHost(exitCode: command => command.StartsWith("systemctl", StringComparison.Ordinal) ? 1 : 0);
        await using var executor = Executor(host, new FakeKillSwitch(), out _);

        var report = await new SkillRunner(executor, RunChecks.Default, TimeProvider.System)
            .RunAsync(Request(Understated), "understated.yaml", CancellationToken.None);

        // The restart reached the host and failed: it may have changed something, so the run says so.
        var hostReport = report.Hosts[0];
        Assert.True(hostReport.Changed);
        Assert.Equal(RiskTier.ServiceMutation, hostReport.Steps.Single(s => s.Name == "sneaky-restart").Tier);
        Assert.DoesNotContain("nothing had been changed", hostReport.Error);
    }

    [Fact]
    public async Task Every_step_is_published_on_the_run_event_stream_in_order()
    {
        var host = new FakeHost();
        var events = new RunEventStream("run", TimeProvider.System);
        var seen = new List<RunEvent>();
        var reading = Task.Run(async () => { await foreach (var e in events.Subscribe()) seen.Add(e); });
        await using var executor = Executor(host, new FakeKillSwitch(), out _, events: events);

        await new SkillRunner(executor, RunChecks.Default, TimeProvider.System).RunAsync(Request(Understated), "understated.yaml", CancellationToken.None);
        await reading;

        Assert.IsType<RunStartedEvent>(seen[0]);
        Assert.IsType<RunFinishedEvent>(seen[^1]);
        var order = seen.Select(e => e switch
        {
            StepStartedEvent s => $"start {s.Step}",
            DecisionEvent d => $"decide {d.Step} {YamlNames.Of(d.Tier)}",
            StepFinishedEvent f => $"end {f.Report.Name}",
            _ => null,
        }).OfType<string>().ToList();
        Assert.Equal(["start look", "decide look read", "end look", "start sneaky-restart", "decide sneaky-restart service-mutation", "end sneaky-restart"], order);
    }

    private RunRequest Request(Skill skill) =>
        new(skill, Inventory, [Inventory.Hosts["web1"]], new BoundInputs(new Dictionary<string, string>(), new HashSet<string>()), RunMode.Execute, 1);

    private HostExecutor Executor(FakeHost host, IKillSwitch killSwitch, out RunAudit audit, IAuditStore? store = null, RunEventStream? events = null)
    {
        var settings = PolicySettings.Default with { Autonomy = AutonomyLevel.AutomateDestructive, MaxRunsPerHour = null, MaxRunsPerHourPerSkill = null };
        var guard = new StepGuard(new CommandClassifier(), settings, new Actor("test", ActorKind.Human), ApprovalStores.For(_audit, settings, TimeProvider.System),
            killSwitch, TimeProvider.System);
        var runId = RunAudit.NewRunId();
        audit = new RunAudit(store ?? _audit, runId, "user:test", "hash", RunMode.Execute, new SecretMasker(), events ?? new RunEventStream(runId, TimeProvider.System));
        return new HostExecutor(new FakeConnector(host), audit, guard);
    }

    private sealed class FakeKillSwitch : IKillSwitch
    {
        public volatile KillSwitchState? State;
        public KillSwitchState? Read() => State;
    }

    /// <summary>A host that records every command that reaches it.</summary>
    private sealed class FakeHost(Action<string>? onCommand = null, Func<string, int>? exitCode = null) : ICommandHost
    {
        private readonly ConcurrentQueue<string> _commands = new();
        public IReadOnlyList<string> Commands => _commands.ToList();
        public string Name => "web1";
        public bool IsUsable => true;

        public Task<CommandResult> RunAsync(string command, CommandLimits limits, CancellationToken cancellationToken)
        {
            _commands.Enqueue(command);
            onCommand?.Invoke(command);
            return Task.FromResult(new CommandResult(CommandStatus.Completed, exitCode?.Invoke(command) ?? 0, "", "", TimeSpan.Zero));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class FakeConnector(FakeHost host) : IHostConnector
    {
        public Task<(ICommandHost? Host, string? Error)> ConnectAsync(InventoryHost target, CancellationToken ct) => Task.FromResult<(ICommandHost?, string?)>((host, null));
        public Task<(ICommandHost? Host, string? Error)> ReconnectAsync(InventoryHost target, ICommandHost broken, CancellationToken ct) => ConnectAsync(target, ct);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>An audit trail that cannot be written (a full disk, a lost database): reads work, appends fail.</summary>
    private sealed class FailingAuditStore(IAuditStore inner) : IAuditStore
    {
        public Task<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) => throw new IOException("disk full");
        public Task<IReadOnlyList<AuditRecord>> AppendBatchAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) => throw new IOException("disk full");
        public Task<IReadOnlyList<AuditRecord>> ListAsync(AuditQuery query, CancellationToken cancellationToken) => inner.ListAsync(query, cancellationToken);
        public Task<AuditRecord?> GetAsync(long sequence, CancellationToken cancellationToken) => inner.GetAsync(sequence, cancellationToken);
        public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) => inner.VerifyAsync(cancellationToken);
        public Task<long> ExportJsonlAsync(TextWriter writer, CancellationToken cancellationToken) => inner.ExportJsonlAsync(writer, cancellationToken);
        public Task<IReadOnlyList<AuditRecord>> MarkInterruptedRunsAsync(CancellationToken cancellationToken) => inner.MarkInterruptedRunsAsync(cancellationToken);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
