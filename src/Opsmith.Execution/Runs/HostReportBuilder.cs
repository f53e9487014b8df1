using Opsmith.Core.Checks;
using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;

namespace Opsmith.Execution.Runs;

/// <summary>
/// Assembles one host's report as its steps finish: the only place a <see cref="HostReport"/> is made. It knows
/// whether anything reached the host above read (<see cref="Changed"/>), which decides whether a rollback is
/// needed, remembers how each step ended for <c>when:</c> conditions and findings, and publishes the host's end
/// on the run's event stream.
/// </summary>
internal sealed class HostReportBuilder(InventoryHost host, RunAudit audit)
{
    private readonly List<StepReport> _steps = [];
    private readonly Dictionary<string, StepObservation> _observed = new(StringComparer.Ordinal);

    public bool Changed { get; private set; }

    public IReadOnlyList<StepReport> Steps => _steps;

    public StepOutcome Add(StepOutcome outcome)
    {
        _steps.Add(outcome.Report);
        if (outcome.Changed) Changed = true;
        _observed[outcome.Report.Name] = new StepObservation(Outcome(outcome.Report.Verdict), outcome.Report.ExitCode,
            outcome.Fields.TryGetValue("stdout", out var stdout) ? stdout : "");
        return outcome;
    }

    /// <summary>Whether a condition holds on what ran so far on this host (template text rendered with <paramref name="context"/>).</summary>
    public ConditionResult Evaluate(Condition condition, RenderContext context) =>
        ConditionEvaluator.Evaluate(condition, name => _observed.GetValueOrDefault(name),
            template => TemplateRenderer.Render(template, context, RenderMode.Text).Text);

    public HostReport Done(RunVerdict verdict, string? error = null, IReadOnlyList<PlannedCommand>? plan = null, RollbackReport? rollback = null,
        RecordedRollback? recorded = null, IReadOnlyDictionary<string, string>? outputs = null, IReadOnlyList<FindingReport>? findings = null)
    {
        var masked = error is null ? null : audit.Masker.Apply(error);
        audit.Events.Publish(new HostFinishedEvent(host.Name, verdict, masked));
        return new HostReport(host.Name, host.Address, verdict, masked, _steps.ToList(), plan ?? [], rollback, recorded)
        {
            Outputs = outputs ?? new Dictionary<string, string>(),
            Changed = Changed,
            Findings = findings ?? [],
        };
    }

    /// <summary>The skill's findings that hold on this host, summaries rendered with the inputs, target and facts, all masked.</summary>
    public IReadOnlyList<FindingReport> Findings(Skill skill, RenderContext context)
    {
        var found = new List<FindingReport>();
        foreach (var finding in skill.Spec.Findings)
        {
            var result = Evaluate(finding.When, context);
            if (!result.Held) continue;
            var facts = result.Facts.ToDictionary(f => f.Key, f => audit.Masker.Apply(f.Value));
            var summary = TemplateRenderer.Render(finding.Summary, context.With(facts.ToDictionary(f => $"facts.{f.Key}", f => f.Value)), RenderMode.Text);
            found.Add(new FindingReport(finding.Name, audit.Masker.Apply(summary.Text ?? finding.Summary), finding.Hypotheses, finding.Severity, facts));
        }
        return found;
    }

    /// <summary>The skill's declared outputs, from the values its steps produced on this host (masked; missing ones left out).</summary>
    public static IReadOnlyDictionary<string, string> Outputs(Skill skill, RenderContext context, SecretMasker masker)
    {
        var outputs = new Dictionary<string, string>();
        foreach (var output in skill.Spec.Outputs)
            if (context.TryGet(output.From, out var value)) outputs[output.Name] = masker.Apply(value);
        return outputs;
    }

    private static ConditionOutcome Outcome(StepVerdict verdict) => verdict switch
    {
        StepVerdict.Passed => ConditionOutcome.Succeeded,
        StepVerdict.Skipped => ConditionOutcome.Skipped,
        _ => ConditionOutcome.Failed,
    };
}
