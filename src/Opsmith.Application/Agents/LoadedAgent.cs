using Opsmith.Application.Catalog;
using Opsmith.Core.Agents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Skills;
using Opsmith.Policy.Decisions;

namespace Opsmith.Application.Agents;

/// <summary>
/// An agent ready to work: its definition, its environment (or none), the inventory, the catalog with only the skills
/// its allowlist names, and its autonomy as the policy reads it. Every skill an invariant names is in <see cref="Skills"/>.
/// </summary>
public sealed record LoadedAgent(
    AgentDefinition Definition,
    EnvironmentDefinition? Environment,
    Inventory Inventory,
    IReadOnlyList<CatalogEntry> Skills,
    AutonomyLevel Autonomy,
    string? Prometheus)
{
    public string Name => Definition.Name;

    /// <summary>The text of the agent's instructions files (<see cref="AgentDefinition.Instructions"/>, and <c>--instructions</c>), for the LLM agent.</summary>
    public IReadOnlyList<AgentInstructions> Instructions { get; init; } = [];

    public CatalogEntry? Skill(string name) => Skills.FirstOrDefault(s => s.Name == name);

    public IEnumerable<CatalogEntry> SkillsOf(Stage stage) => Skills.Where(s => s.Skill.Metadata.Stage == stage);
}

/// <summary>One instructions file (an Agent Skill's <c>SKILL.md</c>): a procedure the LLM agent is told to follow, within the guardrails.</summary>
public sealed record AgentInstructions(string File, string Text);
