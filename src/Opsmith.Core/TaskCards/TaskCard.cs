using Opsmith.Core.Skills;

namespace Opsmith.Core.TaskCards;

public enum Severity { Low, Medium, High, Critical }

/// <summary>
/// A task card: an operational task described as an SRE would hand it over — what to achieve, where, for
/// which service, what the symptom is and what "done" looks like. Generators turn cards into skills;
/// the benchmark runs the card's hidden checks (never shown to the agent) to score the outcome.
/// </summary>
public sealed record TaskCard(
    string Name,
    string Intent,
    Stage Stage,
    string Target,
    string Service,
    string? Symptom,
    Severity Severity,
    string ExpectedOutcome,
    IReadOnlyList<CheckStep> HiddenChecks,
    string? Family,
    IReadOnlyDictionary<string, string> Params);
