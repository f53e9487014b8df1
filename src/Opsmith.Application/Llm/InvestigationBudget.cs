using System.Text.Json.Serialization;

namespace Opsmith.Application.Llm;

/// <summary>
/// How far one investigation may go: model calls, tokens for the whole session and for one answer, how much of
/// the conversation is kept (the first message plus a sliding window), and how large one tool result may be.
/// </summary>
public sealed record InvestigationBudget(int Iterations = 10, long TokensPerSession = 200_000, int TokensPerCall = 8_000, int KeepMessages = 16,
    int MaxToolResultChars = 4_000)
{
    public static readonly InvestigationBudget Default = new();
}

/// <summary>How an investigation ended.</summary>
public enum InvestigationOutcome
{
    /// <summary>The model called <c>report</c> on its own.</summary>
    [JsonStringEnumMemberName("reported")] Reported,
    /// <summary>The last iteration (or the token budget) came and the model was made to report.</summary>
    [JsonStringEnumMemberName("forced-report")] ForcedReport,
    /// <summary>Even when made to, the model did not report: Opsmith wrote the conclusion from the evidence.</summary>
    [JsonStringEnumMemberName("no-report")] NoReport,
    /// <summary>The model could not be used (none configured, down, refusing): nothing was investigated by a model.</summary>
    [JsonStringEnumMemberName("fallback")] Fallback,
}

/// <summary>One tool call the model made and what it was told (masked, capped).</summary>
public sealed record ToolCallRecord(int Iteration, string Tool, string Arguments, string Result, bool Refused);

/// <summary>What an investigation found and what it cost.</summary>
public sealed record InvestigationResult(
    InvestigationOutcome Outcome,
    string Conclusion,
    IReadOnlyList<ToolCallRecord> Calls,
    long InputTokens,
    long OutputTokens,
    int Iterations,
    string? Model,
    string? FallbackReason)
{
    public long Tokens => InputTokens + OutputTokens;

    /// <summary>The hypothesis the model's report named, if any (masked).</summary>
    public string? Hypothesis { get; init; }
}

/// <summary>What to investigate, where, and within which limits.</summary>
/// <param name="AllowedSkills">Skill names or globs the model may run (an agent's allowlist); empty: every skill of the catalog.</param>
/// <param name="Prometheus">Prometheus' base URL for <c>query_prometheus</c>; null: the tool says there is none.</param>
public sealed record InvestigationRequest(
    string Goal,
    string InventoryFile,
    string SkillsFolder,
    Policy.Decisions.AutonomyLevel Autonomy,
    InvestigationBudget Budget,
    IReadOnlyList<string> AllowedSkills,
    Uri? Prometheus = null,
    Func<string, string?>? Secrets = null)
{
    /// <summary>The skills the model may use, already chosen (an agent's allowlist applied); null: load <see cref="SkillsFolder"/> and filter.</summary>
    public IReadOnlyList<Catalog.CatalogEntry>? Skills { get; init; }

    /// <summary>Procedures the model is told to follow (an agent's instructions: Agent Skills' SKILL.md); they are masked and grant nothing.</summary>
    public IReadOnlyList<Agents.AgentInstructions> Instructions { get; init; } = [];
}
