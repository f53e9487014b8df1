using System.Text.Json.Serialization;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;

namespace Opsmith.Execution.Runs;

/// <summary>
/// The record of one run: what ran where, with what result. Written as JSON (docs/report-format.md).
/// Every command and output in it has passed through the secret masker. Built by <see cref="HostReportBuilder"/>
/// (per host) and <see cref="RunReport.Assemble"/> (the run), nowhere else.
/// </summary>
public sealed record RunReport(
    int FormatVersion,
    string RunId,
    string Skill,
    string SkillFile,
    string SkillHash,
    string? Inventory,
    string? InventoryHash,
    RunMode Mode,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    IReadOnlyDictionary<string, string> Inputs,
    RunVerdict Verdict,
    IReadOnlyList<HostReport> Hosts)
{
    public const int CurrentFormat = 1;

    public static RunVerdict Overall(IReadOnlyList<HostReport> hosts)
    {
        if (hosts.Count == 0) return RunVerdict.Failed;
        if (hosts.All(h => h.Verdict.IsSuccess())) return hosts[0].Verdict;
        if (hosts.Any(h => h.Verdict == RunVerdict.RollbackFailed)) return RunVerdict.RollbackFailed;
        var failed = hosts.Select(h => h.Verdict).Where(v => !v.IsSuccess()).Distinct().ToList();
        return failed.Count == 1 ? failed[0] : RunVerdict.Failed;
    }
}

public sealed record HostReport(
    string Host,
    string Address,
    RunVerdict Verdict,
    string? Error,
    IReadOnlyList<StepReport> Steps,
    IReadOnlyList<PlannedCommand> Plan,
    RollbackReport? Rollback,
    RecordedRollback? RollbackPlan)
{
    /// <summary>The skill's declared outputs on this host (name → masked value); empty when it declares none or they did not run.</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether any step reached the host with an effective tier above read: what a rollback or a cooldown cares about.</summary>
    public bool Changed { get; init; }

    /// <summary>The skill's findings whose condition held on this host, in the order the skill declares them.</summary>
    public IReadOnlyList<FindingReport> Findings { get; init; } = [];
}

/// <summary>
/// A finding of the skill that held on a host: its name, its summary rendered with the inputs, target and facts,
/// the hypotheses it supports, its severity, and the facts (named groups of <c>stdout_matches</c>), masked.
/// </summary>
public sealed record FindingReport(string Name, string Summary, IReadOnlyList<string> Hypotheses, FindingSeverity Severity,
    IReadOnlyDictionary<string, string> Facts);

/// <summary>One step run once (a check retried N times is one report with N attempts).</summary>
/// <param name="Tier">The effective tier the executor decided for a shell command (null for http/tcp/prometheus checks).</param>
public sealed record StepReport(
    RunSection Section,
    string Name,
    string Kind,
    string? Command,
    int? ExitCode,
    long DurationMs,
    string? Stdout,
    string? Stderr,
    StepVerdict Verdict,
    string? Detail,
    int Attempts,
    RiskTier? Tier = null)
{
    /// <summary>For a read-tier shell command: <c>read-only</c> (it ran in the read sandbox) or <c>unsandboxed</c> (the host has none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Hosts.ReadIsolation? Isolation { get; init; }

    /// <summary>A read that tried to write: the sandbox stopped it, and the audit trail holds a classifier-miss decision.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ClassifierMiss { get; init; }

    /// <summary>The command prints secret values; its output is for people, and a model layer must withhold it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Sensitive { get; init; }
}

/// <summary>What --execute would run, on which host (dry run), with its effective tier.</summary>
public sealed record PlannedCommand(RunSection Section, string Name, RiskTier Risk, string Command);

/// <summary>
/// A rollback and its verification: after the rollback steps, the checks that held before the run
/// (preconditions and steady-state checks) run again; <see cref="Restored"/> says whether they pass.
/// </summary>
public sealed record RollbackReport(string Reason, bool Restored, IReadOnlyList<StepReport> Steps, IReadOnlyList<StepReport> Verification);

/// <summary>
/// Enough to run a host's rollback again later (`opsmith rollback REPORT`): the template values the rollback
/// steps used. Secret inputs are left out (they must be given again); <see cref="Withheld"/> lists values that
/// held a secret or were too large to record, without which the rollback cannot be run again.
/// </summary>
public sealed record RecordedRollback(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> SecretInputs, IReadOnlyList<string> Withheld);
