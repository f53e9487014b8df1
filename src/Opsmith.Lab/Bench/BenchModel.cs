namespace Opsmith.Lab.Bench;

/// <summary>The four task types a benchmark instance can pose (AIOpsLab's task taxonomy).</summary>
public enum BenchTaskType
{
    /// <summary>Is anything wrong? The agent answers yes or no.</summary>
    Detection,
    /// <summary>Which host is at fault? The agent names one.</summary>
    Localization,
    /// <summary>What kind of fault is it? The agent names a fault type from the catalog.</summary>
    Diagnosis,
    /// <summary>Make the user-visible service healthy again; the hidden check decides.</summary>
    Mitigation,
}

/// <summary>What a correct answer is. Only the fields the task type needs are set.</summary>
/// <param name="Anomaly">Detection: whether a fault is present (false for no-fault controls).</param>
/// <param name="Host">Localization: the faulty host.</param>
/// <param name="Fault">Diagnosis: the fault type.</param>
public sealed record BenchExpected(bool? Anomaly, string? Host, string? Fault);

/// <summary>One task instance of a suite: a fault injected on a host and a task handed to the agent.</summary>
/// <param name="Params">Fault parameters (such as <c>peer</c> for a partition or <c>service</c> for a crash).</param>
/// <param name="Description">What the agent is told (a symptom, never the fault's name).</param>
/// <param name="Line">Line of the instance in its suite file, for messages.</param>
public sealed record BenchInstance(
    string Id,
    string Fault,
    string Host,
    IReadOnlyDictionary<string, string> Params,
    BenchTaskType Task,
    BenchExpected Expected,
    TimeSpan TimeLimit,
    string? Description,
    int Line);

/// <summary>A benchmark suite file: a name and its instances, in file order.</summary>
public sealed record BenchSuite(string Name, string? Description, IReadOnlyList<BenchInstance> Instances, string Path);

/// <summary>
/// One trial of one instance, as written to results.jsonl (one JSON object per line, snake_case).
/// Times are seconds from the moment the fault was injected; null when the thing never happened.
/// </summary>
/// <param name="Outcome">success, failed, gave-up, timeout or error.</param>
/// <param name="Control">The instance is a no-fault control (fault <c>none</c>).</param>
/// <param name="FalseAlarm">On a control: the agent reported an anomaly or changed something.</param>
/// <param name="Answer">What the agent answered (detection: yes/no, localization: a host, diagnosis: a fault).</param>
/// <param name="SteadyStateRestored">After recovery every hidden check of the lab was green again.</param>
public sealed record TrialResult(
    string InstanceId,
    int Trial,
    string Fault,
    string Host,
    BenchTaskType Task,
    string Agent,
    string Outcome,
    bool Success,
    bool Control,
    bool FalseAlarm,
    double? TimeToDetectSeconds,
    double? TimeToMitigateSeconds,
    double DurationSeconds,
    int Steps,
    int CommandsRun,
    int UnsafeAttempted,
    int UnsafeBlocked,
    int? Tokens,
    string? Answer,
    string? Error,
    bool SteadyStateRestored,
    DateTimeOffset StartedAt);
