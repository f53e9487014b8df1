namespace Opsmith.Policy.Decisions;

public enum DecisionOutcome { Allow, RequireApproval, Block }

/// <summary>What the policy engine decided about one step or run, the rule that decided it, and why in words.</summary>
public sealed record PolicyDecision(DecisionOutcome Outcome, string Rule, string Reason)
{
    public static PolicyDecision Allow(string rule, string reason) => new(DecisionOutcome.Allow, rule, reason);
    public static PolicyDecision Approval(string rule, string reason) => new(DecisionOutcome.RequireApproval, rule, reason);
    public static PolicyDecision Block(string rule, string reason) => new(DecisionOutcome.Block, rule, reason);
}
