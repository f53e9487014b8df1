using System.Text.Json.Serialization;
using Opsmith.Core.Skills;

namespace Opsmith.Core.Agents;

/// <summary>
/// How demanding a model's task is; each tier maps to one provider and model (docs/llm.md). The one tier enum: an
/// agent's <c>model_tier</c> and every stage that asks Opsmith.Llm for a model use it.
/// </summary>
public enum ModelTier
{
    /// <summary>Cheap and quick: summaries.</summary>
    [JsonStringEnumMemberName("fast")] Fast,
    /// <summary>The default: drafting skills, verifying, planning.</summary>
    [JsonStringEnumMemberName("standard")] Standard,
    /// <summary>Hard problems: reviewing failures, investigating with tools.</summary>
    [JsonStringEnumMemberName("reasoning")] Reasoning,
}

/// <summary>What an invariant looks at: a detection skill, or one check of the same shape skills use.</summary>
public enum InvariantKind { Skill, Http, Tcp, Promql }

/// <summary>
/// One thing that must stay true. A <see cref="InvariantKind.Skill"/> invariant is red when any success criterion of
/// the detection skill fails on a host of <see cref="Hosts"/>; a check invariant is red when its check fails.
/// </summary>
/// <param name="Probe">For http and tcp invariants: the check, as a skill would hold it.</param>
/// <param name="Query">For promql invariants: the query; the environment's Prometheus answers it.</param>
/// <param name="Max">For promql: red when the value is above this.</param>
/// <param name="Min">For promql: red when the value is below this.</param>
/// <param name="Hosts">An inventory host or group (null: every host for a skill, the controller for a check).</param>
/// <param name="Line">Where it is written, for messages.</param>
public sealed record Invariant(
    string Name,
    InvariantKind Kind,
    string? Skill,
    IReadOnlyDictionary<string, string> Inputs,
    Probe? Probe,
    string? Query,
    double? Max,
    double? Min,
    string? Hosts,
    int Line);

/// <summary>Limits on what one agent may spend; null means no limit of that kind.</summary>
public sealed record AgentBudgets(int? RunsPerHour, int? Iterations, int? TokensPerSession, int? TokensPerCall)
{
    public static readonly AgentBudgets None = new(null, null, null, null);
}

/// <summary>Where notifications go. A secret URL is named by an environment variable, never written in the file.</summary>
public sealed record NotificationChannel(string Type, string? Url, string? UrlEnv);

/// <summary>A piece of data the policy protects on a host (joins the configuration's data inventory).</summary>
public sealed record DataResource(string Host, string Path, string Kind);

/// <summary>
/// An agent (<c>kind: Agent</c>, docs/agent.md): who it is, which skills it may use (an allowlist of names and globs;
/// anything else is denied), how far it may act on its own, the invariants it watches and how often, and its budgets.
/// <see cref="Autonomy"/> is the policy's autonomy level by its wire name (Opsmith.Policy's <c>AutonomyLevel</c>; Core
/// cannot see Policy, so the reader checks the spelling against <see cref="AgentReader.AutonomyNames"/>).
/// </summary>
public sealed record AgentDefinition(
    string Name,
    string? Description,
    string? EnvironmentFile,
    string Autonomy,
    IReadOnlyList<string> Skills,
    TimeSpan Interval,
    IReadOnlyList<Invariant> Invariants,
    AgentBudgets Budgets,
    string? Schedule,
    ModelTier ModelTier,
    IReadOnlyList<NotificationChannel> Channels,
    string SourceFile)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Procedures in prose (an Agent Skill's <c>SKILL.md</c>, as <c>opsmith import</c> writes them) the LLM agent is given
    /// as instructions; absolute paths. They grant nothing: every command the model runs from them passes the guardrails.
    /// </summary>
    public IReadOnlyList<string> Instructions { get; init; } = [];

    /// <summary>Whether the allowlist names this skill (by name, or by a glob with <c>*</c> and <c>?</c>).</summary>
    public bool Allows(string skill) => Skills.Any(pattern => Glob.Matches(pattern, skill));
}

/// <summary>
/// A site (<c>kind: Environment</c>): the inventory an agent works on, the Prometheus it may ask, the data the policy
/// protects and where notifications go. <see cref="Inventory"/> is absolute.
/// </summary>
public sealed record EnvironmentDefinition(
    string Name,
    string Inventory,
    string? Prometheus,
    IReadOnlyList<DataResource> DataResources,
    IReadOnlyList<NotificationChannel> Channels,
    string SourceFile);

/// <summary>Shell-style name globs (<c>*</c> any run of characters, <c>?</c> one), matched whole.</summary>
public static class Glob
{
    public static bool Matches(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t])) { p++; t++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
            else if (star >= 0) { p = star + 1; t = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
