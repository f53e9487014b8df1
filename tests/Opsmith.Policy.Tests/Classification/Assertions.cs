using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;

namespace Opsmith.Policy.Tests.Classification;

/// <summary>Shorthands so each test reads as "this command is that tier, decided by that rule".</summary>
internal static class Expect
{
    private static readonly CommandClassifier Classifier = new();

    public static Opsmith.Policy.Classification.Classification Classify(string command) => Classifier.Classify(command);

    public static void Tier(string command, RiskTier tier, string? rule = null)
    {
        var result = Classifier.Classify(command);
        var detail = string.Join("\n", result.Programs.Select(p => $"  {YamlNames.Of(p.Tier)} {p.Rule} {p.Program} {p.Arguments} [{string.Join(", ", p.Via)}]"));
        Assert.True(result.Tier == tier, $"'{command}': expected {YamlNames.Of(tier)}, got {YamlNames.Of(result.Tier)} ({result.DecidingRule})\n{detail}");
        if (rule is not null) Assert.True(result.DecidingRule == rule, $"'{command}': expected rule {rule}, got {result.DecidingRule}\n{detail}");
    }

    public static void Read(string command, string? rule = null) => Tier(command, RiskTier.Read, rule);

    public static void Service(string command, string? rule = null) => Tier(command, RiskTier.ServiceMutation, rule);

    public static void Destructive(string command, string? rule = null) => Tier(command, RiskTier.Destructive, rule);

    public static void Data(string command, string? rule = null) => Tier(command, RiskTier.DataMutation, rule);
}
