using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;

namespace Opsmith.Execution.Runs;

/// <summary>
/// Assembles one host's report as its steps finish: the only place a <see cref="HostReport"/> is made. It knows
/// whether anything reached the host above read (<see cref="Changed"/>), which decides whether a rollback is
/// needed, and publishes the host's end on the run's event stream.
/// </summary>
internal sealed class HostReportBuilder(InventoryHost host, RunAudit audit)
{
    private readonly List<StepReport> _steps = [];

    public bool Changed { get; private set; }

    public IReadOnlyList<StepReport> Steps => _steps;

    public StepOutcome Add(StepOutcome outcome)
    {
        _steps.Add(outcome.Report);
        if (outcome.Changed) Changed = true;
        return outcome;
    }

    public HostReport Done(RunVerdict verdict, string? error = null, IReadOnlyList<PlannedCommand>? plan = null, RollbackReport? rollback = null,
        RecordedRollback? recorded = null, IReadOnlyDictionary<string, string>? outputs = null)
    {
        var masked = error is null ? null : audit.Masker.Apply(error);
        audit.Events.Publish(new HostFinishedEvent(host.Name, verdict, masked));
        return new HostReport(host.Name, host.Address, verdict, masked, _steps.ToList(), plan ?? [], rollback, recorded)
        {
            Outputs = outputs ?? new Dictionary<string, string>(),
            Changed = Changed,
        };
    }

    /// <summary>The skill's declared outputs, from the values its steps produced on this host (masked; missing ones left out).</summary>
    public static IReadOnlyDictionary<string, string> Outputs(Skill skill, RenderContext context, SecretMasker masker)
    {
        var outputs = new Dictionary<string, string>();
        foreach (var output in skill.Spec.Outputs)
            if (context.TryGet(output.From, out var value)) outputs[output.Name] = masker.Apply(value);
        return outputs;
    }
}
