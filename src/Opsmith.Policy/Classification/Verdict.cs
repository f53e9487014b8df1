using Opsmith.Core.Skills;

namespace Opsmith.Policy.Classification;

/// <summary>What one rule decided about one program: the tier, the stable rule id, why in words, and what else the policy engine must know.</summary>
internal readonly record struct Verdict(RiskTier Tier, string Rule, string Reason, ClassificationFlags Flags = ClassificationFlags.None)
{
    public static Verdict Read(string rule, string reason) => new(RiskTier.Read, rule, reason);

    public static Verdict Service(string rule, string reason) => new(RiskTier.ServiceMutation, rule, reason);

    public static Verdict Destructive(string rule, string reason) => new(RiskTier.Destructive, rule, reason);

    public static Verdict Data(string rule, string reason) => new(RiskTier.DataMutation, rule, reason);

    /// <summary>
    /// What the classifier cannot read with confidence (an unknown program, verb or option, a program built at run
    /// time, input it cannot see): destructive, and marked so that agent mode asks a person.
    /// </summary>
    public static Verdict Unknown(string rule, string reason) => new(RiskTier.Destructive, rule, reason, ClassificationFlags.Uncertain);

    /// <summary>A read that prints secret values (private keys, password hashes, secrets of a vault or cluster).</summary>
    public static Verdict Sensitive(string rule, string reason) => new(RiskTier.Read, rule, reason, ClassificationFlags.SensitiveRead);

    /// <summary>Writing or removing under /tmp: read only when the step runs with a private /tmp.</summary>
    public static Verdict PrivateTmp(string rule, string reason) => new(RiskTier.Read, rule, reason, ClassificationFlags.NeedsPrivateTmp);

    public Verdict With(ClassificationFlags flags) => this with { Flags = Flags | flags };

    /// <summary>The higher of the two (the first on a tie, so the earlier, usually more specific, reason is kept); flags of both are kept.</summary>
    public static Verdict Max(Verdict first, Verdict second) =>
        (second.Tier > first.Tier ? second : first) with { Flags = first.Flags | second.Flags };

    public static Verdict Max(IEnumerable<Verdict> verdicts, Verdict fallback) => verdicts.Aggregate(fallback, Max);
}
