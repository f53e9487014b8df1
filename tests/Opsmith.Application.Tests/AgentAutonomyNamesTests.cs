using Opsmith.Core.Agents;
using Opsmith.Core.Skills;
using Opsmith.Policy.Decisions;

namespace Opsmith.Application.Tests;

public sealed class AgentAutonomyNamesTests
{
    /// <summary>Core reads an agent's autonomy by name without seeing Policy; the names must stay the policy's.</summary>
    [Fact]
    public void An_agent_file_accepts_exactly_the_policy_autonomy_levels() =>
        Assert.Equal(Enum.GetValues<AutonomyLevel>().Select(YamlNames.Of), AgentReader.AutonomyNames);
}
