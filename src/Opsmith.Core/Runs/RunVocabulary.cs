using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Opsmith.Core.Runs;

/// <summary>What a run does to hosts: checks only, the skill's actions, or the recorded rollback of an earlier run.</summary>
public enum RunMode
{
    [JsonStringEnumMemberName("dry-run")] DryRun,
    [JsonStringEnumMemberName("execute")] Execute,
    [JsonStringEnumMemberName("rollback")] Rollback,
}

/// <summary>The part of a skill a step belongs to, as reports, events and the audit trail name it.</summary>
public enum RunSection
{
    [JsonStringEnumMemberName("preconditions")] Preconditions,
    /// <summary>The read-only <c>check</c> of an action, run in a dry run.</summary>
    [JsonStringEnumMemberName("checks")] Checks,
    [JsonStringEnumMemberName("actions")] Actions,
    [JsonStringEnumMemberName("success_criteria")] SuccessCriteria,
    [JsonStringEnumMemberName("rollback")] Rollback,
    /// <summary>After a rollback: what held before the run (preconditions and steady-state checks) is checked again.</summary>
    [JsonStringEnumMemberName("verification")] Verification,
}

/// <summary>How a run ended on one host, or overall.</summary>
public enum RunVerdict
{
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("planned")] Planned,
    [JsonStringEnumMemberName("plan-failed")] PlanFailed,
    [JsonStringEnumMemberName("precondition-failed")] PreconditionFailed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("rolled-back")] RolledBack,
    [JsonStringEnumMemberName("rollback-failed")] RollbackFailed,
    [JsonStringEnumMemberName("unreachable")] Unreachable,
    [JsonStringEnumMemberName("canceled")] Canceled,
    /// <summary>The process running it ended (killed, crashed, the machine restarted) before it recorded an end.</summary>
    [JsonStringEnumMemberName("interrupted")] Interrupted,
}

/// <summary>How one step ended.</summary>
public enum StepVerdict
{
    [JsonStringEnumMemberName("passed")] Passed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("timed-out")] TimedOut,
    [JsonStringEnumMemberName("unreachable")] Unreachable,
    [JsonStringEnumMemberName("canceled")] Canceled,
    /// <summary>The guardrails did not let it run (kill switch, autonomy, limits, a denied approval); nothing ran.</summary>
    [JsonStringEnumMemberName("refused")] Refused,
    [JsonStringEnumMemberName("skipped")] Skipped,
}

public static class RunVerdicts
{
    public static bool IsSuccess(this RunVerdict verdict) => verdict is RunVerdict.Succeeded or RunVerdict.Planned;
}

/// <summary>
/// The stable text of an enum value on every wire (JSON, the audit database, events): the
/// <see cref="JsonStringEnumMemberNameAttribute"/> on the member, so JSON and every other form agree.
/// Renaming a member never changes its wire name.
/// </summary>
public static class WireNames
{
    private static readonly ConcurrentDictionary<(Type, object), string> Names = new();

    public static string Wire<T>(this T value) where T : struct, Enum =>
        Names.GetOrAdd((typeof(T), value), static key =>
        {
            var member = key.Item1.GetField(key.Item2.ToString()!, BindingFlags.Public | BindingFlags.Static)
                         ?? throw new ArgumentOutOfRangeException(nameof(value), key.Item2, $"not a {key.Item1.Name}");
            return member.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                   ?? throw new InvalidOperationException($"{key.Item1.Name}.{key.Item2} has no wire name");
        });

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
            if (string.Equals(candidate.Wire(), text, StringComparison.Ordinal)) { value = candidate; return true; }
        value = default;
        return false;
    }

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(v => v.Wire()).ToList();
}
