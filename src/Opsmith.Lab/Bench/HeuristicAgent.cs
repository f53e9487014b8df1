using Opsmith.Application.Agents;
using Opsmith.Core.Agents;
using Opsmith.Storage.Sessions;

namespace Opsmith.Lab.Bench;

/// <summary>
/// The staged agent (<see cref="AgentService"/>) under test. It is told only what a person would say: the task's
/// description, its type and the inventory — never the fault. Hosts named in the description are its suspects.
/// Detection answers from the detect stage (an invariant red), localization and diagnosis from the best hypothesis
/// (the diagnosis is the fault type <paramref name="faultOf"/> maps that hypothesis to: the lab's side of the answer
/// key, since agent code never names a fault), mitigation runs every stage with mutation allowed.
/// </summary>
/// <param name="agentFile">The agent definition (its invariants and allowlist); the lab's inventory and Prometheus replace its environment's.</param>
public sealed class HeuristicAgent(string agentFile, string? prometheus, string? catalog, Func<string, string?> faultOf) : IBenchAgent
{
    public string Name => "heuristic";

    /// <summary>How long verify waits before its second look; the suites' time limits are tens of seconds.</summary>
    public TimeSpan SettleDelay { get; init; } = TimeSpan.FromSeconds(3);

    public async Task<AgentOutcome> RunAsync(AgentTask task, AgentActions actions, CancellationToken cancellationToken)
    {
        var services = actions.Services;
        var loaded = await new AgentLoader(services).LoadAsync(agentFile, task.InventoryPath, prometheus, catalog, cancellationToken);
        if (loaded.Error is { } error) return new AgentOutcome(true, null, null, null, null, 0, 0, false, null, $"the agent could not load: {error.Message}");
        var agent = loaded.Value!;
        var trigger = new AgentTrigger(TriggerKind.Description, task.Description, null, HeuristicPlanner.HostsNamedIn(task.Description, task.Nodes));
        var stages = task.Task switch
        {
            BenchTaskType.Detection => new HashSet<AgentStage> { AgentStage.Detect, AgentStage.Localize },
            BenchTaskType.Mitigation => AgentRequest.AllStages,
            _ => new HashSet<AgentStage> { AgentStage.Detect, AgentStage.Localize, AgentStage.Diagnose },
        };
        var started = services.Time.GetUtcNow();
        var result = await new AgentService(services).RunAsync(
            new AgentRequest(agent, trigger, stages, AllowMutation: task.Task == BenchTaskType.Mitigation) { SettleDelay = SettleDelay }, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var t = result.Trajectory;
        var firstRed = t.Observations.Where(o => !o.Green).Select(o => (DateTimeOffset?)o.At).Min();
        var red = t.Observations.Any(o => !o.Green && o.Stage == AgentStage.Detect);
        var best = result.Best ?? t.Hypotheses.FirstOrDefault();
        var host = best?.Host ?? t.Observations.Where(o => !o.Green && o.Host.Length > 0).GroupBy(o => o.Host).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        var changed = t.Actions.Any(a => a.Stage == AgentStage.Recover);
        var failed = result.Status is SessionStatus.Escalated or SessionStatus.Failed && task.Task == BenchTaskType.Mitigation;
        return new AgentOutcome(
            GaveUp: failed,
            Anomaly: red || (task.Task != BenchTaskType.Detection && best is not null),
            Host: host,
            Fault: best is null ? null : faultOf(best.Id),
            DetectedAfter: firstRed is { } at ? at - started : null,
            Steps: t.Actions.Count,
            CommandsRun: t.Actions.Count,
            Changed: changed,
            Tokens: null,
            Note: $"{result.Status.ToWireName()}: {result.Summary} (session {result.SessionId})");
    }
}
