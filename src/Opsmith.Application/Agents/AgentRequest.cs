using Opsmith.Core.Agents;
using Opsmith.Storage.Sessions;

namespace Opsmith.Application.Agents;

public enum TriggerKind { Incident, TaskCard, Description }

/// <summary>What started a session: an incident, a task card or a person's words, and the hosts they name.</summary>
public sealed record AgentTrigger(TriggerKind Kind, string Text, string? IncidentId, IReadOnlyList<string> Hosts)
{
    public string KindName => Kind switch { TriggerKind.Incident => "incident", TriggerKind.TaskCard => "task-card", _ => "description" };
}

/// <summary>One agent session to run.</summary>
/// <param name="Stages">The stages to run (detect, localize and diagnose always read only; recover needs <paramref name="AllowMutation"/>).</param>
/// <param name="AllowMutation">Whether recover may run (without it the session ends diagnosed, naming what it would run).</param>
public sealed record AgentRequest(LoadedAgent Agent, AgentTrigger Trigger, IReadOnlySet<AgentStage> Stages, bool AllowMutation)
{
    public static readonly IReadOnlySet<AgentStage> AllStages = Enum.GetValues<AgentStage>().ToHashSet();

    /// <summary>How long verify waits before checking everything a second time, so a fix that does not last is a failure.</summary>
    public TimeSpan SettleDelay { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>How a session ended, with its trajectory.</summary>
/// <param name="Best">The best hypothesis (confirmed when resolved).</param>
public sealed record AgentResult(string SessionId, SessionStatus Status, string Summary, AgentTrajectory Trajectory, RankedHypothesis? Best)
{
    /// <summary>Whether the agent saw something wrong (a red invariant or a hypothesis).</summary>
    public bool Anomaly => Trajectory.Observations.Any(o => !o.Green) || Trajectory.Hypotheses.Count > 0;
}

/// <summary>What the session is doing now, for a live display.</summary>
public sealed record AgentProgress(AgentStage Stage, string Text);
