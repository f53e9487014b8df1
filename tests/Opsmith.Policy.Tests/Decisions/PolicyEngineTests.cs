using Opsmith.Core.Skills;
using Opsmith.Policy.Decisions;

namespace Opsmith.Policy.Tests.Decisions;

public sealed class PolicyEngineTests
{
    private static readonly Actor Alice = new("alice", ActorKind.Human);
    private static readonly Actor Bob = new("bob", ActorKind.Human);
    private static readonly Actor Agent = new("opsmith", ActorKind.Agent);

    private static StepProposal Step(RiskTier tier, Actor? actor = null, string? skill = "restart-nginx", bool adHoc = false) =>
        new(actor ?? Agent, skill, "web1", "act", "some command", tier, adHoc);

    private static PolicySettings At(AutonomyLevel level) => PolicySettings.Default with { Autonomy = level };

    [Theory]
    [InlineData(AutonomyLevel.Observe, RiskTier.Read, DecisionOutcome.Allow)]
    [InlineData(AutonomyLevel.Observe, RiskTier.ServiceMutation, DecisionOutcome.Block)]
    [InlineData(AutonomyLevel.Observe, RiskTier.Destructive, DecisionOutcome.Block)]
    [InlineData(AutonomyLevel.Recommend, RiskTier.Read, DecisionOutcome.Allow)]
    [InlineData(AutonomyLevel.Recommend, RiskTier.ServiceMutation, DecisionOutcome.RequireApproval)]
    [InlineData(AutonomyLevel.Recommend, RiskTier.Destructive, DecisionOutcome.RequireApproval)]
    [InlineData(AutonomyLevel.AutomateSafe, RiskTier.ServiceMutation, DecisionOutcome.Allow)]
    [InlineData(AutonomyLevel.AutomateSafe, RiskTier.Destructive, DecisionOutcome.RequireApproval)]
    [InlineData(AutonomyLevel.AutomateDestructive, RiskTier.Destructive, DecisionOutcome.Allow)]
    public void Autonomy_level_decides_per_tier(AutonomyLevel level, RiskTier tier, DecisionOutcome expected) =>
        Assert.Equal(expected, PolicyEngine.DecideStep(Step(tier), At(level), killSwitchOn: false).Outcome);

    [Theory]
    [InlineData(AutonomyLevel.Observe)]
    [InlineData(AutonomyLevel.Recommend)]
    [InlineData(AutonomyLevel.AutomateSafe)]
    [InlineData(AutonomyLevel.AutomateDestructive)]
    public void A_data_mutation_step_always_needs_a_person_whatever_the_settings(AutonomyLevel level)
    {
        foreach (var actor in new[] { Alice, Agent })
        foreach (var adHoc in new[] { false, true })
        {
            var decision = PolicyEngine.DecideStep(Step(RiskTier.DataMutation, actor, adHoc: adHoc), At(level) with { MaxRunsPerHour = null }, false);

            Assert.Equal(DecisionOutcome.RequireApproval, decision.Outcome);
            Assert.Equal("data-protection", decision.Rule);
        }
    }

    [Fact]
    public void The_kill_switch_blocks_every_mutating_step_but_not_reads()
    {
        Assert.Equal(DecisionOutcome.Block, PolicyEngine.DecideStep(Step(RiskTier.ServiceMutation), At(AutonomyLevel.AutomateDestructive), true).Outcome);
        Assert.Equal("kill-switch", PolicyEngine.DecideStep(Step(RiskTier.DataMutation), At(AutonomyLevel.AutomateDestructive), true).Rule);
        Assert.Equal(DecisionOutcome.Allow, PolicyEngine.DecideStep(Step(RiskTier.Read), At(AutonomyLevel.AutomateDestructive), true).Outcome);
    }

    [Fact]
    public void An_agent_may_not_run_ad_hoc_commands()
    {
        var decision = PolicyEngine.DecideStep(Step(RiskTier.Read, Agent, skill: null, adHoc: true), At(AutonomyLevel.AutomateDestructive), false);

        Assert.Equal(DecisionOutcome.Block, decision.Outcome);
        Assert.Equal("allowlist", decision.Rule);
    }

