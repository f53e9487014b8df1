using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Hosts;
using Opsmith.Execution.Hosts.Ssh;
using Opsmith.Policy.Classification;
using Opsmith.Storage.Audit;

namespace Opsmith.Execution.Runs;

/// <summary>
/// Which step of which skill a command belongs to and its declared risk: what the policy engine and the audit
/// trail see. <see cref="Skill"/> is null for an ad-hoc command. <see cref="Cooldown"/> is the skill's.
/// <see cref="Investigation"/> marks an agent's own command while it investigates: the policy lets it read, nothing more.
/// <see cref="Via"/> is how the command reaches the host: the inventory connection, or the host's out-of-band console
/// when the skill declares <c>via: console</c> (a fact the policy decides on and the audit trail records).
/// </summary>
public sealed record StepIdentity(string? Skill, RunSection Section, string Step, RiskTier Declared, TimeSpan? Cooldown = null, bool Investigation = false,
    Transport Via = Transport.Connection);

/// <summary>
/// What one run records and publishes: the audit trail and run id, who acts, the skill version, the mode,
/// the secret masker every text passes through, and the run's event stream.
/// </summary>
public sealed record RunAudit(IAuditStore Store, string RunId, string Actor, string SkillHash, RunMode Mode, SecretMasker Masker, RunEventStream Events)
{
    public static string NewRunId() => Guid.NewGuid().ToString("N");
}

/// <summary>How the executor reaches hosts over SSH: where control sockets live and ssh's own options.</summary>
public sealed record SshConnection(string ControlDirectory, SshOptions Options);

/// <summary>
/// The single chokepoint through which every command reaches a host. Nothing else in Opsmith can: the host
/// types are internal to this assembly, and the only way to get an executor is <see cref="ForInventory"/>.
/// Before every command, in this order: the policy decides (<see cref="StepGuard"/>: effective tier, kill
/// switch, autonomy, data protection, limits, approvals) and the decision is recorded; the command is recorded;
/// then it runs. A command the audit trail cannot record does not run.
/// </summary>
public sealed class HostExecutor : IAsyncDisposable
{
    private readonly IHostConnector _connector;

    internal HostExecutor(IHostConnector connector, RunAudit audit, StepGuard guard)
    {
        _connector = connector;
        Audit = audit;
        Guard = guard;
    }

    /// <summary>An executor for one run over the hosts of <paramref name="inventory"/>; disposing it closes their sessions.</summary>
    public static HostExecutor ForInventory(Inventory inventory, SshConnection ssh, RunAudit audit, StepGuard guard) =>
        new(new HostConnector(inventory, ssh.ControlDirectory, ssh.Options), audit, guard);

    public RunAudit Audit { get; }
    public SecretMasker Masker => Audit.Masker;
    public StepGuard Guard { get; }

