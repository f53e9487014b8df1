using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;

namespace Opsmith.Policy.Tests.Classification;

/// <summary>What a classification reports: the tier, the deciding rule, every program and the data-protection flag.</summary>
public sealed class ClassificationResultTests
{
    private static readonly CommandClassifier Classifier = new();

    [Fact]
    public void The_highest_tier_decides_and_every_program_is_listed()
    {
        var result = Classifier.Classify("systemctl status redis && redis-cli FLUSHALL; systemctl restart redis");
        Assert.Equal(RiskTier.DataMutation, result.Tier);
        Assert.Equal("redis.flushall", result.DecidingRule);
        Assert.True(result.DataProtected);
        Assert.Equal(["systemctl", "redis-cli", "systemctl"], result.Programs.Select(p => p.Program));
        Assert.Equal([RiskTier.Read, RiskTier.DataMutation, RiskTier.ServiceMutation], result.Programs.Select(p => p.Tier));
        Assert.Equal("FLUSHALL", result.Decisive!.Arguments);
    }

    [Fact]
    public void Only_data_mutation_is_data_protected()
    {
        Assert.False(Classifier.Classify("kill -9 1").DataProtected);
        Assert.True(Classifier.Classify("kubectl delete pvc x").DataProtected);
    }

    [Fact]
    public void An_empty_command_is_read()
    {
        var result = Classifier.Classify("   ");
        Assert.Equal(RiskTier.Read, result.Tier);
        Assert.Equal("empty", result.DecidingRule);
        Assert.Empty(result.Programs);
    }

    [Fact]
    public void The_first_finding_of_the_highest_tier_decides()
    {
        var result = Classifier.Classify("rm -rf /opt/a; kill -9 5");
        Assert.Equal("rm.recursive-system-path", result.DecidingRule);
    }

    [Fact]
    public void Lines_of_a_file_are_classified_one_by_one()
    {
        var results = Classifier.ClassifyLines(["# comment", "", "df -h", "reboot"]);
        Assert.Equal([RiskTier.Read, RiskTier.Destructive], results.Select(r => r.Tier));
    }

    [Fact]
    public void Reasons_name_what_was_found()
    {
        var finding = Classifier.Classify("rm -rf /var/lib/mysql").Decisive!;
        Assert.Equal("rm", finding.Program);
        Assert.Equal("-rf /var/lib/mysql", finding.Arguments);
        Assert.Contains("/var/lib/mysql", finding.Reason);
    }

    [Fact]
    public void Classification_never_throws_on_hostile_text()
    {
        var hostile = new[] { "$(((((", "`", "<<", "<<EOF", "'\"'\"", "${", "a |", "| b", "&& ||", ";;", "( ) { } [[ ]]", "\\", "$'\\x'", "case", "for", "function", new string('(', 5000) };
        foreach (var text in hostile)
        {
            var result = Classifier.Classify(text);
            Assert.NotNull(result.DecidingRule);
        }
    }
}

public sealed class RuleTableTests
{
    [Fact]
    public void No_program_is_both_on_the_read_only_list_and_ruled_elsewhere()
    {
        var wrappers = new[] { "sudo", "env", "xargs", "time", "command", "exec", "alias", "nice", "timeout", "watch" };
        var overlap = Opsmith.Policy.Classification.Rules.ReadOnlyPrograms.Names
            .Where(name => ProgramRules.KnownPrograms.Contains(name) || wrappers.Contains(name) || Shells.Names.Contains(name))
            .ToList();
        Assert.True(overlap.Count == 0, "listed as read-only but judged by a rule or wrapper: " + string.Join(", ", overlap));
    }
}
