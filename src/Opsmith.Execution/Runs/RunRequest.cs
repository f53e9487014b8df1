using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Skills;

namespace Opsmith.Execution.Runs;

public enum RunMode { DryRun, Execute }

/// <summary>Everything one run needs, checked before anything runs.</summary>
public sealed record RunRequest(Skill Skill, Inventory Inventory, IReadOnlyList<InventoryHost> Hosts, BoundInputs Inputs, RunMode Mode, int Parallel)
{
    public static readonly TimeSpan DefaultActionTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultCheckTimeout = TimeSpan.FromSeconds(30);
}

/// <summary>A line of progress: which host is where. Rendered live on a terminal, as plain lines otherwise.</summary>
public sealed record RunProgress(string Host, string Phase, string? Step, string? Outcome);