    public async Task<CommandResult> RunAsync(InventoryHost host, StepIdentity step, string command, CommandLimits limits,
        CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return CommandResult.NotStarted(CommandStatus.Canceled, "cancelled before it started; nothing ran") with { Tier = step.Declared };
        // The console is used only where the inventory declares one; asking for it elsewhere is refused before anything else happens.
        if (step.Via == Transport.Console && host.Console is null)
            return CommandResult.NotStarted(CommandStatus.Refused,
                $"not run: '{step.Step}' goes through the console (via: console), but {host.Name} declares no console in the inventory") with { Tier = step.Declared };

        // The policy decides, and the decision and the command are recorded, before anything runs.
        Clearance clearance;
        try
        {
            clearance = await Guard.ClearAsync(Audit, host.Name, step, command, Masker.Apply(command), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return CommandResult.NotStarted(CommandStatus.Canceled, "cancelled while waiting for a decision; nothing ran") with { Tier = step.Declared };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return CommandResult.NotStarted(CommandStatus.Refused, $"not run: the policy decision could not be recorded ({Masker.Apply(e.Message)})") with
            {
                Tier = step.Declared,
            };
        }
        if (!clearance.Run) return CommandResult.NotStarted(CommandStatus.Refused, $"not run: {Masker.Apply(clearance.Reason)}") with { Tier = clearance.Tier };

        ICommandHost? target;
        string? error;
        try
        {
            if (step.Via == Transport.Console) (target, error) = await _connector.ConnectConsoleAsync(host, cancellationToken);
            else
            {
                (target, error) = await _connector.ConnectAsync(host, cancellationToken);
                if (target is { IsUsable: false } broken) (target, error) = await _connector.ReconnectAsync(host, broken, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            return CommandResult.NotStarted(CommandStatus.Canceled, "cancelled while connecting; nothing ran") with { Tier = clearance.Tier };
        }
        if (target is null) return CommandResult.NotStarted(CommandStatus.Unreachable, error ?? $"cannot reach {host.Name}") with { Tier = clearance.Tier };

        // A read runs where a misjudged write cannot land: in the host's read-only view, when the host has one.
        var sandbox = ReadSandbox.None;
        if (clearance.Tier == RiskTier.Read)
        {
            try
            {
                sandbox = await target.ReadSandboxAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return CommandResult.NotStarted(CommandStatus.Canceled, "cancelled while probing the read sandbox; nothing ran") with { Tier = clearance.Tier };
            }
            if (sandbox == ReadSandbox.None && clearance.Flags.HasFlag(ClassificationFlags.NeedsPrivateTmp))
            {
                // Its read tier held only with a private /tmp; without one it changes the host's /tmp, so the policy decides again.
                var raised = await ClearAgainAsync(host, step, command, cancellationToken,
                    (RiskTier.ServiceMutation, $"it writes under /tmp and {host.Name} has no read sandbox (private /tmp)"));
                if (raised.Result is { } refused) return refused;
                clearance = raised.Clearance!;
            }
        }
        var isolation = clearance.Tier != RiskTier.Read ? (ReadIsolation?)null
            : sandbox == ReadSandbox.None ? ReadIsolation.Unsandboxed : ReadIsolation.ReadOnly;

        try
        {
            await Audit.Store.AppendAsync(AuditEntry.ForCommand(Audit.RunId, Audit.Actor, host.Name, step.Skill ?? "", Audit.SkillHash,
                Masker.Apply($"{step.Section.Wire()}/{step.Step}{ViaText(step)}: {command}")) with
            {
                Facts = new AuditFacts(step.Section, step.Step, clearance.Tier, Audit.Mode, isolation is { } i ? IsolationOutcome(i) : ""),
            }, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return CommandResult.NotStarted(CommandStatus.Refused, $"not run: the command could not be recorded in the audit trail ({Masker.Apply(e.Message)})") with
            {
                Tier = clearance.Tier,
            };
        }
        var result = await target.RunAsync(command, limits, sandbox, cancellationToken) with
        {
            Tier = clearance.Tier,
            Isolation = isolation,
            Sensitive = clearance.Flags.HasFlag(ClassificationFlags.SensitiveRead),
        };
        if (sandbox != ReadSandbox.None && IsClassifierMiss(result)) result = await RecordClassifierMissAsync(host, step, result);
        return result;
    }

    /// <summary>How the trail says a command went through the console; nothing for the inventory connection.</summary>
    public static string ViaText(StepIdentity step) => step.Via == Transport.Console ? " (via console)" : "";

    /// <summary>Wire names of how a read ran, in the command record's outcome.</summary>
    public static string IsolationOutcome(ReadIsolation isolation) => isolation == ReadIsolation.ReadOnly ? "sandboxed" : "unsandboxed";

    /// <summary>The outcome of the decision record written when the sandbox stopped a read that wrote.</summary>
    public const string ClassifierMissOutcome = "classifier-miss";

    /// <summary>A sandboxed read failed and said why: the filesystem refused a write. Output that merely mentions it does not count when the command succeeded.</summary>
    private static bool IsClassifierMiss(CommandResult result) =>
        result is { Status: CommandStatus.Completed, ExitCode: not 0 } &&
        result.Stderr.Contains(ReadSandboxScript.ReadOnlyFileSystem, StringComparison.Ordinal) &&
        !result.Stderr.Contains(ReadSandboxScript.SetupFailedText, StringComparison.Ordinal);

    /// <summary>
    /// The trail records that a command the classifier called a read tried to write, as a decision the sandbox made
    /// (blocked, rule classifier-miss), so a reviewer can find it and teach the classifier or fix the skill.
    /// </summary>
    private async Task<CommandResult> RecordClassifierMissAsync(InventoryHost host, StepIdentity step, CommandResult result)
    {
        var reason = $"'{step.Step}' was classified read but tried to write to disk; the read-only sandbox stopped it (Read-only file system). " +
                     "The classifier misjudged it: declare the step's real risk or fix the skill's read_only_programs";
        try
        {
            await Audit.Store.AppendAsync(AuditEntry.ForDecision(Audit.RunId, Audit.Actor, host.Name, step.Skill ?? "", Audit.SkillHash,
                AuditDecision.Blocked, Masker.Apply($"{step.Section.Wire()}/{step.Step} [read, sandboxed] — {ClassifierMissOutcome}: {reason}")) with
            {
                Facts = new AuditFacts(step.Section, step.Step, RiskTier.Read, Audit.Mode, ClassifierMissOutcome),
            }, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            reason += $" (the audit trail could not record this: {Masker.Apply(e.Message)})";
        }
        Audit.Events.Publish(new DecisionEvent(host.Name, step.Section, step.Step, RiskTier.Read, Policy.Decisions.DecisionOutcome.Block,
            ClassifierMissOutcome, Masker.Apply(reason)));
        return result with { ClassifierMiss = true, Error = result.Error ?? Masker.Apply(reason) };
    }

    private async Task<(Clearance? Clearance, CommandResult? Result)> ClearAgainAsync(InventoryHost host, StepIdentity step, string command,
        CancellationToken cancellationToken, (RiskTier, string) floor)
    {
        try
        {
            var clearance = await Guard.ClearAsync(Audit, host.Name, step, command, Masker.Apply(command), cancellationToken, floor);
            return clearance.Run ? (clearance, null)
                : (null, CommandResult.NotStarted(CommandStatus.Refused, $"not run: {Masker.Apply(clearance.Reason)}") with { Tier = clearance.Tier });
        }
        catch (OperationCanceledException)
        {
            return (null, CommandResult.NotStarted(CommandStatus.Canceled, "cancelled while waiting for a decision; nothing ran") with { Tier = RiskTier.ServiceMutation });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (null, CommandResult.NotStarted(CommandStatus.Refused, $"not run: the policy decision could not be recorded ({Masker.Apply(e.Message)})") with
            {
                Tier = RiskTier.ServiceMutation,
            });
        }
    }

    /// <summary>
    /// Connects to a host without running anything: null when it answers, else why not (a value, never an
    /// exception). A dry run uses it so that "planned" means the host could be reached.
    /// </summary>
    public async Task<string?> ReachAsync(InventoryHost host, CancellationToken cancellationToken, Transport via = Transport.Connection)
    {
        if (via == Transport.Console)
            return host.Console is null ? $"{host.Name} declares no console in the inventory"
                : (await _connector.ConnectConsoleAsync(host, cancellationToken)).Error;
        var (target, error) = await _connector.ConnectAsync(host, cancellationToken);
        if (target is { IsUsable: false } broken) (target, error) = await _connector.ReconnectAsync(host, broken, cancellationToken);
        return target is null ? error ?? $"cannot reach {host.Name}" : null;
    }

    public ValueTask DisposeAsync() => _connector.DisposeAsync();
}
