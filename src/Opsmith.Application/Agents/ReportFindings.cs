using Opsmith.Core.Agents;
using Opsmith.Core.Skills;
using Opsmith.Execution.Runs;

namespace Opsmith.Application.Agents;

/// <summary>The findings a run's report lists per host (the runner evaluated them), as the planner sees them: with the skill and host as evidence.</summary>
public static class ReportFindings
{
    /// <param name="stage">The skill's stage: a detection skill's findings are symptoms (<see cref="ObservedFinding.Symptom"/>).</param>
    public static IReadOnlyList<ObservedFinding> Of(RunReport report, HostReport host, Stage stage) =>
        host.Findings.Select(f => new ObservedFinding(report.Skill, host.Host, f.Name, f.Summary, f.Hypotheses, Weight(f.Severity), f.Facts)
        {
            Symptom = stage == Stage.Detection,
        }).ToList();

    private static int Weight(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => 3,
        FindingSeverity.Warning => 2,
        _ => 1,
    };
}
