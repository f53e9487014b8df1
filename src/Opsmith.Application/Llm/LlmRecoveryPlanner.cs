using System.Text;
using Microsoft.Extensions.AI;
using Opsmith.Application.Agents;
using Opsmith.Core.Agents;
using Opsmith.Llm.Providers;

namespace Opsmith.Application.Llm;

/// <summary>
/// <c>opsmith agent run --planner llm</c>: in the recover stage, the model picks which of the eligible recovery
/// skills to run for a hypothesis, from their names, remedies and risk and the hypothesis' evidence. Only a skill
/// the heuristic planner would also accept can be picked (it remedies the hypothesis, was not tried, and its inputs
/// are known), with the inputs the heuristic planner binds; anything else — no model, a failed call, an answer that
/// names no eligible skill — is the heuristic choice, and a note says so. With one eligible skill no model is asked.
/// </summary>
public sealed class LlmRecoveryPlanner(OpsmithServices services, ModelChoice model, Action<string>? progress = null) : IRecoveryPlanner
{
    /// <summary>Tokens the planner's calls used.</summary>
    public long Tokens { get; private set; }

    public async Task<RecoveryChoice?> ChooseAsync(RankedHypothesis hypothesis, IReadOnlyList<RecoveryCandidate> candidates,
        IReadOnlyDictionary<string, string> knownValues, IReadOnlyCollection<string> tried, CancellationToken ct)
    {
        var heuristic = HeuristicPlanner.ChooseRecovery(hypothesis, candidates, knownValues, tried);
        // The heuristic planner's own rules decide what is eligible: each candidate alone.
        var eligible = candidates.Select(c => HeuristicPlanner.ChooseRecovery(hypothesis, [c], knownValues, tried)).OfType<RecoveryChoice>().ToList();
        if (eligible.Count <= 1) return heuristic;
        if (model.Client is not { } client) return Fallback(heuristic, model.FallbackReason);
        var masker = services.NewMasker();
        var prompt = new StringBuilder($"Hypothesis {hypothesis.Id} on host {hypothesis.Host} (score {hypothesis.Score:0.#}). Evidence:\n");
        foreach (var finding in hypothesis.Evidence) prompt.AppendLine($"- {finding.Skill}: {finding.Summary} (weight {finding.Weight})");
        prompt.AppendLine("Recovery skills that remedy it (lower risk rank is safer):");
        foreach (var choice in eligible) prompt.AppendLine($"- {choice.Skill.Skill}: remedies {string.Join(", ", choice.Skill.Remedies)}; risk rank {choice.Skill.RiskRank}");
        prompt.Append("Which one should run first? Answer with JSON only: {\"skill\": \"NAME\", \"why\": \"…\"}");
        try
        {
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, masker.Apply(prompt.ToString()))], cancellationToken: ct);
            Tokens += response.Usage?.TotalTokenCount ?? 0;
            var named = ModelAnswers.JsonObjectIn(response.Text)?["skill"]?.ToString();
            if (eligible.FirstOrDefault(c => c.Skill.Skill == named) is { } picked)
            {
                progress?.Invoke($"the model chose {picked.Skill.Skill} for {hypothesis.Id} on {hypothesis.Host}");
                return picked;
            }
            return Fallback(heuristic, named is null ? "the model's answer named no skill" : $"the model named '{named}', which is not an eligible recovery");
        }
        catch (ModelCallException e)
        {
            return Fallback(heuristic, masker.Apply(e.Message));
        }
    }

    private RecoveryChoice? Fallback(RecoveryChoice? heuristic, string reason)
    {
        progress?.Invoke(ModelAccess.FallbackNote("planner", reason, "the heuristic planner's choice"));
        return heuristic;
    }
}
