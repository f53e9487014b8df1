using Opsmith.Core.Runs;
using Opsmith.Execution.Runs;

namespace Opsmith.Application.Executions;

/// <summary>Who ran an execution: Opsmith itself (over SSH, guarded), or a GitHub Actions workflow that reported back.</summary>
public enum ExecutionSource
{
    Opsmith,
    GithubActions,
}

/// <summary>
/// One run of an active skill started through the execution service (or reported by a GitHub Actions callback): which
/// version ran (<see cref="Commit"/> in the skills repository), who asked, how it ended, and its report.
/// </summary>
/// <param name="Verdict">Null while it runs.</param>
/// <param name="LogsUrl">Where a GitHub Actions run's logs are (from its callback).</param>
/// <param name="Outputs">What a GitHub Actions run reported as its outputs.</param>
public sealed record Execution(
    string Id,
    string Skill,
    string? Commit,
    string Actor,
    RunMode Mode,
    ExecutionSource Source,
    DateTimeOffset Started,
    DateTimeOffset? Finished,
    RunVerdict? Verdict,
    RunReport? Report,
    string? LogsUrl = null,
    IReadOnlyDictionary<string, string>? Outputs = null,
    string? TaskId = null)
{
    public bool Running => Verdict is null;
}

/// <summary>One skill of a task, with the execution that ran it (null until it starts; it never starts after a failure).</summary>
public sealed record TaskStep(string Skill, IReadOnlyDictionary<string, string> Inputs, string? ExecutionId, RunVerdict? Verdict, string? Error);

/// <summary>
/// A sequence of skills run in order, each only after the one before succeeded: fail fast, no automatic retry.
/// <see cref="Verdict"/> is null while it runs; it is the first failing step's verdict, or succeeded/planned.
/// </summary>
public sealed record TaskRun(string Id, string Actor, RunMode Mode, DateTimeOffset Started, DateTimeOffset? Finished, RunVerdict? Verdict,
    IReadOnlyList<TaskStep> Steps);
