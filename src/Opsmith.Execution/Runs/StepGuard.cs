using System.Collections.Concurrent;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Execution.Runs;

/// <summary>
/// Whether a step may run, why, and at which effective tier; written to the audit trail before the answer is acted on.
/// <see cref="Flags"/> are the classifier's flags for the command (the executor needs <c>NeedsPrivateTmp</c> and <c>SensitiveRead</c>).
/// </summary>
public sealed record Clearance(bool Run, string Reason, RiskTier Tier)
{
    public ClassificationFlags Flags { get; init; }

    public static Clearance Go(string reason, RiskTier tier) => new(true, reason, tier);
    public static Clearance Stop(string reason, RiskTier tier) => new(false, reason, tier);
}

/// <summary>
/// The policy decision the executor asks for before every command. The step's <b>effective tier</b> is the
/// higher of its declared risk and what the classifier reads in the rendered command (with the skill's
/// <c>read_only_programs</c>); everything else follows that tier: the kill switch (decided by the policy
/// engine), autonomy, hard data protection, the allowlist, approvals, and — before the first step above read
/// on a host — cooldown, rate limits and the run budget, counted from the audit trail's structured records.
/// Every outcome is in the audit trail before the command runs (or does not).
/// </summary>
public sealed class StepGuard(CommandClassifier classifier, PolicySettings settings, Actor actor, IApprovalStore approvals,
    IKillSwitch killSwitch, TimeProvider time, TimeSpan? approvalPoll = null)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<Clearance>>> _runClearances = new();

    /// <summary>The higher of the declared risk and what the classifier reads in <paramref name="command"/>.</summary>
    public RiskTier EffectiveTier(string command, RiskTier declared)
    {
        var classified = classifier.Classify(command).Tier;
        return classified > declared ? classified : declared;
    }

    /// <param name="floor">
    /// A tier the step is at least, with the reason: the executor asks again with <c>service-mutation</c> when a read
    /// that needs a private /tmp cannot have one on the host.
    /// </param>
    public async Task<Clearance> ClearAsync(RunAudit audit, string host, StepIdentity step, string command, string maskedCommand, CancellationToken ct,
        (RiskTier Tier, string Reason)? floor = null)
    {
        var classification = classifier.Classify(command);
        var flags = classification.Flags;
        var tier = classification.Tier > step.Declared ? classification.Tier : step.Declared;
        var why = classification.Tier > step.Declared
            ? $"declared {YamlNames.Of(step.Declared)}, but the command reads as {YamlNames.Of(classification.Tier)} ({classification.DecidingRule})"
            : YamlNames.Of(tier);
        if (floor is { } raised && raised.Tier > tier)
        {
            tier = raised.Tier;
            why = $"{why}, raised to {YamlNames.Of(tier)}: {raised.Reason}";
        }
        var cleared = await DecideAsync(audit, host, step, command, maskedCommand, tier, why, flags, ct);
        return cleared with { Flags = flags };
    }

    private async Task<Clearance> DecideAsync(RunAudit audit, string host, StepIdentity step, string command, string maskedCommand, RiskTier tier,
        string why, ClassificationFlags flags, CancellationToken ct)
    {
        // Read only when it matters, and on every step: switching it on stops runs in other processes too. The console
        // is an emergency way in, so the switch stops every console step, reads too.
        var viaConsole = step.Via == Transport.Console;
        var engaged = tier > RiskTier.Read || viaConsole ? killSwitch.Read() : null;
        var decision = PolicyEngine.DecideStep(new StepProposal(actor, step.Skill, host, step.Step, command, tier,
                Uncertain: flags.HasFlag(ClassificationFlags.Uncertain), SensitiveRead: flags.HasFlag(ClassificationFlags.SensitiveRead),
                AgentInvestigation: step.Investigation, ViaConsole: viaConsole), settings,
            killSwitchOn: engaged is not null, killSwitchDetail: engaged?.ToString());
        var subject = $"{step.Section.Wire()}/{step.Step}{HostExecutor.ViaText(step)} [{why}]: {maskedCommand}";
        var facts = new AuditFacts(step.Section, step.Step, tier, audit.Mode, decision.Rule);

        if (decision.Outcome == DecisionOutcome.Block) return await RefuseAsync(audit, host, step, tier, facts, subject, decision);

        // Cooldown, rate limits and budget: once per host, before the first step that can change it.
        if (tier > RiskTier.Read)
        {
            var run = await _runClearances.GetOrAdd(host, _ => new Lazy<Task<Clearance>>(() => ClearRunAsync(audit, host, step, tier))).Value;
            if (!run.Run) return run with { Tier = tier };
        }

        if (decision.Outcome == DecisionOutcome.Allow)
        {
            await AppendAsync(audit, host, step, AuditDecision.Allowed, facts, $"{subject} — {decision.Rule}: {decision.Reason}");
            Publish(audit, host, step, tier, decision);
            return Clearance.Go(decision.Reason, tier);
        }

        // The request is recorded (approval-requested) in the same transaction that creates it.
        Publish(audit, host, step, tier, decision);
        var request = await approvals.CreateAsync(new ApprovalProposal(audit.RunId, actor, step.Skill ?? "", audit.SkillHash, host, step.Step,
            maskedCommand, tier, decision.Reason), CancellationToken.None);
        audit.Events.Publish(new ApprovalRequestedEvent(host, step.Section, step.Step, request.Id,
            $"{decision.Reason}. Another person approves it with: opsmith approvals approve {request.Id}"));
        var decided = await approvals.WaitForDecisionAsync(request.Id, approvalPoll ?? TimeSpan.FromSeconds(1), ct);
        return decided.Status == ApprovalStatus.Approved
            ? Clearance.Go($"approved by {decided.DecidedBy} ({request.Id})", tier)
            : Clearance.Stop($"approval {request.Id} was {decided.Status.ToWireName()}{(decided.DecidedBy is { } by ? $" by {by}" : "")}" +
                             $"{(decided.DecisionNote is { Length: > 0 } note ? $": {note}" : "")}", tier);
    }

    private async Task<Clearance> RefuseAsync(RunAudit audit, string host, StepIdentity step, RiskTier tier, AuditFacts facts, string subject,
        PolicyDecision decision)
    {
        await AppendAsync(audit, host, step, AuditDecision.Blocked, facts, $"{subject} — {decision.Rule}: {decision.Reason}");
        Publish(audit, host, step, tier, decision);
        return Clearance.Stop($"blocked by policy ({decision.Rule}): {decision.Reason}", tier);
    }

    /// <summary>
    /// Cooldown, rate limits and budget for this skill on this host, from the audit trail's structured records:
    /// the last command above read this skill ran on this host in another run, and how many other runs ran a
    /// command above read in the last hour and day. A run that changed nothing never counts.
    /// </summary>
    private async Task<Clearance> ClearRunAsync(RunAudit audit, string host, StepIdentity step, RiskTier tier)
    {
        var now = time.GetUtcNow();
        var skill = step.Skill ?? "";
        var lastChange = step.Skill is null ? null : (await audit.Store.ListAsync(new AuditQuery(Skill: skill, Host: host, Kind: AuditKind.Command,
                MinTier: RiskTier.ServiceMutation, Limit: 50, NewestFirst: true), CancellationToken.None))
            .FirstOrDefault(r => r.RunId != audit.RunId)?.Time;
        var day = (await audit.Store.ListAsync(new AuditQuery(Since: now - TimeSpan.FromDays(1), Kind: AuditKind.Command,
                MinTier: RiskTier.ServiceMutation, Limit: AuditQuery.MaxLimit), CancellationToken.None))
            .Where(r => r.RunId != audit.RunId).ToList();
        var hour = day.Where(r => r.Time >= now - TimeSpan.FromHours(1)).ToList();
        var history = new PolicyHistory(lastChange,
            hour.Where(r => r.Skill == skill).Select(r => r.RunId).Distinct().Count(),
            hour.Select(r => r.RunId).Distinct().Count(),
            day.Select(r => r.RunId).Distinct().Count());
        var decision = PolicyEngine.DecideRun(new RunProposal(actor, skill, host, tier, step.Cooldown), history, settings, now);
        var facts = new AuditFacts(step.Section, step.Step, tier, audit.Mode, decision.Rule);
        if (decision.Outcome == DecisionOutcome.Allow)
        {
            // An overridden cooldown is a person's decision: it goes into the trail with who and why.
            if (decision.Rule == "cooldown-override")
            {
                await AppendAsync(audit, host, step, AuditDecision.Allowed, facts, $"run [{YamlNames.Of(tier)}] — {decision.Rule}: {decision.Reason}");
                Publish(audit, host, step, tier, decision);
            }
            return Clearance.Go(decision.Reason, tier);
        }
        await AppendAsync(audit, host, step, AuditDecision.Blocked, facts, $"run [{YamlNames.Of(tier)}] — {decision.Rule}: {decision.Reason}");
        Publish(audit, host, step, tier, decision);
        return Clearance.Stop($"blocked by policy ({decision.Rule}): {decision.Reason}", tier);
    }

    private static Task AppendAsync(RunAudit audit, string host, StepIdentity step, AuditDecision outcome, AuditFacts facts, string detail) =>
        audit.Store.AppendAsync(AuditEntry.ForDecision(audit.RunId, audit.Actor, host, step.Skill ?? "", audit.SkillHash, outcome, detail) with
        {
            Facts = facts,
        }, CancellationToken.None);

    private static void Publish(RunAudit audit, string host, StepIdentity step, RiskTier tier, PolicyDecision decision) =>
        audit.Events.Publish(new DecisionEvent(host, step.Section, step.Step, tier, decision.Outcome, decision.Rule, decision.Reason));
}
