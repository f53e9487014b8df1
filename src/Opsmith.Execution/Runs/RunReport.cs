namespace Opsmith.Execution.Runs;

/// <summary>
/// The record of one `opsmith run`: what ran where, with what result. Written as JSON (docs/report-format.md).
/// Every command and output in it has passed through the secret masker.
/// </summary>
public sealed record RunReport(
    int FormatVersion,
    string Skill,
    string SkillFile,
    string SkillHash,
    string? Inventory,
    string? InventoryHash,
    string Mode,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    IReadOnlyDictionary<string, string> Inputs,
    string Verdict,
    IReadOnlyList<HostReport> Hosts)
{
    public const int CurrentFormat = 1;
}

public static class Verdicts
{
    public const string Succeeded = "succeeded";
    public const string Planned = "planned";
    public const string PlanFailed = "plan-failed";
    public const string PreconditionFailed = "precondition-failed";
    public const string Failed = "failed";
    public const string RolledBack = "rolled-back";
    public const string RollbackFailed = "rollback-failed";
    public const string Unreachable = "unreachable";
    public const string Canceled = "canceled";

    public static bool IsSuccess(string verdict) => verdict is Succeeded or Planned;
}

public sealed record HostReport(
    string Host,
    string Address,
    string Verdict,
    string? Error,
    IReadOnlyList<StepReport> Steps,
    IReadOnlyList<PlannedCommand> Plan,
    RollbackReport? Rollback,
    RecordedRollback? RollbackPlan);

/// <summary>One step run once (a check retried N times is one report with N attempts).</summary>
public sealed record StepReport(
    string Section,
    string Name,
    string Kind,
    string? Command,
    int? ExitCode,
    long DurationMs,
    string? Stdout,
    string? Stderr,
    string Verdict,
    string? Detail,
    int Attempts);

/// <summary>What --execute would run, on which host (dry run).</summary>
public sealed record PlannedCommand(string Section, string Name, string Risk, string Command);

public sealed record RollbackReport(string Reason, bool Restored, IReadOnlyList<StepReport> Steps, IReadOnlyList<StepReport> Verification);

/// <summary>
/// Enough to run a host's rollback again later (`opsmith rollback REPORT`): the template values the rollback
/// steps used. Secret inputs are left out (they must be given again); <see cref="Withheld"/> lists values that
/// held a secret or were too large to record, without which the rollback cannot be run again.
/// </summary>
public sealed record RecordedRollback(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> SecretInputs, IReadOnlyList<string> Withheld);

public static class StepVerdicts
{
    public const string Passed = "passed";
    public const string Failed = "failed";
    public const string TimedOut = "timed-out";
    public const string Unreachable = "unreachable";
    public const string Canceled = "canceled";
    public const string Skipped = "skipped";
}
