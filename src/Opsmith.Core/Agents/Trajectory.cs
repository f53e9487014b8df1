namespace Opsmith.Core.Agents;

/// <summary>The stages of an agent session, in order. A session may run a prefix of them (<c>--stages</c>).</summary>
public enum AgentStage { Detect, Localize, Diagnose, Recover, Verify }

/// <summary>Where a hypothesis stands after the session tested it.</summary>
public enum HypothesisState { Candidate, Confirmed, Refuted, Untested }

/// <summary>
/// A finding a skill's run reported on a host (the runner evaluates the skill's <c>findings:</c>; agent code never
/// interprets output): which skill and host it came from is the evidence.
/// </summary>
/// <param name="Weight">From the finding's severity: critical 3, warning 2, info 1.</param>
public sealed record ObservedFinding(
    string Skill,
    string Host,
    string Name,
    string Summary,
    IReadOnlyList<string> Hypotheses,
    int Weight,
    IReadOnlyDictionary<string, string> Facts)
{
    /// <summary>
    /// Reported by a detection skill: it says what is wrong (a disk is full), where a diagnosis skill's finding says why
    /// (a process writes a log without bound). At equal score the planner prefers the why.
    /// </summary>
    public bool Symptom { get; init; }
}

/// <summary>One invariant checked on one host (host empty for an invariant about no host).</summary>
public sealed record InvariantObservation(string Invariant, string Host, bool Green, string Detail, AgentStage Stage, DateTimeOffset At);

/// <summary>A hypothesis with its score and the findings that support it.</summary>
public sealed record RankedHypothesis(string Id, string Host, double Score, IReadOnlyList<ObservedFinding> Evidence)
{
    public HypothesisState State { get; init; } = HypothesisState.Candidate;
    public string? Note { get; init; }
}

/// <summary>One skill run the agent made, with why and how it ended.</summary>
/// <param name="Hypothesis">For a recovery: the hypothesis it acted on.</param>
/// <param name="RolledBack">A step made a green invariant red and the run was rolled back.</param>
public sealed record AgentAction(
    AgentStage Stage,
    string Skill,
    string Host,
    IReadOnlyDictionary<string, string> Inputs,
    string Mode,
    string? RunId,
    string Verdict,
    string? Hypothesis,
    DateTimeOffset StartedAt,
    long DurationMs,
    string Outcome,
    bool RolledBack = false);

/// <summary>How long a stage took.</summary>
public sealed record StageTiming(AgentStage Stage, DateTimeOffset StartedAt, long DurationMs);

/// <summary>
/// Everything a session saw and did, in the order it happened: what is stored (as JSON) and shown by
/// <c>opsmith agent sessions show</c>.
/// </summary>
public sealed record AgentTrajectory(
    IReadOnlyList<StageTiming> Stages,
    IReadOnlyList<InvariantObservation> Observations,
    IReadOnlyList<ObservedFinding> Findings,
    IReadOnlyList<RankedHypothesis> Hypotheses,
    IReadOnlyList<AgentAction> Actions,
    IReadOnlyList<string> SuspectHosts,
    string? Escalation)
{
    public static readonly AgentTrajectory Empty = new([], [], [], [], [], [], null);
}
