using System.Text.RegularExpressions;
using Opsmith.Core.Skills;

namespace Opsmith.Core.Checks;

/// <summary>How one step of a run ended, as a condition sees it: its outcome, exit code and full stdout (trailing newlines trimmed).</summary>
public sealed record StepObservation(ConditionOutcome Outcome, int? ExitCode, string Stdout);

/// <summary>Whether a condition held, why (one line a person can read), and the facts its <c>stdout_matches</c> captured.</summary>
public sealed record ConditionResult(bool Held, string Reason, IReadOnlyDictionary<string, string> Facts)
{
    public static ConditionResult No(string reason) => new(false, reason, new Dictionary<string, string>());
}

/// <summary>
/// Evaluates a <see cref="Condition"/> against the steps that ran. Pure: it sees only observations. A step that
/// did not run at all (the run stopped before it) satisfies nothing, not even <c>outcome: skipped</c>.
/// Text in the condition is rendered by the caller (<paramref name="render"/>); a template that cannot be
/// rendered makes the condition not hold.
/// </summary>
public static class ConditionEvaluator
{
    public static ConditionResult Evaluate(Condition condition, Func<string, StepObservation?> observe, Func<string, string?> render)
    {
        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        var held = new List<string>();
        if (condition.Subject is { } subject)
        {
            if (observe(subject.Name) is not { } seen) return ConditionResult.No($"{subject} did not run");
            if (condition.Outcome is { } outcome && seen.Outcome != outcome)
                return ConditionResult.No($"{subject} {Describe(seen.Outcome)}, not {Describe(outcome)}");
            if (condition.Outcome is { } o) held.Add($"{subject} {Describe(o)}");
            if (condition.ExitCode is { } code)
            {
                if (seen.ExitCode != code) return ConditionResult.No($"{subject} exited with {seen.ExitCode?.ToString() ?? "nothing"}, not {code}");
                held.Add($"{subject} exited with {code}");
            }
            if (condition.StdoutContains is { } containsTemplate)
            {
                if (render(containsTemplate) is not { } wanted || !seen.Stdout.Contains(wanted, StringComparison.Ordinal))
                    return ConditionResult.No($"stdout of {subject} does not contain '{containsTemplate}'");
                held.Add($"stdout of {subject} contains '{wanted}'");
            }
            if (condition.StdoutNotContains is { } notContainsTemplate)
            {
                if (render(notContainsTemplate) is not { } unwanted || seen.Stdout.Contains(unwanted, StringComparison.Ordinal))
                    return ConditionResult.No($"stdout of {subject} contains '{notContainsTemplate}'");
                held.Add($"stdout of {subject} does not contain '{unwanted}'");
            }
            if (condition.StdoutMatches is { } patternTemplate)
            {
                if (render(patternTemplate) is not { } pattern || Match(pattern, seen.Stdout) is not { } match)
                    return ConditionResult.No($"stdout of {subject} does not match /{patternTemplate}/");
                foreach (var group in match.Groups.Cast<Group>().Where(g => g.Success && !int.TryParse(g.Name, out _)))
                    facts[group.Name] = group.Value;
                held.Add($"stdout of {subject} matches /{pattern}/");
            }
        }
        if (condition.Any.Count > 0)
        {
            var branch = condition.Any.Select(a => Evaluate(a, observe, render)).FirstOrDefault(r => r.Held);
            if (branch is null) return ConditionResult.No("no branch of 'any' holds");
            foreach (var (name, value) in branch.Facts) facts.TryAdd(name, value);
            held.Add(branch.Reason);
        }
        return new ConditionResult(true, string.Join(" and ", held), facts);
    }

    private static Match? Match(string pattern, string text)
    {
        try
        {
            var match = new Regex(pattern, RegexOptions.CultureInvariant, RunExpectationEvaluator.MatchTimeout).Match(text);
            return match.Success ? match : null;
        }
        catch (Exception e) when (e is ArgumentException or RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static string Describe(ConditionOutcome outcome) => outcome switch
    {
        ConditionOutcome.Succeeded => "succeeded",
        ConditionOutcome.Failed => "failed",
        _ => "was skipped",
    };
}