    [Theory]
    [InlineData(RiskTier.ServiceMutation)]
    [InlineData(RiskTier.DataMutation)]
    public void An_investigating_agent_reads_with_its_own_commands_and_nothing_more(RiskTier tier)
    {
        var read = PolicyEngine.DecideStep(Step(RiskTier.Read, Agent, skill: null) with { AgentInvestigation = true }, At(AutonomyLevel.AutomateDestructive), false);
        var more = PolicyEngine.DecideStep(Step(tier, Agent, skill: null) with { AgentInvestigation = true }, At(AutonomyLevel.AutomateDestructive), false);

        Assert.Equal(DecisionOutcome.Allow, read.Outcome);
        Assert.Equal((DecisionOutcome.Block, "allowlist"), (more.Outcome, more.Rule));
        Assert.Contains("may only read", more.Reason);
    }

    [Fact]
    public void A_person_runs_an_ad_hoc_command_only_with_the_explicit_flag()
    {
        Assert.Equal(DecisionOutcome.Block, PolicyEngine.DecideStep(Step(RiskTier.Read, Alice, skill: null), At(AutonomyLevel.AutomateSafe), false).Outcome);
        Assert.Equal(DecisionOutcome.Allow, PolicyEngine.DecideStep(Step(RiskTier.Read, Alice, skill: null, adHoc: true), At(AutonomyLevel.AutomateSafe), false).Outcome);
    }

