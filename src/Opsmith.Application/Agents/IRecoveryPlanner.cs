using Opsmith.Core.Agents;

namespace Opsmith.Application.Agents;

/// <summary>
/// Chooses the recovery skill for a hypothesis in the recover stage. The heuristic planner
/// (<see cref="HeuristicPlanner.ChooseRecovery"/>) is used when a request names none; the model's planner
/// (<c>--planner llm</c>) asks a model and falls back to the heuristic choice when it cannot.
/// </summary>
public interface IRecoveryPlanner
{
    Task<RecoveryChoice?> ChooseAsync(RankedHypothesis hypothesis, IReadOnlyList<RecoveryCandidate> candidates,
        IReadOnlyDictionary<string, string> knownValues, IReadOnlyCollection<string> tried, CancellationToken ct);
}
