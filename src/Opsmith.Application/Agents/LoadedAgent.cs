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

    public CatalogEntry? Skill(string name) => Skills.FirstOrDefault(s => s.Name == name);

    public IEnumerable<CatalogEntry> SkillsOf(Stage stage) => Skills.Where(s => s.Skill.Metadata.Stage == stage);
}
