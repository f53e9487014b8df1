using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Core.Templates;
using Opsmith.Storage.Audit;

namespace Opsmith.Execution.Runs;

/// <summary>
/// Runs a skill on its hosts, <see cref="RunRequest.Parallel"/> at a time, through one <see cref="HostExecutor"/>.
/// Dry run: preconditions and each action's read-only <c>check</c> run for real; the plan lists what
/// --execute would run, with each command's effective tier; nothing else runs. Execute: preconditions (a
/// failure stops before anything changes) → actions in order, honouring <c>on_failure</c> → success criteria
/// with retries → if the skill failed after a step above read reached the host, rollback steps in reverse
/// order, then what held before the run (preconditions and steady-state checks) is checked again.
/// Every step is published on the run's event stream as it starts and ends.
/// </summary>
public sealed class SkillRunner(HostExecutor executor, RunChecks checks, TimeProvider time)
{
    private readonly SecretMasker masker = executor.Masker;
    private RunAudit Audit => executor.Audit;

    /// <summary>
    /// Rollback steps declare no risk of their own: they count as changing a service, and the classifier raises
    /// that when their command reads as more (a rollback that deletes data still needs a person).
    /// </summary>
    private const RiskTier RollbackRisk = RiskTier.ServiceMutation;

    /// <summary>A recorded rollback value larger than this is withheld: reports hold values, not outputs.</summary>
    private const int MaxRecordedValue = 64 * 1024;

