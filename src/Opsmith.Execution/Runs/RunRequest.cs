using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;

namespace Opsmith.Execution.Runs;

/// <summary>Everything one run needs, checked before anything runs.</summary>
public sealed record RunRequest(Skill Skill, Inventory Inventory, IReadOnlyList<InventoryHost> Hosts, BoundInputs Inputs, RunMode Mode, int Parallel)
{
    public static readonly TimeSpan DefaultActionTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultCheckTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The limit for a step (action, check, precondition, success criterion — not a rollback step) that declares no
    /// timeout of its own, instead of <see cref="DefaultActionTimeout"/> and <see cref="DefaultCheckTimeout"/>. An agent's
    /// probes set it short, so a hung service turns a probe red instead of holding the agent's loop.
    /// </summary>
    public TimeSpan? StepTimeout { get; init; }
}
