using Opsmith.Core.Agents;
using Opsmith.Execution.Runs;

namespace Opsmith.Application.Agents;

/// <summary>The findings a run's report lists per host (the runner evaluated them), as the planner sees them.</summary>
public static class ReportFindings
{
    public static IReadOnlyList<ObservedFinding> Of(RunReport report, HostReport host) => [];
}
