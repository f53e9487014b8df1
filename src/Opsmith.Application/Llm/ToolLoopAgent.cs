using System.Text.Json;
using Opsmith.Application.Agents;
using Opsmith.Core.Skills;
using Opsmith.Storage.Sessions;

namespace Opsmith.Application.Llm;

/// <summary>How a tool-loop session ended; <see cref="FellBack"/> means the model could not be used and the heuristic planner should run.</summary>
public sealed record ToolLoopSession(string? SessionId, SessionStatus Status, string Summary, InvestigationResult Investigation)
{
    public bool FellBack => Investigation.Outcome == InvestigationOutcome.Fallback;
}

/// <summary>
/// <c>opsmith agent run --planner llm-tools</c>: an agent session in which the model investigates with tools
/// (<see cref="InvestigationService"/>) within the agent's allowlist, autonomy and budgets, recorded as an agent
/// session with its tool calls as the trajectory and the tokens used. Without <c>--allow-mutation</c> the model
/// sees only skills that read. When the model cannot be used the session ends failed, saying the heuristic planner
/// takes over, and the caller runs it.
/// </summary>
public sealed class ToolLoopAgent(OpsmithServices services, Action<string>? progress = null)
{
    public async Task<ToolLoopSession> RunAsync(LoadedAgent agent, AgentTrigger trigger, bool allowMutation, ModelChoice model, CancellationToken ct)
    {
        if (!model.Available)
            return new ToolLoopSession(null, SessionStatus.Failed, model.FallbackReason,
                new InvestigationResult(InvestigationOutcome.Fallback, "", [], 0, 0, 0, null, model.FallbackReason));
        var sessions = await services.SessionsAsync(ct);
        var session = await sessions.StartAsync(agent.Name, services.Actor.ToString(), trigger.KindName, trigger.Text, trigger.IncidentId, ct);
        var budgets = agent.Definition.Budgets;
        var budget = InvestigationBudget.Default with
        {
            Iterations = budgets.Iterations ?? InvestigationBudget.Default.Iterations,
            TokensPerSession = budgets.TokensPerSession ?? InvestigationBudget.Default.TokensPerSession,
            TokensPerCall = budgets.TokensPerCall ?? InvestigationBudget.Default.TokensPerCall,
        };
        var skills = agent.Skills.Where(s => allowMutation || s.Skill.Spec.Risk == RiskTier.Read).ToList();
        var goal = trigger.Text + (trigger.Hosts.Count > 0 ? $" (hosts named: {string.Join(", ", trigger.Hosts)})" : "") +
                   $"\nHosts in the inventory: {string.Join(", ", agent.Inventory.Hosts.Keys)}." +
                   (allowMutation ? "" : "\nChanges are not allowed in this session: diagnose and say what should be done.");
        var request = new InvestigationRequest(goal, agent.Inventory.SourceFile, "", agent.Autonomy, budget, [],
            agent.Prometheus is { } url && Uri.TryCreate(url, UriKind.Absolute, out var prometheus) ? prometheus : null)
        {
            Skills = skills,
            Instructions = agent.Instructions,
        };
        InvestigationResult result;
        try
        {
            result = await new InvestigationService(services, progress).RunAsync(request, model, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await sessions.FinishAsync(session, SessionStatus.Cancelled, "stopped before it finished", "{}", 0, CancellationToken.None);
            throw;
        }
        var (status, summary) = result.Outcome switch
        {
            InvestigationOutcome.Reported or InvestigationOutcome.ForcedReport => (SessionStatus.Diagnosed, result.Conclusion),
            InvestigationOutcome.NoReport => (SessionStatus.Escalated, result.Conclusion),
            _ => (SessionStatus.Failed, $"the model could not be used ({result.FallbackReason}); the heuristic planner takes over"),
        };
        var trajectory = JsonSerializer.Serialize(new
        {
            planner = "llm-tools", outcome = result.Outcome, model = result.Model, result.Iterations, input_tokens = result.InputTokens,
            output_tokens = result.OutputTokens, calls = result.Calls,
        });
        var finished = await sessions.FinishAsync(session, status, summary, trajectory, (int)Math.Min(int.MaxValue, result.Tokens), CancellationToken.None);
        return new ToolLoopSession(finished.Id, status, summary, result);
    }
}
