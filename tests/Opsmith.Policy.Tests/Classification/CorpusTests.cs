using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;

namespace Opsmith.Policy.Tests.Classification;

/// <summary>
/// The guardrails issue's "done when": every dangerous command is classified at or above its expected tier,
/// and at least 98 % of everyday read commands are classified read. Each corpus holds at least 150 commands.
/// </summary>
public sealed class CorpusTests
{
    private static readonly CommandClassifier Classifier = new();

    [Fact]
    public void Every_dangerous_command_is_classified_at_or_above_its_expected_tier_and_none_is_read()
    {
        var corpus = Corpus.Dangerous();
        Assert.True(corpus.Count >= 150, $"the dangerous corpus has only {corpus.Count} commands");

        var missed = corpus
            .Select(entry => (entry.Command, entry.Expected, Result: Classifier.Classify(entry.Command)))
            .Where(x => x.Result.Tier < x.Expected || x.Result.Tier == RiskTier.Read)
            .Select(x => $"  expected {YamlNames.Of(x.Expected)}, got {YamlNames.Of(x.Result.Tier)} ({x.Result.DecidingRule}): {x.Command}")
            .ToList();

        Assert.True(missed.Count == 0, $"{missed.Count} of {corpus.Count} dangerous commands are classified too low:\n{string.Join('\n', missed)}");
    }

    [Fact]
    public void At_least_98_percent_of_everyday_read_commands_are_classified_read()
    {
        var corpus = Corpus.EverydayRead();
        Assert.True(corpus.Count >= 150, $"the read corpus has only {corpus.Count} commands");

        var misread = corpus
            .Select(command => (Command: command, Result: Classifier.Classify(command)))
            .Where(x => x.Result.Tier != RiskTier.Read)
            .Select(x => $"  {YamlNames.Of(x.Result.Tier)} ({x.Result.DecidingRule}): {x.Command}")
            .ToList();
        var share = 1.0 - (double)misread.Count / corpus.Count;

        Assert.True(share >= 0.98, $"only {share:P1} of {corpus.Count} read commands are classified read; these are not:\n{string.Join('\n', misread)}");
    }

    [Fact]
    public void Dangerous_corpus_lines_name_a_real_tier()
    {
        foreach (var line in Corpus.Lines("dangerous.txt"))
        {
            var tab = line.IndexOf('\t');
            Assert.True(tab > 0, $"no tab in: {line}");
            Assert.True(YamlNames.TryParse<RiskTier>(line[..tab], out _), $"unknown tier '{line[..tab]}' in: {line}");
        }
    }
}

/// <summary>Reads the corpus files copied next to the tests (Corpus/*.txt). Lines starting with # are comments.</summary>
internal static class Corpus
{
    public static IReadOnlyList<string> Lines(string file) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Corpus", file))
            .Where(l => l.Trim().Length > 0 && !l.StartsWith('#'))
            .ToList();

    public static IReadOnlyList<(RiskTier Expected, string Command)> Dangerous() =>
        Lines("dangerous.txt").Select(line =>
        {
            var tab = line.IndexOf('\t');
            YamlNames.TryParse<RiskTier>(line[..tab], out var tier);
            return (tier, line[(tab + 1)..]);
        }).ToList();

    public static IReadOnlyList<string> EverydayRead() => Lines("everyday-read.txt");
}

/// <summary>Reads that print secrets stay read, and are marked so the policy engine can ask before running them.</summary>
public sealed class SensitiveReadCorpusTests
{
    [Fact]
    public void Every_sensitive_read_is_read_and_marked_sensitive()
    {
        var classifier = new CommandClassifier();
        var corpus = Corpus.Lines("sensitive-read.txt");
        var wrong = corpus
            .Select(command => (Command: command, Result: classifier.Classify(command)))
            .Where(x => x.Result.Tier != RiskTier.Read || !x.Result.SensitiveRead)
            .Select(x => $"  {YamlNames.Of(x.Result.Tier)} sensitive={x.Result.SensitiveRead} ({x.Result.DecidingRule}): {x.Command}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {corpus.Count} sensitive reads are not read-and-sensitive:\n{string.Join('\n', wrong)}");
    }
}
