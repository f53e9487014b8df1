using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Runs;
using Opsmith.Policy.Decisions;

namespace Opsmith.Application.Runs;

/// <summary>
/// What a caller asks to run. <paramref name="Secrets"/> supplies secret inputs not given in
/// <paramref name="Inputs"/> (the CLI reads <c>OPSMITH_SECRET_NAME</c>); null for none. <paramref name="CooldownOverride"/>
/// is a person's reason to run inside the skill's cooldown (audited; see <see cref="PolicySettings.CooldownOverride"/>).
/// </summary>
public sealed record RunSpec(
    string SkillFile,
    string InventoryFile,
    IReadOnlyDictionary<string, string> Inputs,
    RunMode Mode,
    int Parallel = 10,
    AutonomyLevel? Autonomy = null,
    Func<string, string?>? Secrets = null,
    string? CooldownOverride = null,
    TimeSpan? StepTimeout = null);

/// <summary>A run that passed every check before any host is touched: validated skill, inventory, bound inputs, resolved hosts.</summary>
public sealed record PreparedRun(Skill Skill, string SkillFile, Inventory Inventory, IReadOnlyList<InventoryHost> Hosts, BoundInputs Inputs,
    RunMode Mode, int Parallel, AutonomyLevel Autonomy, IReadOnlyList<string> Notes, string? CooldownOverride = null, TimeSpan? StepTimeout = null)
{
    public RunRequest Request => new(Skill, Inventory, Hosts, Inputs, Mode, Parallel) { StepTimeout = StepTimeout };
}

/// <summary>The rollback recorded in a report, checked against the skill and inventory as they are now.</summary>
public sealed record PreparedRollback(RunReport Report, Skill Skill, Inventory Inventory, IReadOnlyList<(HostReport Recorded, InventoryHost Host)> Targets,
    BoundInputs Inputs, AutonomyLevel Autonomy);

/// <summary>
/// A started run: its id, its live events, a way to stop it, and its report when it ends. Cancelling works
/// like Ctrl-C: the current step is stopped and whatever changed is rolled back (with a grace period,
/// <see cref="RollbackDeadline"/>); hurrying works like a second Ctrl-C and shortens that grace.
/// </summary>
public sealed class RunHandle(string runId, RunEventStream events, CancellationTokenSource cancel, CancellationTokenSource hurry, Task<RunReport> completion)
{
    public string RunId => runId;

    /// <summary>Every event so far, then each new one until the run ends.</summary>
    public IAsyncEnumerable<RunEvent> Events(CancellationToken cancellationToken = default) => events.Subscribe(cancellationToken);

    public void Cancel()
    {
        try { cancel.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Stops the run and gives its rollback only <see cref="RollbackDeadline.HurriedGrace"/>; the run is still recorded as finished.</summary>
    public void Hurry()
    {
        Cancel();
        try { hurry.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    public Task<RunReport> Completion => completion;
}

/// <summary>An agent's own command on one host while it investigates (<see cref="RunService.RunInvestigationCommandAsync"/>).</summary>
public sealed record InvestigationCommand(string InventoryFile, string Host, string Command, AutonomyLevel Autonomy, TimeSpan Timeout,
    int MaxOutputChars = 64 * 1024, string Step = "investigate");

/// <summary>
/// What became of it: the audit run id its records carry, the command's result (output masked), and the approval
/// request the policy made instead of running it, if any.
/// </summary>
public sealed record InvestigationCommandResult(string RunId, Execution.Hosts.CommandResult Result, string? ApprovalId, string? ApprovalReason = null);
