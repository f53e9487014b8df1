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
}
