using System.Text.RegularExpressions;
using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;

namespace Opsmith.Policy.Tests.Classification;

/// <summary>The examples in docs/policy.md's tier table are classified as the table says.</summary>
public sealed partial class DocsExampleTests
{
    [Fact]
    public void Every_example_in_the_tier_table_has_the_tier_of_its_row()
    {
        var classifier = new CommandClassifier();
        var rows = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "policy.md"))
            .SkipWhile(l => !l.StartsWith("| tier |", StringComparison.Ordinal)).Skip(2)
            .TakeWhile(l => l.StartsWith('|'))
            .ToList();
        Assert.Equal(4, rows.Count);

        var wrong = new List<string>();
        var examples = 0;
        foreach (var row in rows)
        {
            var cells = row.Split(" | ");
            Assert.True(YamlNames.TryParse<RiskTier>(cells[0].Trim('|', ' ', '`'), out var tier), row);
            foreach (Match example in Code().Matches(cells[^1]))
            {
                var command = example.Groups[1].Value.Replace("\\|", "|");
                var result = classifier.Classify(command);
                examples++;
                if (result.Tier != tier) wrong.Add($"  {command}: table says {YamlNames.Of(tier)}, classifier says {YamlNames.Of(result.Tier)} ({result.DecidingRule})");
            }
        }
        Assert.True(examples >= 20, $"only {examples} examples found in the tier table");
        Assert.True(wrong.Count == 0, "docs/policy.md examples disagree with the classifier:\n" + string.Join('\n', wrong));
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Opsmith.slnx"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Opsmith.slnx)");
    }

    [GeneratedRegex(@"`((?:[^`\\]|\\.)+)`")]
    private static partial Regex Code();
}