    [Fact]
    public void The_proposer_can_never_approve_their_own_step()
    {
        Assert.Equal(DecisionOutcome.Block, PolicyEngine.CanApprove(Alice, Alice).Outcome);
        Assert.Equal(DecisionOutcome.Allow, PolicyEngine.CanApprove(Alice, Bob).Outcome);
        Assert.Equal(DecisionOutcome.Block, PolicyEngine.CanApprove(Alice, Agent).Outcome);
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly RunProposal Restart = new(Agent, "restart-nginx", "web1", RiskTier.ServiceMutation, TimeSpan.FromMinutes(5));

    [Fact]
    public void A_run_inside_the_cooldown_is_blocked_and_says_when_it_ends()
    {
        var decision = PolicyEngine.DecideRun(Restart, new PolicyHistory(Now.AddMinutes(-2), 1, 1, 1), PolicySettings.Default, Now);

        Assert.Equal(DecisionOutcome.Block, decision.Outcome);
        Assert.Equal("cooldown", decision.Rule);
        Assert.Contains("ends at 2026-11-21 12:03:00Z", decision.Reason);
    }

    [Fact]
    public void A_person_may_run_inside_the_cooldown_with_a_reason_and_the_decision_says_who_and_why()
    {
        var settings = PolicySettings.Default with { CooldownOverride = "INC-4711: the first restart did not take" };

        var decision = PolicyEngine.DecideRun(Restart with { Actor = Alice }, new PolicyHistory(Now.AddMinutes(-2), 1, 1, 1), settings, Now);

        Assert.Equal(DecisionOutcome.Allow, decision.Outcome);
        Assert.Equal("cooldown-override", decision.Rule);
        Assert.Contains($"{Alice} overrode the cooldown", decision.Reason);
        Assert.Contains("INC-4711: the first restart did not take", decision.Reason);
    }

    [Fact]
    public void An_agent_cannot_override_a_cooldown()
    {
        var settings = PolicySettings.Default with { CooldownOverride = "because" };

        var decision = PolicyEngine.DecideRun(Restart, new PolicyHistory(Now.AddMinutes(-2), 1, 1, 1), settings, Now);

        Assert.Equal(DecisionOutcome.Block, decision.Outcome);
        Assert.Contains("only a person can override a cooldown", decision.Reason);
    }

    [Fact]
    public void Overriding_a_cooldown_does_not_override_the_rate_limits()
    {
        var settings = PolicySettings.Default with { CooldownOverride = "because" };

        var decision = PolicyEngine.DecideRun(Restart with { Actor = Alice }, new PolicyHistory(Now.AddMinutes(-2), 6, 6, 6), settings, Now);

        Assert.Equal(DecisionOutcome.Block, decision.Outcome);
        Assert.Equal("rate-limit-skill", decision.Rule);
    }

    [Fact]
    public void A_run_after_the_cooldown_is_allowed() =>
        Assert.Equal(DecisionOutcome.Allow, PolicyEngine.DecideRun(Restart, new PolicyHistory(Now.AddMinutes(-6), 1, 1, 1), PolicySettings.Default, Now).Outcome);

    [Theory]
    [InlineData(6, 6, 1, "rate-limit-skill")]
    [InlineData(0, 30, 1, "rate-limit")]
    [InlineData(0, 0, 10, "budget")]
    public void Rate_limits_and_the_budget_block_further_runs(int skillRuns, int allRuns, int counted, string rule)
    {
        var settings = PolicySettings.Default with { RunBudget = 10 };

        var decision = PolicyEngine.DecideRun(Restart, new PolicyHistory(null, skillRuns, allRuns, counted), settings, Now);

        Assert.Equal(rule, decision.Rule);
        Assert.Equal(DecisionOutcome.Block, decision.Outcome);
    }

    [Fact]
    public void Read_only_runs_have_no_cooldown_or_limits() =>
        Assert.Equal(DecisionOutcome.Allow,
            PolicyEngine.DecideRun(Restart with { Tier = RiskTier.Read }, new PolicyHistory(Now, 99, 99, 99), PolicySettings.Default with { RunBudget = 1 }, Now).Outcome);

    [Theory]
    [InlineData(AutonomyLevel.Observe, RiskTier.Read)]
    [InlineData(AutonomyLevel.AutomateSafe, RiskTier.ServiceMutation)]
    [InlineData(AutonomyLevel.AutomateDestructive, RiskTier.Destructive)]
    public void An_agent_needs_approval_for_an_uncertain_command_the_tier_alone_would_run(AutonomyLevel level, RiskTier tier)
    {
        var decision = PolicyEngine.DecideStep(Step(tier) with { Uncertain = true }, At(level), killSwitchOn: false);

        Assert.Equal(DecisionOutcome.RequireApproval, decision.Outcome);
        Assert.Equal("uncertain", decision.Rule);
    }

    [Fact]
    public void An_agent_needs_approval_for_a_read_that_prints_secrets()
    {
        var decision = PolicyEngine.DecideStep(Step(RiskTier.Read) with { SensitiveRead = true }, At(AutonomyLevel.AutomateDestructive), false);

        Assert.Equal(DecisionOutcome.RequireApproval, decision.Outcome);
        Assert.Equal("sensitive-read", decision.Rule);
    }

    [Fact]
    public void A_person_runs_uncertain_commands_and_sensitive_reads_as_the_tier_allows()
    {
        var uncertain = PolicyEngine.DecideStep(Step(RiskTier.Destructive, Alice) with { Uncertain = true }, At(AutonomyLevel.AutomateDestructive), false);
        var sensitive = PolicyEngine.DecideStep(Step(RiskTier.Read, Alice) with { SensitiveRead = true }, At(AutonomyLevel.Observe), false);

        Assert.Equal(DecisionOutcome.Allow, uncertain.Outcome);
        Assert.Equal(DecisionOutcome.Allow, sensitive.Outcome);
    }

    [Fact]
    public void The_flags_never_soften_a_block_into_an_approval()
    {
        var decision = PolicyEngine.DecideStep(Step(RiskTier.Destructive) with { Uncertain = true }, At(AutonomyLevel.Observe), false);

        Assert.Equal(DecisionOutcome.Block, decision.Outcome);
        Assert.Equal("autonomy", decision.Rule);
    }
}
