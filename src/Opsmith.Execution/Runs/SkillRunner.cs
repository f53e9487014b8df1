using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Skills;
using Opsmith.Core.Templates;
using Opsmith.Execution.Checks;
using Opsmith.Storage.Audit;

namespace Opsmith.Execution.Runs;

/// <summary>
/// Runs a skill on its hosts, <see cref="RunRequest.Parallel"/> at a time.
/// Dry run: preconditions and each action's read-only <c>check</c> run for real; the plan lists what
/// --execute would run; nothing else runs. Execute: preconditions (a failure stops before anything changes)
/// → actions in order, honouring <c>on_failure</c> → success criteria with retries → if the skill failed
/// after a mutation, rollback steps in reverse order, then the success criteria again to tell whether the
/// host is back to its steady state.
/// </summary>
public sealed class SkillRunner(HostExecutor executor, HttpCheck http, TcpCheck tcp, PrometheusCheck prometheus,
    TimeProvider time, IProgress<RunProgress>? progress = null)
{
    private readonly SecretMasker masker = executor.Masker;

    /// <summary>
    /// Rollback steps declare no risk of their own: they count as changing a service, and the classifier raises
    /// that when their command reads as more (a rollback that deletes data still needs a person).
    /// </summary>
    private const RiskTier RollbackRisk = RiskTier.ServiceMutation;

    /// <summary>A recorded rollback value larger than this is withheld: reports hold values, not outputs.</summary>
    private const int MaxRecordedValue = 64 * 1024;

    /// <summary>How long a rollback may take after Ctrl-C: it must not be cut short by the same Ctrl-C.</summary>
    public static readonly TimeSpan RollbackGrace = TimeSpan.FromMinutes(10);

    public async Task<RunReport> RunAsync(RunRequest request, string skillFile, CancellationToken ct)
    {
        FeedSecrets(request.Inputs);
        var started = time.GetUtcNow();
        var audit = executor.Audit;
        await audit.Store.AppendAsync(AuditEntry.RunStarted(audit.RunId, audit.Actor, request.Skill.Name, request.Skill.ContentHash,
            RunOwner.OfCurrentProcess(), $"{(request.Mode == RunMode.Execute ? "execute" : "dry run")} on {string.Join(", ", request.Hosts.Select(h => h.Name))}"),
            CancellationToken.None);
        var reports = new HostReport[request.Hosts.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, request.Hosts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Parallel), CancellationToken = CancellationToken.None },
            async (index, _) => reports[index] = await RunHostGuardedAsync(request, request.Hosts[index], ct));
        var inputs = request.Inputs.Values.ToDictionary(p => p.Key, p => request.Inputs.SecretNames.Contains(p.Key) ? SecretMasker.Mask : masker.Apply(p.Value));
        var verdict = Overall(reports);
        await audit.Store.AppendAsync(AuditEntry.RunFinished(audit.RunId, audit.Actor, request.Skill.Name, request.Skill.ContentHash,
            $"{verdict}: {string.Join(", ", reports.Select(r => $"{r.Host} {r.Verdict}"))}"), CancellationToken.None);
        return new RunReport(RunReport.CurrentFormat, request.Skill.Name, skillFile, request.Skill.ContentHash, request.Inventory.SourceFile,
            request.Inventory.ContentHash, request.Mode == RunMode.Execute ? "execute" : "dry-run", started, time.GetUtcNow(), inputs,
            verdict, reports);
    }

    /// <summary>Every secret input goes to the masker before anything runs or is written.</summary>
    private void FeedSecrets(BoundInputs inputs)
    {
        foreach (var name in inputs.SecretNames)
            if (inputs.Values.TryGetValue(name, out var secret)) masker.Add(secret);
    }

    public static string Overall(IReadOnlyList<HostReport> hosts)
    {
        if (hosts.All(h => Verdicts.IsSuccess(h.Verdict))) return hosts.Count > 0 ? hosts[0].Verdict : Verdicts.Succeeded;
        if (hosts.Any(h => h.Verdict == Verdicts.RollbackFailed)) return Verdicts.RollbackFailed;
        var failed = hosts.Select(h => h.Verdict).Where(v => !Verdicts.IsSuccess(v)).Distinct().ToList();
        return failed.Count == 1 ? failed[0] : Verdicts.Failed;
    }

    /// <summary>Every host gets a report, whatever happens on another host or in this one.</summary>
    private async Task<HostReport> RunHostGuardedAsync(RunRequest request, InventoryHost host, CancellationToken ct)
    {
        try
        {
            return await RunHostAsync(request, host, ct);
        }
        catch (OperationCanceledException)
        {
            return new HostReport(host.Name, host.Address, Verdicts.Canceled, "cancelled", [], [], null, null);
        }
    }

    private async Task<HostReport> RunHostAsync(RunRequest request, InventoryHost host, CancellationToken ct)
    {
        var spec = request.Skill.Spec;
        var context = new RenderContext(request.Inputs.Values, host, request.Inventory.VarsOf(host));
        var steps = new StepRunner(executor, http, tcp, prometheus, masker, time, request.Skill.Name, host, context);
        var reports = new List<StepReport>();
        HostReport Done(string verdict, string? error = null, IReadOnlyList<PlannedCommand>? plan = null, RollbackReport? rollback = null) =>
            new(host.Name, host.Address, verdict, error is null ? null : masker.Apply(error), reports, plan ?? [], rollback,
                Recorded(request, context));

        Report(host, "preconditions");
        foreach (var check in spec.Preconditions)
        {
            var outcome = await steps.CheckAsync("preconditions", check, ct);
            reports.Add(outcome.Report);
            Report(host, "preconditions", check.Name, outcome.Report.Verdict);
            if (outcome.HostLost) return Done(Verdicts.Unreachable, outcome.Report.Detail);
            if (outcome.Canceled) return Done(Verdicts.Canceled, "cancelled before anything changed");
            if (!outcome.Passed) return Done(Verdicts.PreconditionFailed, $"precondition '{check.Name}' failed: {outcome.Report.Detail}; nothing was changed");
        }

        if (request.Mode == RunMode.DryRun) return await PlanAsync(request, host, steps, context, reports, Done, ct);

        // Cooldown, rate limits and budget: checked once, after the preconditions and before the first action.
        var run = await executor.Guard.ClearRunAsync(executor.Audit, host.Name, request.Skill, time.GetUtcNow(), CancellationToken.None);
        if (!run.Run) return Done(Verdicts.Failed, $"{run.Reason}; nothing was changed");

        var mutated = false;
        string? failure = null;
        var wantRollback = false;
        var canceled = false;
        Report(host, "actions");
        foreach (var action in spec.Actions)
        {
            var outcome = await steps.CommandAsync("actions", action.Name, action.Run, action.Risk, action.Timeout ?? RunRequest.DefaultActionTimeout, ct);
            reports.Add(outcome.Report);
            Report(host, "actions", action.Name, outcome.Report.Verdict);
            if (outcome.Ran && action.Risk > RiskTier.Read) mutated = true;
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
            Report(host, "success_criteria");
            foreach (var check in spec.SuccessCriteria)
            {
                var outcome = await steps.CheckAsync("success_criteria", check, ct);
                reports.Add(outcome.Report);
                Report(host, "success_criteria", check.Name, outcome.Report.Verdict);
                if (outcome.Passed) continue;
                canceled = outcome.Canceled;
                failure = outcome.Canceled ? "cancelled" : $"success criterion '{check.Name}' failed: {outcome.Report.Detail}";
                wantRollback = true;
                break;
            }
        }
        if (failure is null) return Done(Verdicts.Succeeded);

        var failedVerdict = canceled ? Verdicts.Canceled : reports.Any(r => r.Verdict == StepVerdicts.Unreachable) ? Verdicts.Unreachable : Verdicts.Failed;
        if (!wantRollback || !mutated) return Done(failedVerdict, mutated ? failure : $"{failure}; nothing had been changed");
        if (spec.Rollback.IsExplicitlyNone) return Done(failedVerdict, $"{failure}; the skill has no rollback: {spec.Rollback.NoneReason}");

        // A rollback must finish even when the run is cancelled: a Ctrl-C only starts a deadline for it.
        using var grace = new CancellationTokenSource();
        using var onCancel = ct.Register(() => grace.CancelAfter(RollbackGrace));
        if (ct.IsCancellationRequested) grace.CancelAfter(RollbackGrace);
        var rollback = await RollbackAsync(spec, host, steps, failure, grace.Token);
        // A host that is not back to its steady state must say so, even when the run was cancelled.
        var verdict = !rollback.Restored ? Verdicts.RollbackFailed : canceled ? Verdicts.Canceled : Verdicts.RolledBack;
        return Done(verdict, failure, rollback: rollback);
    }

    /// <summary>
    /// Runs the rollback recorded for one host in an earlier report (`opsmith rollback REPORT --execute`):
    /// the recorded template values plus the inputs (secrets given again), then the success criteria.
    /// </summary>
    public async Task<RollbackReport> RollBackRecordedAsync(Skill skill, Inventory inventory, InventoryHost host,
        RecordedRollback recorded, BoundInputs inputs, CancellationToken ct)
    {
        var context = RecordedContext(inventory, host, recorded, inputs);
        var steps = new StepRunner(executor, http, tcp, prometheus, masker, time, skill.Name, host, context);
        var audit = executor.Audit;
        await audit.Store.AppendAsync(AuditEntry.RunStarted(audit.RunId, audit.Actor, skill.Name, skill.ContentHash, RunOwner.OfCurrentProcess(),
            $"rollback of an earlier run on {host.Name}"), CancellationToken.None);
        var rollback = await RollbackAsync(skill.Spec, host, steps, "requested with opsmith rollback", ct);
        await audit.Store.AppendAsync(AuditEntry.RunFinished(audit.RunId, audit.Actor, skill.Name, skill.ContentHash,
            $"{(rollback.Restored ? Verdicts.RolledBack : Verdicts.RollbackFailed)}: {host.Name}"), CancellationToken.None);
        return rollback;
    }

    /// <summary>What `opsmith rollback REPORT` would run on a host, in order, rendered and masked.</summary>
    public IReadOnlyList<PlannedCommand> PlanRecordedRollback(Skill skill, Inventory inventory, InventoryHost host, RecordedRollback recorded, BoundInputs inputs)
    {
        var context = RecordedContext(inventory, host, recorded, inputs);
        return skill.Spec.Rollback.Steps.Reverse().Select(s => new PlannedCommand("rollback", s.Name, YamlNames.Of(skill.Spec.Risk), PlanText(s.Run, context))).ToList();
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

    /// <summary>Rollback steps in reverse order (the last listed undoes the last action), then the success criteria again.</summary>
    internal async Task<RollbackReport> RollbackAsync(SkillSpec spec, InventoryHost host, StepRunner steps, string reason, CancellationToken ct)
    {
        Report(host, "rollback");
        var rollbackSteps = new List<StepReport>();
        foreach (var step in spec.Rollback.Steps.Reverse())
        {
            var outcome = await steps.CommandAsync("rollback", step.Name, step.Run, RollbackRisk, step.Timeout ?? RunRequest.DefaultActionTimeout, ct);
            rollbackSteps.Add(outcome.Report);
            Report(host, "rollback", step.Name, outcome.Report.Verdict);
            if (outcome.HostLost) break;
        }
        var verification = new List<StepReport>();
        var restored = rollbackSteps.All(s => s.Verdict == StepVerdicts.Passed);
        foreach (var check in spec.SuccessCriteria)
        {
            var outcome = await steps.CheckAsync("verification", check, ct);
            verification.Add(outcome.Report);
            Report(host, "verification", check.Name, outcome.Report.Verdict);
            if (!outcome.Passed)
            {
                restored = false;
                break;
            }
        }
        return new RollbackReport(masker.Apply(reason), restored, rollbackSteps, verification);
    }

    private async Task<HostReport> PlanAsync(RunRequest request, InventoryHost host, StepRunner steps, RenderContext context,
        List<StepReport> reports, Func<string, string?, IReadOnlyList<PlannedCommand>?, RollbackReport?, HostReport> done, CancellationToken ct)
    {
        var plan = new List<PlannedCommand>();
        string? problem = null;
        foreach (var action in request.Skill.Spec.Actions)
        {
            if (action.Check is not null)
            {
                var outcome = await steps.CommandAsync("checks", action.Name, action.Check, RiskTier.Read, action.Timeout ?? RunRequest.DefaultCheckTimeout, ct);
                reports.Add(outcome.Report);
                Report(host, "checks", action.Name, outcome.Report.Verdict);
                if (outcome.HostLost) return done(Verdicts.Unreachable, outcome.Report.Detail, plan, null);
                if (!outcome.Passed) problem ??= $"the check of action '{action.Name}' failed: {outcome.Report.Detail}";
            }
            plan.Add(new PlannedCommand("actions", action.Name, YamlNames.Of(action.Risk), PlanText(action.Run, context)));
        }
        foreach (var step in request.Skill.Spec.Rollback.Steps.Reverse())
            plan.Add(new PlannedCommand("rollback", step.Name, "if the skill fails", PlanText(step.Run, context)));
        return done(problem is null ? Verdicts.Planned : Verdicts.PlanFailed, problem, plan, null);
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

    private void Report(InventoryHost host, string phase, string? step = null, string? outcome = null) =>
        progress?.Report(new RunProgress(host.Name, phase, step, outcome));
}
