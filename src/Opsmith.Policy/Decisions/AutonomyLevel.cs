namespace Opsmith.Policy.Decisions;

/// <summary>
/// How much Opsmith may do without a person, in increasing order. Whatever the level, a
/// <c>data-mutation</c> step is never run without a human approving that step (see <see cref="PolicyEngine"/>).
/// </summary>
public enum AutonomyLevel
{
    /// <summary>Only reads run; anything that changes a host is blocked.</summary>
    Observe,
    /// <summary>Reads run; every change is proposed and waits for a person's approval.</summary>
    Recommend,
    /// <summary>Reads and service mutations (restarts, reloads, scaling) run; destructive steps wait for approval.</summary>
    AutomateSafe,
    /// <summary>Everything but data mutations runs.</summary>
    AutomateDestructive,
}
