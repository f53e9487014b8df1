using System.Text.Json.Serialization;
using Opsmith.Core.Skills;

namespace Opsmith.Policy.Classification;

/// <summary>
/// One program a command runs and what was decided about it. <see cref="Via"/> lists what it was found
/// inside, outermost first (<c>sudo</c>, <c>sh -c</c>, <c>kubectl exec db-0</c>, <c>$(...)</c>).
/// </summary>
public sealed record ProgramFinding(string Program, string Arguments, RiskTier Tier, string Rule, string Reason, IReadOnlyList<string> Via);

/// <summary>
/// The risk of one command line: the highest tier of every program it runs, the rule that decided it,
/// and everything found on the way. <see cref="DataProtected"/> is true when the command changes or
/// deletes stored data (the <c>data-mutation</c> tier). <see cref="Problems"/> are parts the parser could
/// not read; a command with problems is at least <c>destructive</c>.
/// </summary>
public sealed record Classification(
    string Command,
    RiskTier Tier,
    IReadOnlyList<ProgramFinding> Programs,
    string DecidingRule,
    IReadOnlyList<string> Problems)
{
    public bool DataProtected => Tier == RiskTier.DataMutation;

    /// <summary>The finding that decided the tier (null for an empty command).</summary>
    [JsonIgnore]
    public ProgramFinding? Decisive => Programs.FirstOrDefault(p => p.Rule == DecidingRule && p.Tier == Tier);
}

/// <summary>
/// What a skill tells the classifier: programs it declares read-only, each with the reason a reviewer can
/// check. A declaration only lifts an unknown program to <c>read</c>; it never overrides a rule.
/// </summary>
public sealed record ClassifierOptions(IReadOnlyDictionary<string, string> DeclaredReadPrograms)
{
    public static readonly ClassifierOptions Default = new(new Dictionary<string, string>());
}
