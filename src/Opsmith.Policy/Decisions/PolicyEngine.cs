using Opsmith.Core.Skills;

namespace Opsmith.Policy.Decisions;

/// <summary>
/// Decides, before anything reaches a host, whether a step runs, waits for a person, or is blocked. Pure: the
/// caller supplies the kill-switch state and the history, and records the decision in the audit trail.
/// Checks run in a fixed order so the reason given is the most important one:
/// kill switch → console → hard data protection → allowlist → autonomy level → what an agent may not do alone (a command the
/// classifier could not read with confidence, a read that prints secrets). A console step is decided like the same step
/// over ssh (tier, autonomy, approvals), and more strictly: the kill switch stops it even when it reads, and only a
/// reviewed skill's step may use the console (never an ad-hoc command or an agent's own investigation).
/// </summary>
public static class PolicyEngine
{
    /// <param name="step">The step, with its effective tier (the higher of declared and classified).</param>
    /// <param name="killSwitchOn">Whether the kill switch is on (anything unreadable counts as on).</param>
    /// <param name="killSwitchDetail">Who switched it on, when and why, for the reason given.</param>
    public static PolicyDecision DecideStep(StepProposal step, PolicySettings settings, bool killSwitchOn, string? killSwitchDetail = null)
    {
        var tier = YamlNames.Of(step.Tier);
        if (killSwitchOn && step.Tier > RiskTier.Read)
            return PolicyDecision.Block("kill-switch",
                $"the kill switch is on{(killSwitchDetail is { Length: > 0 } d ? $" ({d})" : "")}: no {tier} step may start (opsmith kill-switch off to resume)");

        if (step.ViaConsole && killSwitchOn)
            return PolicyDecision.Block("kill-switch",
                $"the kill switch is on{(killSwitchDetail is { Length: > 0 } cd ? $" ({cd})" : "")}: nothing goes through a host's console, not even a read (opsmith kill-switch off to resume)");
        if (step.ViaConsole && step.Skill is null)
            return PolicyDecision.Block("console",
                $"only a step of a reviewed skill that declares 'via: console' may use the console of {step.Host}; '{step.Step}' is an ad-hoc command");

        // An agent investigating may run its own commands only when they read: anything more goes through a reviewed skill.
        if (step.Skill is null && step.Actor.Kind == ActorKind.Agent && step.AgentInvestigation && step.Tier > RiskTier.Read)
            return PolicyDecision.Block("allowlist",
                $"an agent's own commands may only read, and '{step.Step}' on {step.Host} is {tier}; changes run only as steps of reviewed skills, or by a person");

        // Hard data protection: no setting, flag or skill reaches past this line.
        if (step.Tier == RiskTier.DataMutation)
            return PolicyDecision.Approval("data-protection",
                $"'{step.Step}' changes or deletes stored data on {step.Host}; a person other than {step.Actor} must approve this step");

        if (step.Skill is null && !(step.Actor.Kind == ActorKind.Human && step.AdHocAllowedByHuman) && !(step.Actor.Kind == ActorKind.Agent && step.AgentInvestigation))
            return PolicyDecision.Block("allowlist",
                step.Actor.Kind == ActorKind.Agent
                    ? "an agent may run only the steps of known, validated skills"
                    : "an ad-hoc command runs only when a person allows it explicitly (--allow-ad-hoc)");

        var autonomy = (settings.Autonomy, step.Tier) switch
        {
            (_, RiskTier.Read) => PolicyDecision.Allow("autonomy", "read-only steps run at every autonomy level"),
            (AutonomyLevel.Observe, _) => PolicyDecision.Block("autonomy", $"autonomy is observe: {tier} steps do not run"),
            (AutonomyLevel.Recommend, _) => PolicyDecision.Approval("autonomy", $"autonomy is recommend: every {tier} step needs a person's approval"),
            (AutonomyLevel.AutomateSafe, RiskTier.ServiceMutation) => PolicyDecision.Allow("autonomy", "automate-safe runs service mutations"),
            (AutonomyLevel.AutomateSafe, _) => PolicyDecision.Approval("autonomy", $"automate-safe: a {tier} step needs a person's approval"),
            _ => PolicyDecision.Allow("autonomy", $"automate-destructive runs {tier} steps"),
        };
        // A person reads what they run; an agent's guesses about what a command does, and secrets shown to a model, need a person first.
        if (autonomy.Outcome != DecisionOutcome.Allow || step.Actor.Kind != ActorKind.Agent) return autonomy;
        if (step.Uncertain)
            return PolicyDecision.Approval("uncertain",
                $"the classifier cannot tell with confidence what '{step.Step}' does on {step.Host}; a person must approve it before an agent runs it");
        if (step.SensitiveRead)
            return PolicyDecision.Approval("sensitive-read",
                $"'{step.Step}' prints secret values on {step.Host}; a person must approve showing them to an agent");
        return autonomy;
    }

