using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Execution.Runs;

/// <summary>Whether a step may run, and why; written to the audit trail before the answer is acted on.</summary>
public sealed record Clearance(bool Run, string Reason)
{
    public static Clearance Go(string reason) => new(true, reason);
    public static Clearance Stop(string reason) => new(false, reason);
}

/// <summary>
/// The policy decision the executor asks for before every command: the step's tier is the higher of its
/// declared risk and what the classifier reads in the rendered command; the policy engine decides (autonomy,
/// hard data protection, allowlist); a step that needs a person becomes an approval request, and the run
/// waits for its decision. Every outcome is in the audit trail before the command runs (or does not).
/// </summary>
public sealed class StepGuard(CommandClassifier classifier, PolicySettings settings, Actor actor, IApprovalStore approvals,
    IProgress<string>? notices = null, TimeSpan? approvalPoll = null)
{
    /// <summary>
    /// Cooldown, rate limits and budget, once per host before a run changes it, from the audit trail's history:
    /// the last action this skill ran on this host, and the runs started with --execute in the last hour.
    /// </summary>
    public async Task<Clearance> ClearRunAsync(RunAudit audit, string host, Skill skill, DateTimeOffset now, CancellationToken ct)
    {
        if (skill.Spec.Risk == RiskTier.Read) return Clearance.Go("read-only runs have no cooldown or rate limit");
        var hourAgo = now - TimeSpan.FromHours(1);
        var lastAction = (await audit.Store.ListAsync(new AuditQuery(Skill: skill.Name, Host: host, Kind: AuditKind.Command, Limit: 200, NewestFirst: true), ct))
            .FirstOrDefault(r => r.RunId != audit.RunId && r.Detail.StartsWith("actions/", StringComparison.Ordinal))?.Time;
        var starts = (await audit.Store.ListAsync(new AuditQuery(Since: hourAgo, Kind: AuditKind.RunStarted, Limit: AuditQuery.MaxLimit), ct))
            .Where(r => r.RunId != audit.RunId && r.Detail.StartsWith("execute", StringComparison.Ordinal)).ToList();
        var budgetWindow = settings.RunBudget is null ? 0 : (await audit.Store.ListAsync(
                new AuditQuery(Since: now - TimeSpan.FromDays(1), Kind: AuditKind.RunStarted, Limit: AuditQuery.MaxLimit), ct))
            .Count(r => r.RunId != audit.RunId && r.Detail.StartsWith("execute", StringComparison.Ordinal));
        var history = new PolicyHistory(lastAction, starts.Count(r => r.Skill == skill.Name), starts.Count, budgetWindow);
        var decision = PolicyEngine.DecideRun(new RunProposal(actor, skill.Name, host, skill.Spec.Risk, skill.Spec.Cooldown), history, settings, now);
        if (decision.Outcome == DecisionOutcome.Allow) return Clearance.Go(decision.Reason);
        await audit.Store.AppendAsync(AuditEntry.ForDecision(audit.RunId, audit.Actor, host, skill.Name, audit.SkillHash,
            AuditDecision.Blocked, $"run [{YamlNames.Of(skill.Spec.Risk)}] — {decision.Rule}: {decision.Reason}"), CancellationToken.None);
        return Clearance.Stop($"blocked by policy ({decision.Rule}): {decision.Reason}");
    }

    public async Task<Clearance> ClearAsync(RunAudit audit, string host, StepIdentity step, string command, string maskedCommand, CancellationToken ct)
    {
        var classification = classifier.Classify(command);
        var tier = classification.Tier > step.Risk ? classification.Tier : step.Risk;
        var why = classification.Tier > step.Risk
            ? $"declared {YamlNames.Of(step.Risk)}, but the command reads as {YamlNames.Of(classification.Tier)} ({classification.DecidingRule})"
            : $"{YamlNames.Of(tier)}";
        var decision = PolicyEngine.DecideStep(new StepProposal(actor, step.Skill, host, step.Step, command, tier), settings, killSwitchOn: false);
        var subject = $"{step.Section}/{step.Step} [{why}]: {maskedCommand}";
        switch (decision.Outcome)
        {
            case DecisionOutcome.Allow:
                await audit.Store.AppendAsync(AuditEntry.ForDecision(audit.RunId, audit.Actor, host, step.Skill, audit.SkillHash,
                    AuditDecision.Allowed, $"{subject} — {decision.Rule}: {decision.Reason}"), CancellationToken.None);
                return Clearance.Go(decision.Reason);
            case DecisionOutcome.Block:
                await audit.Store.AppendAsync(AuditEntry.ForDecision(audit.RunId, audit.Actor, host, step.Skill, audit.SkillHash,
                    AuditDecision.Blocked, $"{subject} — {decision.Rule}: {decision.Reason}"), CancellationToken.None);
                return Clearance.Stop($"blocked by policy ({decision.Rule}): {decision.Reason}");
        }

        // The request is recorded (approval-requested) in the same transaction that creates it.
        var request = await approvals.CreateAsync(new ApprovalProposal(audit.RunId, actor, step.Skill, audit.SkillHash, host, step.Step,
            maskedCommand, tier, decision.Reason), CancellationToken.None);
        notices?.Report($"{host}: step '{step.Step}' waits for approval {request.Id} ({decision.Reason}). " +
                        $"Another person approves it with: opsmith approvals approve {request.Id}");
        var decided = await approvals.WaitForDecisionAsync(request.Id, approvalPoll ?? TimeSpan.FromSeconds(1), ct);
        return decided.Status == ApprovalStatus.Approved
            ? Clearance.Go($"approved by {decided.DecidedBy} ({request.Id})")
            : Clearance.Stop($"approval {request.Id} was {decided.Status.ToWireName()}{(decided.DecidedBy is { } by ? $" by {by}" : "")}" +
                             $"{(decided.DecisionNote is { Length: > 0 } note ? $": {note}" : "")}");
    }
}