    /// <summary>
    /// Runs the skill. <paramref name="ct"/> stops it (the current step is stopped, what changed is rolled back within
    /// <see cref="RollbackDeadline.Grace"/>); <paramref name="hurry"/>, a second stop, shortens that grace to
    /// <see cref="RollbackDeadline.HurriedGrace"/>. Neither ever skips the run's last audit record.
    /// </summary>
    public async Task<RunReport> RunAsync(RunRequest request, string skillFile, CancellationToken ct, CancellationToken hurry = default)
    {
        FeedSecrets(request.Inputs);
        var started = time.GetUtcNow();
        var hosts = request.Hosts.Select(h => h.Name).ToList();
        await StartAsync(request.Skill, $"{(request.Mode == RunMode.Execute ? "execute" : "dry run")} on {string.Join(", ", hosts)}", hosts);
        var reports = new HostReport[request.Hosts.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, request.Hosts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Parallel), CancellationToken = CancellationToken.None },
            async (index, _) => reports[index] = await RunHostGuardedAsync(request, request.Hosts[index], ct, hurry));
        var inputs = request.Inputs.Values.ToDictionary(p => p.Key, p => request.Inputs.SecretNames.Contains(p.Key) ? SecretMasker.Mask : masker.Apply(p.Value));
        var verdict = RunReport.Overall(reports);
        await FinishAsync(request.Skill, verdict, string.Join(", ", reports.Select(r => $"{r.Host} {r.Verdict.Wire()}")));
        return new RunReport(RunReport.CurrentFormat, Audit.RunId, request.Skill.Name, skillFile, request.Skill.ContentHash,
            // Absolute, as the skill file is: `opsmith rollback REPORT` may run from another folder.
            Path.GetFullPath(request.Inventory.SourceFile),
            request.Inventory.ContentHash, request.Mode, started, time.GetUtcNow(), inputs, verdict, reports);
    }

    private async Task StartAsync(Skill skill, string detail, IReadOnlyList<string> hosts)
    {
        await Audit.Store.AppendAsync(AuditEntry.RunStarted(Audit.RunId, Audit.Actor, skill.Name, skill.ContentHash, RunOwner.OfCurrentProcess(),
            masker.Apply(detail)) with { Facts = new AuditFacts(Mode: Audit.Mode) }, CancellationToken.None);
        Audit.Events.Publish(new RunStartedEvent(skill.Name, Audit.Mode, hosts));
    }

    private async Task FinishAsync(Skill skill, RunVerdict verdict, string detail)
    {
        try
        {
            await Audit.Store.AppendAsync(AuditEntry.RunFinished(Audit.RunId, Audit.Actor, skill.Name, skill.ContentHash,
                masker.Apply($"{verdict.Wire()}: {detail}")) with { Facts = new AuditFacts(Mode: Audit.Mode, Outcome: verdict.Wire()) }, CancellationToken.None);
        }
        finally
        {
            Audit.Events.Publish(new RunFinishedEvent(verdict));
            Audit.Events.Complete();
        }
    }

    /// <summary>Every secret input goes to the masker before anything runs or is written.</summary>
    private void FeedSecrets(BoundInputs inputs)
    {
        foreach (var name in inputs.SecretNames)
            if (inputs.Values.TryGetValue(name, out var secret)) masker.Add(secret);
    }

    /// <summary>Every host gets a report, whatever happens on another host or in this one.</summary>
    private async Task<HostReport> RunHostGuardedAsync(RunRequest request, InventoryHost host, CancellationToken ct, CancellationToken hurry)
    {
        var report = new HostReportBuilder(host, Audit);
        try
        {
            return await RunHostAsync(request, host, report, ct, hurry);
        }
        catch (OperationCanceledException)
        {
            return report.Done(RunVerdict.Canceled, "cancelled");
        }
    }

    private async Task<HostReport> RunHostAsync(RunRequest request, InventoryHost host, HostReportBuilder report, CancellationToken ct, CancellationToken hurry)
    {
        var spec = request.Skill.Spec;
        var context = new RenderContext(request.Inputs.Values, host, request.Inventory.VarsOf(host));
        var steps = new StepRunner(executor, checks, time, request.Skill, host, context, request.StepTimeout);
        HostReport Done(RunVerdict verdict, string? error = null, IReadOnlyList<PlannedCommand>? plan = null, RollbackReport? rollback = null) =>
            report.Done(verdict, error, plan, rollback, Recorded(request, context), HostReportBuilder.Outputs(request.Skill, context, masker),
                report.Findings(request.Skill, context));

        // A dry run that never touched the host would say "planned" for a host that cannot be reached.
        if (request.Mode == RunMode.DryRun && await executor.ReachAsync(host, ct, request.Skill.Spec.Via) is { } unreachable)
            return Done(RunVerdict.Unreachable, unreachable);

        foreach (var check in spec.Preconditions)
        {
            var outcome = report.Add(await steps.CheckAsync(RunSection.Preconditions, check, ct));
            if (outcome.HostLost) return Done(RunVerdict.Unreachable, outcome.Report.Detail);
            if (outcome.Canceled) return Done(RunVerdict.Canceled, "cancelled before anything changed");
            if (!outcome.Passed) return Done(RunVerdict.PreconditionFailed, $"precondition '{check.Name}' failed: {outcome.Report.Detail}; nothing was changed");
        }

        if (request.Mode == RunMode.DryRun) return await PlanAsync(request, host, steps, context, report, Done, ct);

        string? failure = null;
        var wantRollback = false;
        var canceled = false;
        foreach (var action in spec.Actions)
        {
            // A step whose condition does not hold never reaches the host: nothing to roll back for it.
            if (action.When is { } when && report.Evaluate(when, context) is { Held: false } unmet)
            {
                report.Add(steps.Skipped(RunSection.Actions, action.Name, $"skipped: {unmet.Reason}"));
                continue;
            }
            var outcome = report.Add(await steps.CommandAsync(RunSection.Actions, action.Name, action.Run, action.Risk,
                action.Timeout ?? request.StepTimeout ?? RunRequest.DefaultActionTimeout, ct));
            if (outcome.Passed) continue;
            if (outcome.HostLost || outcome.Canceled)
            {
                canceled = outcome.Canceled;
                failure = outcome.Canceled ? "cancelled" : outcome.Report.Detail;
                wantRollback = true;
                break;
            }
            if (action.OnFailure == FailurePolicy.Continue) continue;
            failure = $"action '{action.Name}' failed: {outcome.Report.Detail}";
            wantRollback = action.OnFailure == FailurePolicy.Rollback;
            if (!wantRollback) failure += " (on_failure: abort, so no rollback; the host is left as it is for a person to inspect)";
            break;
        }

        if (failure is null)
        {
            // A run that changed nothing checks every criterion: each result is evidence for the skill's findings.
            var checkAll = spec.Risk == RiskTier.Read;
            foreach (var check in spec.SuccessCriteria)
            {
                var outcome = report.Add(await steps.CheckAsync(RunSection.SuccessCriteria, check, ct));
                if (outcome.Passed) continue;
                canceled |= outcome.Canceled;
                failure ??= outcome.Canceled ? "cancelled" : $"success criterion '{check.Name}' failed: {outcome.Report.Detail}";
                wantRollback = true;
                if (!checkAll || outcome.Canceled || outcome.HostLost || report.Changed) break;
            }
        }
        if (failure is null) return Done(RunVerdict.Succeeded);

        var failedVerdict = canceled ? RunVerdict.Canceled
            : report.Steps.Any(r => r.Verdict == StepVerdict.Unreachable) ? RunVerdict.Unreachable : RunVerdict.Failed;
        // Only a step above read that reached the host can have changed it: nothing else needs undoing.
        if (!wantRollback || !report.Changed) return Done(failedVerdict, report.Changed ? failure : $"{failure}; nothing had been changed");
        if (spec.Rollback.IsExplicitlyNone) return Done(failedVerdict, $"{failure}; the skill has no rollback: {spec.Rollback.NoneReason}");

        // A rollback must finish even when the run is cancelled: a Ctrl-C only starts a deadline for it.
        using var deadline = new RollbackDeadline(ct, hurry, time);
        var rollback = await RollbackAsync(spec, host, steps, failure, deadline.Token);
        // A host that is not back to its steady state must say so, even when the run was cancelled.
        var verdict = !rollback.Restored ? RunVerdict.RollbackFailed : canceled ? RunVerdict.Canceled : RunVerdict.RolledBack;
        return Done(verdict, failure, rollback: rollback);
    }

    /// <summary>
    /// Runs the rollback recorded for one host in an earlier report (`opsmith rollback REPORT --execute`):
    /// the recorded template values plus the inputs (secrets given again), then what held before the run.
    /// </summary>
    public async Task<HostReport> RollBackRecordedAsync(Skill skill, Inventory inventory, InventoryHost host,
        RecordedRollback recorded, BoundInputs inputs, CancellationToken ct)
    {
        var context = RecordedContext(inventory, host, recorded, inputs);
        var steps = new StepRunner(executor, checks, time, skill, host, context);
        await StartAsync(skill, $"rollback of an earlier run on {host.Name}", [host.Name]);
        var report = new HostReportBuilder(host, Audit);
        var rollback = await RollbackAsync(skill.Spec, host, steps, "requested with opsmith rollback", ct);
        var verdict = rollback.Restored ? RunVerdict.RolledBack : RunVerdict.RollbackFailed;
        await FinishAsync(skill, verdict, host.Name);
        return report.Done(verdict, rollback: rollback);
    }

    /// <summary>What `opsmith rollback REPORT` would run on a host, in order, rendered and masked, with each command's effective tier.</summary>
    public IReadOnlyList<PlannedCommand> PlanRecordedRollback(Skill skill, Inventory inventory, InventoryHost host, RecordedRollback recorded, BoundInputs inputs)
    {
        var context = RecordedContext(inventory, host, recorded, inputs);
        return skill.Spec.Rollback.Steps.Reverse().Select(s => Planned(RunSection.Rollback, s.Name, RollbackRisk, s.Run, context)).ToList();
    }

    private PlannedCommand Planned(RunSection section, string name, RiskTier declared, string template, RenderContext context)
    {
        var text = PlanText(template, context);
        return new PlannedCommand(section, name, executor.Guard.EffectiveTier(text, declared), text);
    }

    private RenderContext RecordedContext(Inventory inventory, InventoryHost host, RecordedRollback recorded, BoundInputs inputs)
    {
        FeedSecrets(inputs);
        var context = new RenderContext(inputs.Values, host, inventory.VarsOf(host));
        foreach (var (reference, value) in recorded.Values.Where(v => !v.Key.StartsWith("inputs.", StringComparison.Ordinal)))
        {
            var parts = reference.Split('.');
            if (parts.Length == 3) context.SetStepResult(parts[0], parts[1], new Dictionary<string, string> { [parts[2]] = value });
        }
        return context;
    }

    /// <summary>
    /// Rollback steps in reverse order (the last listed undoes the last action), then what held before the run —
    /// the preconditions and the skill's steady-state checks — is checked again. The success criteria are not:
    /// a rollback puts the host back where it was, not where the run failed to get it. A skill that declares
    /// neither is restored when every rollback step passed.
    /// </summary>
    internal async Task<RollbackReport> RollbackAsync(SkillSpec spec, InventoryHost host, StepRunner steps, string reason, CancellationToken ct)
    {
        Audit.Events.Publish(new RollbackStartedEvent(host.Name, masker.Apply(reason)));
        var rollbackSteps = new List<StepReport>();
        foreach (var step in spec.Rollback.Steps.Reverse())
        {
            var outcome = await steps.CommandAsync(RunSection.Rollback, step.Name, step.Run, RollbackRisk, step.Timeout ?? RunRequest.DefaultActionTimeout, ct);
            rollbackSteps.Add(outcome.Report);
            if (outcome.HostLost) break;
        }
        var verification = new List<StepReport>();
        var restored = rollbackSteps.All(s => s.Verdict == StepVerdict.Passed);
        foreach (var check in spec.Preconditions.Concat(spec.SteadyStateChecks))
        {
            var outcome = await steps.CheckAsync(RunSection.Verification, check, ct);
            verification.Add(outcome.Report);
            if (!outcome.Passed)
            {
                restored = false;
                break;
            }
        }
        return new RollbackReport(masker.Apply(reason), restored, rollbackSteps, verification);
    }

    private async Task<HostReport> PlanAsync(RunRequest request, InventoryHost host, StepRunner steps, RenderContext context, HostReportBuilder report,
        Func<RunVerdict, string?, IReadOnlyList<PlannedCommand>?, RollbackReport?, HostReport> done, CancellationToken ct)
    {
        var plan = new List<PlannedCommand>();
        string? problem = null;
        foreach (var action in request.Skill.Spec.Actions)
        {
            if (action.Check is not null)
            {
                var outcome = report.Add(await steps.CommandAsync(RunSection.Checks, action.Name, action.Check, RiskTier.Read,
                    action.Timeout ?? request.StepTimeout ?? RunRequest.DefaultCheckTimeout, ct));
                if (outcome.HostLost) return done(RunVerdict.Unreachable, outcome.Report.Detail, plan, null);
                if (!outcome.Passed) problem ??= $"the check of action '{action.Name}' failed: {outcome.Report.Detail}";
            }
            plan.Add(Planned(RunSection.Actions, action.Name, action.Risk, action.Run, context));
        }
        foreach (var step in request.Skill.Spec.Rollback.Steps.Reverse())
            plan.Add(Planned(RunSection.Rollback, step.Name, RollbackRisk, step.Run, context));
        return done(problem is null ? RunVerdict.Planned : RunVerdict.PlanFailed, problem, plan, null);
    }

    /// <summary>A command as --execute would run it; values of steps that only run then are shown as their reference.</summary>
    private string PlanText(string template, RenderContext context)
    {
        var rendered = TemplateRenderer.Render(template, context, RenderMode.Shell);
        if (rendered.Ok) return masker.Apply(rendered.Text);
        var parts = TemplateText.Parse(template).Parts.Select(p => p switch
        {
            LiteralPart l => l.Text,
            ReferencePart r when context.TryGet(r.Dotted, out var v) => ShellQuote.Quote(v),
            ReferencePart r => $"<{r.Dotted}>",
            _ => "",
        });
        return masker.Apply(string.Concat(parts));
    }

    /// <summary>The values the rollback templates use, without secrets, so `opsmith rollback` can run them later.</summary>
    private RecordedRollback? Recorded(RunRequest request, RenderContext context)
    {
        if (request.Skill.Spec.Rollback.Steps.Count == 0) return null;
        var values = new Dictionary<string, string>();
        var secrets = new HashSet<string>();
        var withheld = new HashSet<string>();
        foreach (var reference in request.Skill.Spec.Rollback.Steps.SelectMany(s => TemplateText.Parse(s.Run).References))
        {
            if (reference.Root == "inputs" && request.Inputs.SecretNames.Contains(reference.Segments[1])) secrets.Add(reference.Segments[1]);
            else if (reference.Root != "target" && context.TryGet(reference.Dotted, out var value))
            {
                // A value that holds a secret is never written down; a later rollback cannot use it.
                if (masker.Apply(value) == value && value.Length <= MaxRecordedValue) values[reference.Dotted] = value;
                else withheld.Add(reference.Dotted);
            }
        }
        return new RecordedRollback(values, secrets.Order().ToList(), withheld.Order().ToList());
    }

}
