using Opsmith.Core.Inventories;
using Opsmith.Execution.Hosts;

namespace Opsmith.Execution.Runs;

/// <summary>Which step of which skill a command belongs to: what the policy engine and audit trail see.</summary>
public sealed record StepIdentity(string Skill, string Section, string Step);

/// <summary>
/// The single chokepoint through which every command reaches a host. Nothing else in Opsmith starts a
/// process on a host: runs, checks, rollbacks and (later) the agent all call <see cref="RunAsync"/>.
/// This is where the policy decision and the audit record attach (the guardrails issue).
/// </summary>
public sealed class HostExecutor(HostConnector connector)
{
    public Inventory Inventory => connector.Inventory;

    public async Task<CommandResult> RunAsync(InventoryHost host, StepIdentity step, string command, CommandLimits limits,
        CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return CommandResult.NotStarted(CommandStatus.Canceled, "cancelled before it started; nothing ran");
        ICommandHost? target;
        string? error;
        try
        {
            (target, error) = await connector.ConnectAsync(host, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return CommandResult.NotStarted(CommandStatus.Canceled, "cancelled while connecting; nothing ran");
        }
        if (target is null) return CommandResult.NotStarted(CommandStatus.Unreachable, error ?? $"cannot reach {host.Name}");
        return await target.RunAsync(command, limits, cancellationToken);
    }
}
