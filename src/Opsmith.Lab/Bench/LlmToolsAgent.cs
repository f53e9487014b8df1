using Opsmith.Application.Agents;
using Opsmith.Application.Llm;
using Opsmith.Core.Agents;
using Opsmith.Llm.Tiers;

namespace Opsmith.Lab.Bench;

/// <summary>
/// The model's tool loop (<see cref="ToolLoopAgent"/>) under test, told only what a person would say: the task's
/// description and the inventory. Its answer is its report: an anomaly unless it concludes all is well, the first
/// inventory host its conclusion names, and the fault type <paramref name="faultOf"/> maps its hypothesis to. Tokens
/// used go into the benchmark's <c>tokens</c> column. When the model cannot be used, the heuristic agent answers and
/// the note says so.
/// </summary>
public sealed class LlmToolsAgent(string agentFile, string? prometheus, ModelOverrides model, Func<string, string?> faultOf) : IBenchAgent
{
    public string Name => "llm-tools";

    public async Task<AgentOutcome> RunAsync(AgentTask task, AgentActions actions, CancellationToken cancellationToken)
    {
        var services = actions.Services;
        var loaded = await new AgentLoader(services).LoadAsync(agentFile, task.InventoryPath, prometheus, null, cancellationToken);
        if (loaded.Error is { } error) return new AgentOutcome(true, null, null, null, null, 0, 0, false, null, $"the agent could not load: {error.Message}");
        var agent = loaded.Value!;
        var trigger = new AgentTrigger(TriggerKind.Description, $"{task.Task}: {task.Description}", null, HeuristicPlanner.HostsNamedIn(task.Description, task.Nodes));
        var started = services.Time.GetUtcNow();
        var session = await new ToolLoopAgent(services).RunAsync(agent, trigger, task.Task == BenchTaskType.Mitigation,
            ModelAccess.For(services, Opsmith.Core.Agents.ModelTier.Reasoning, model), cancellationToken);
        if (session.FellBack)
        {
            var heuristic = await new HeuristicAgent(agentFile, prometheus, null, faultOf).RunAsync(task, actions, cancellationToken);
            return heuristic with { Note = $"{ModelAccess.FallbackNote("llm-tools", session.Investigation.FallbackReason ?? "", "the heuristic agent")}; {heuristic.Note}" };
        }
        var result = session.Investigation;
        var conclusion = result.Conclusion;
        var healthy = conclusion.Contains("healthy", StringComparison.OrdinalIgnoreCase) || conclusion.Contains("nothing wrong", StringComparison.OrdinalIgnoreCase);
        var host = task.Nodes.FirstOrDefault(n => conclusion.Contains(n, StringComparison.Ordinal));
        var runs = result.Calls.Count(c => c.Tool is "run_skill" or "run_command" or "read_file" or "read_logs");
        return new AgentOutcome(
            GaveUp: result.Outcome == InvestigationOutcome.NoReport,
            Anomaly: !healthy,
            Host: host,
            Fault: result.Hypothesis is { } hypothesis ? faultOf(hypothesis) : null,
            DetectedAfter: healthy ? null : services.Time.GetUtcNow() - started,
            Steps: result.Calls.Count,
            CommandsRun: runs,
            Changed: result.Calls.Any(c => c.Tool == "run_skill" && !c.Refused),
            Tokens: (int)Math.Min(int.MaxValue, result.Tokens),
            Note: $"{session.Status}: {conclusion} (session {session.SessionId}, {result.Outcome})");
    }
}
