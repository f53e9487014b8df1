using Opsmith.Core.Skills;

namespace Opsmith.Policy.Classification;

/// <summary>
/// Reads a command line as the shell would and judges every program it runs with program-specific rules;
/// the command's tier is the highest: read &lt; service-mutation &lt; destructive &lt; data-mutation.
/// Pure and deterministic: nothing is run, expanded or looked up. See docs/policy.md.
/// </summary>
public sealed class CommandClassifier(ClassifierOptions options)
{
    public CommandClassifier() : this(ClassifierOptions.Default)
    {
    }

    public Classification Classify(string command)
    {
        var session = new ClassificationSession(options);
        using (PathContext.Enter(options.Inventory)) session.Script(command, []);
        var findings = session.Findings;
        if (findings.Count == 0)
            return new Classification(command, RiskTier.Read, [], "empty", session.Problems);
        var decisive = findings.Aggregate((best, next) => next.Tier > best.Tier ? next : best);
        return new Classification(command, decisive.Tier, findings, decisive.Rule, session.Problems);
    }

    /// <summary>One command per line; blank lines and lines starting with # are skipped.</summary>
    public IReadOnlyList<Classification> ClassifyLines(IEnumerable<string> lines) =>
        lines.Where(l => !string.IsNullOrWhiteSpace(l) && !l.TrimStart().StartsWith('#')).Select(Classify).ToList();
}
