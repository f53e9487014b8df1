using System.Text.Json.Serialization;
using Opsmith.Core.Skills;

namespace Opsmith.Policy.Classification;

/// <summary>
/// One program a command runs and what was decided about it. <see cref="Via"/> lists what it was found
/// inside, outermost first (<c>sudo</c>, <c>sh -c</c>, <c>kubectl exec db-0</c>, <c>$(...)</c>).
/// </summary>
public sealed record ProgramFinding(string Program, string Arguments, RiskTier Tier, string Rule, string Reason, IReadOnlyList<string> Via, ClassificationFlags Flags = ClassificationFlags.None);

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

    /// <summary>Every flag of every program found (see <see cref="ClassificationFlags"/>).</summary>
    public ClassificationFlags Flags => Programs.Aggregate(ClassificationFlags.None, (all, p) => all | p.Flags) | (Problems.Count > 0 ? ClassificationFlags.Uncertain : ClassificationFlags.None);

    /// <summary>
    /// The classifier could not read part of the command with confidence (unknown program, verb or option, dynamic
    /// program, unseen input). Such a command is at least destructive; in agent mode it needs a person's approval.
    /// </summary>
    public bool Uncertain => Flags.HasFlag(ClassificationFlags.Uncertain);

    /// <summary>The command prints secret values; the policy engine may ask for approval even though it only reads.</summary>
    public bool SensitiveRead => Flags.HasFlag(ClassificationFlags.SensitiveRead);

    /// <summary>The command writes or removes under /tmp: its <c>read</c> tier holds only when it runs with a private /tmp.</summary>
    public bool NeedsPrivateTmp => Flags.HasFlag(ClassificationFlags.NeedsPrivateTmp);

    /// <summary>The finding that decided the tier (null for an empty command).</summary>
    [JsonIgnore]
    public ProgramFinding? Decisive => Programs.FirstOrDefault(p => p.Rule == DecidingRule && p.Tier == Tier);
}
