namespace Opsmith.Lab.Bench;

/// <summary>What was run, where and when: the header of every report of one benchmark run.</summary>
/// <param name="Suite">Name of the suite that was run.</param>
/// <param name="Agent">The agent under test (such as <c>scripted</c> or a model name).</param>
/// <param name="Trials">Trials per instance.</param>
/// <param name="Command">The command line that started the run, so it can be repeated.</param>
/// <param name="Machine">Where it ran (host name, OS, cores), since times depend on it.</param>
public sealed record BenchRunInfo(
    string Suite,
    string Agent,
    int Trials,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string Command,
    string Machine);

/// <summary>
/// The figures of a group of trials: one task type, or all of them. Times are seconds from fault
/// injection; a median is over the trials where the thing happened and null when it never did.
/// </summary>
/// <param name="Task">The task type, or null for the overall group.</param>
/// <param name="SuccessPercent">Successes out of trials, in percent rounded to one decimal; null with no trials.</param>
/// <param name="MedianSteps">Median agent steps over all trials; null with no trials.</param>
/// <param name="CommandsRun">Commands run by the agent, summed over the trials.</param>
/// <param name="UnsafeAttempted">Commands the agent attempted that policy classified as unsafe.</param>
/// <param name="UnsafeBlocked">Of those, the ones that were blocked.</param>
/// <param name="FalseAlarms">Control trials (no fault injected) on which the agent raised a false alarm.</param>
/// <param name="Controls">Control trials in the group.</param>
/// <param name="Tokens">Tokens summed over the trials that reported them; null when none did.</param>
/// <param name="Errors">Trials that ended in an error rather than an answer.</param>
public sealed record BenchGroupSummary(
    BenchTaskType? Task,
    int Trials,
    int Successes,
    double? SuccessPercent,
    double? MedianTimeToDetectSeconds,
    double? MedianTimeToMitigateSeconds,
    double? MedianSteps,
    int CommandsRun,
    int UnsafeAttempted,
    int UnsafeBlocked,
    int FalseAlarms,
    int Controls,
    long? Tokens,
    int Errors);

/// <summary>The figures of all trials of one fault type, across task types.</summary>
/// <param name="SuccessPercent">Successes out of trials, in percent rounded to one decimal.</param>
/// <param name="MedianTimeToMitigateSeconds">Over the trials that mitigated; null when none did.</param>
public sealed record BenchFaultSummary(
    string Fault,
    int Trials,
    int Successes,
    double? SuccessPercent,
    double? MedianTimeToMitigateSeconds);

/// <summary>The summary of one benchmark run, as written to summary.json and rendered to results.md.</summary>
/// <param name="Tasks">One group per task type, in the order of <see cref="BenchTaskType"/>, even with no trials.</param>
/// <param name="Overall">All trials together.</param>
/// <param name="Faults">One entry per fault type present, ordered by fault name (ordinal).</param>
public sealed record BenchSummary(
    BenchRunInfo Run,
    IReadOnlyList<BenchGroupSummary> Tasks,
    BenchGroupSummary Overall,
    IReadOnlyList<BenchFaultSummary> Faults);

/// <summary>Computes a <see cref="BenchSummary"/> from trial results. Pure.</summary>
internal static class BenchSummarizer
{
    public static BenchSummary Summarize(BenchRunInfo info, IReadOnlyList<TrialResult> results)
    {
        // A void trial (its fault never showed) measures nothing about the agent: it stays in results.jsonl, unscored.
        results = results.Where(r => r.Outcome != BenchHarness.VoidOutcome).ToList();
        var tasks = Enum.GetValues<BenchTaskType>()
            .Select(task => Group(task, results.Where(r => r.Task == task).ToList()))
            .ToList();
        var faults = results
            .GroupBy(r => r.Fault, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Fault(g.Key, g.ToList()))
            .ToList();
        return new BenchSummary(info, tasks, Group(null, results), faults);
    }

    private static BenchGroupSummary Group(BenchTaskType? task, IReadOnlyList<TrialResult> trials)
    {
        var successes = trials.Count(r => r.Success);
        var reportedTokens = trials.Where(r => r.Tokens is not null).Select(r => (long)r.Tokens!.Value).ToList();
        return new BenchGroupSummary(
            task,
            trials.Count,
            successes,
            Percent(successes, trials.Count),
            Median(trials.Select(r => r.TimeToDetectSeconds)),
            Median(trials.Select(r => r.TimeToMitigateSeconds)),
            Median(trials.Select(r => (double?)r.Steps)),
            trials.Sum(r => r.CommandsRun),
            trials.Sum(r => r.UnsafeAttempted),
            trials.Sum(r => r.UnsafeBlocked),
            trials.Count(r => r.Control && r.FalseAlarm),
            trials.Count(r => r.Control),
            reportedTokens.Count == 0 ? null : reportedTokens.Sum(),
            trials.Count(IsError));
    }

    private static BenchFaultSummary Fault(string fault, IReadOnlyList<TrialResult> trials)
    {
        var successes = trials.Count(r => r.Success);
        return new BenchFaultSummary(
            fault,
            trials.Count,
            successes,
            Percent(successes, trials.Count),
            Median(trials.Select(r => r.TimeToMitigateSeconds)));
    }

    // An error is the harness or the agent failing, not a wrong answer; either marker counts.
    private static bool IsError(TrialResult r) =>
        r.Error is not null || string.Equals(r.Outcome, "error", StringComparison.OrdinalIgnoreCase);

    internal static double? Percent(int part, int whole) =>
        whole == 0 ? null : Math.Round(100.0 * part / whole, 1, MidpointRounding.AwayFromZero);

    /// <summary>The median of the non-null values (mean of the middle two for an even count); null when there are none.</summary>
    internal static double? Median(IEnumerable<double?> values)
    {
        var sorted = values.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        if (sorted.Count == 0)
            return null;
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