    /// <summary>Cooldown, rate limits and budget, checked once per skill and host before a run that can change it.</summary>
    public static PolicyDecision DecideRun(RunProposal run, PolicyHistory history, PolicySettings settings, DateTimeOffset now)
    {
        if (run.Tier == RiskTier.Read) return PolicyDecision.Allow("read-only", "read-only runs have no cooldown or rate limit");
        PolicyDecision? overridden = null;
        if (run.Cooldown is { } cooldown && history.LastRunOfSkillOnHost is { } last && now - last < cooldown)
        {
            var inside = $"{run.Skill} ran on {run.Host} at {last:u}; its cooldown of {Core.Text.DurationText.Format(cooldown)} ends at {last + cooldown:u}";
            if (settings.CooldownOverride is not { } reason || string.IsNullOrWhiteSpace(reason))
                return PolicyDecision.Block("cooldown", $"{inside} (a person may override it with a reason: --override-cooldown REASON)");
            if (run.Actor.Kind != ActorKind.Human)
                return PolicyDecision.Block("cooldown", $"{inside}; only a person can override a cooldown, not {run.Actor}");
            overridden = PolicyDecision.Allow("cooldown-override", $"{run.Actor} overrode the cooldown ({inside}): {reason.Trim()}");
        }
        if (settings.MaxRunsPerHourPerSkill is { } perSkill && history.RunsOfSkillInLastHour >= perSkill)
            return PolicyDecision.Block("rate-limit-skill", $"{run.Skill} already ran {history.RunsOfSkillInLastHour} times in the last hour (limit {perSkill})");
        if (settings.MaxRunsPerHour is { } global && history.RunsInLastHour >= global)
            return PolicyDecision.Block("rate-limit", $"{history.RunsInLastHour} mutating runs in the last hour (limit {global})");
        if (settings.RunBudget is { } budget && history.RunsCounted >= budget)
            return PolicyDecision.Block("budget", $"the run budget of {budget} mutating runs in 24 hours is spent");
        return overridden ?? PolicyDecision.Allow("limits", "within cooldown, rate limits and budget");
    }

    /// <summary>
    /// Four-eyes: whoever proposed a step can never approve it. Actors are canonical (<see cref="Actor"/>), and
    /// <see cref="Actor.IsSameIdentityAs"/> is the one comparison: case, white space, a prefix or a kind do not
    /// make a second person.
    /// </summary>
    public static PolicyDecision CanApprove(Actor proposer, Actor approver)
    {
        if (approver.Kind != ActorKind.Human)
            return PolicyDecision.Block("four-eyes", "only a person can approve a step");
        if (proposer.IsSameIdentityAs(approver))
            return PolicyDecision.Block("four-eyes", $"{approver} proposed this step and cannot approve it; another person must");
        return PolicyDecision.Allow("four-eyes", $"{approver} is not the proposer");
    }
}
