using Opsmith.Core.Skills;

namespace Opsmith.Policy.Decisions;

/// <summary>
/// One step someone wants to run on one host. <see cref="Tier"/> is the higher of the step's declared risk
/// and what the classifier reads in its rendered command. <see cref="Skill"/> is null for an ad-hoc command;
/// <see cref="AdHocAllowedByHuman"/> says a person explicitly allowed it. <see cref="Uncertain"/> and
/// <see cref="SensitiveRead"/> are the classifier's flags for the command: an agent needs a person's approval for
/// either, a person may run both. <see cref="AgentInvestigation"/> marks an agent's own command while it
/// investigates (the model's tool loop): it may read, and nothing more. <see cref="ViaConsole"/> says the command goes
/// through the host's out-of-band console instead of its inventory connection (a skill's <c>via: console</c>).
/// </summary>
public sealed record StepProposal(
    Actor Actor,
    string? Skill,
    string Host,
    string Step,
    string Command,
    RiskTier Tier,
    bool AdHocAllowedByHuman = false,
    bool Uncertain = false,
    bool SensitiveRead = false,
    bool AgentInvestigation = false,
    bool ViaConsole = false);

/// <summary>One run of a skill on one host, before any step: what cooldowns, rate limits and the budget look at.</summary>
public sealed record RunProposal(Actor Actor, string Skill, string Host, RiskTier Tier, TimeSpan? Cooldown);

/// <summary>The facts about the past the engine needs; read from the audit store by the caller.</summary>
public sealed record PolicyHistory(
    DateTimeOffset? LastRunOfSkillOnHost,
    int RunsOfSkillInLastHour,
    int RunsInLastHour,
    int RunsCounted);
