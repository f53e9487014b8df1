using Opsmith.Core.Skills;

namespace Opsmith.Policy.Classification;

/// <summary>What one rule decided about one program: the tier, the stable rule id and why, in words.</summary>
internal readonly record struct Verdict(RiskTier Tier, string Rule, string Reason)
{
    public static Verdict Read(string rule, string reason) => new(RiskTier.Read, rule, reason);

    public static Verdict Service(string rule, string reason) => new(RiskTier.ServiceMutation, rule, reason);

    public static Verdict Destructive(string rule, string reason) => new(RiskTier.Destructive, rule, reason);

    public static Verdict Data(string rule, string reason) => new(RiskTier.DataMutation, rule, reason);

    /// <summary>The higher of the two; the first on a tie, so the earlier (usually more specific) reason is kept.</summary>
    public static Verdict Max(Verdict first, Verdict second) => second.Tier > first.Tier ? second : first;

    public static Verdict Max(IEnumerable<Verdict> verdicts, Verdict fallback) => verdicts.Aggregate(fallback, Max);
}
