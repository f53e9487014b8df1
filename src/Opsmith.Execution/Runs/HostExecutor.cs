using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Skills;
using Opsmith.Execution.Hosts;
using Opsmith.Storage.Audit;

namespace Opsmith.Execution.Runs;

/// <summary>
/// Which step of which skill a command belongs to, and its declared risk: what the kill switch, the policy
/// engine and the audit trail see.
/// </summary>
public sealed record StepIdentity(string Skill, string Section, string Step, RiskTier Risk);

/// <summary>The audit trail of one run: where records go and what they say about who and what.</summary>
public sealed record RunAudit(IAuditStore Store, string RunId, string Actor, string SkillHash)
{
    public static string NewRunId() => Guid.NewGuid().ToString("N");
}

/// <summary>
/// The single chokepoint through which every command reaches a host. Nothing else in Opsmith starts a
/// process on a host: runs, checks, rollbacks and (later) the agent all call <see cref="RunAsync"/>.
/// This is where the policy decision and the audit record attach (the guardrails issue).
/// </summary>
public sealed class HostExecutor(HostConnector connector, RunAudit audit, SecretMasker masker, KillSwitch killSwitch, StepGuard guard)
{
    public RunAudit Audit => audit;
    public SecretMasker Masker => masker;
    public StepGuard Guard => guard;

    public async Task<CommandResult> RunAsync(InventoryHost host, StepIdentity step, string command, CommandLimits limits,
        CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return CommandResult.NotStarted(CommandStatus.Canceled, "cancelled before it started; nothing ran");
        // Checked before every step that can change a host, so switching it on stops runs in other processes too.
        if (step.Risk > RiskTier.Read && killSwitch.Read() is { } engaged)
            return CommandResult.NotStarted(CommandStatus.Refused, $"not run: the kill switch is on ({engaged}); no {YamlNames.Of(step.Risk)} step may start");
        ICommandHost? target;
        string? error;
        try
        {
            (target, error) = await connector.ConnectAsync(host, cancellationToken);
            if (target is { IsUsable: false } broken) (target, error) = await connector.ReconnectAsync(host, broken, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return CommandResult.NotStarted(CommandStatus.Canceled, "cancelled while connecting; nothing ran");
        }
        if (target is null) return CommandResult.NotStarted(CommandStatus.Unreachable, error ?? $"cannot reach {host.Name}");

        // The policy decides, and the decision and the command are recorded, before anything runs:
        // a command the trail cannot hold does not run.
        try
        {
            var clearance = await guard.ClearAsync(audit, host.Name, step, command, masker.Apply(command), cancellationToken);
            if (!clearance.Run) return CommandResult.NotStarted(CommandStatus.Refused, $"not run: {masker.Apply(clearance.Reason)}");
            await audit.Store.AppendAsync(AuditEntry.ForCommand(audit.RunId, audit.Actor, host.Name, step.Skill, audit.SkillHash,
                masker.Apply($"{step.Section}/{step.Step}: {command}")), CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            return CommandResult.NotStarted(CommandStatus.Canceled, "cancelled while waiting for a decision; nothing ran");
        }
        catch (Exception e)
        {
            return CommandResult.NotStarted(CommandStatus.Refused, $"not run: the policy decision could not be recorded ({e.Message})");
        }
        return await target.RunAsync(command, limits, cancellationToken);
    }
}
