using System.Diagnostics;
using Opsmith.Application;
using Opsmith.Application.Runs;
using Opsmith.Core.Runs;

namespace Opsmith.Lab.Bench;

/// <summary>
/// What an agent under test is told: the task type, a symptom description (never the fault's name), the
/// lab's inventory and its nodes, the host for mitigation tasks, and the time it has.
/// </summary>
public sealed record AgentTask(
    string InstanceId,
    BenchTaskType Task,
    string Description,
    string InventoryPath,
    IReadOnlyList<string> Nodes,
    string? Host,
    TimeSpan TimeLimit);

/// <summary>What an agent did and answered. Counts come from its runs' reports.</summary>
/// <param name="Anomaly">Detection: whether it found something wrong.</param>
/// <param name="Host">Localization: the host it blames.</param>
/// <param name="Fault">Diagnosis: the fault type it names.</param>
/// <param name="DetectedAfter">When it first noticed an anomaly, from the start of its task.</param>
/// <param name="Changed">Whether it ran anything that can change a host (a false alarm on a control).</param>
public sealed record AgentOutcome(
    bool GaveUp,
    bool? Anomaly,
    string? Host,
    string? Fault,
    TimeSpan? DetectedAfter,
    int Steps,
    int CommandsRun,
    bool Changed,
    int? Tokens,
    string? Note);

/// <summary>
/// An agent under test. It acts on hosts only through <see cref="AgentActions"/> (the normal run path:
/// executor, policy engine, audit), never through the lab.
/// </summary>
public interface IBenchAgent
{
    string Name { get; }
    Task<AgentOutcome> RunAsync(AgentTask task, AgentActions actions, CancellationToken cancellationToken);
}

/// <summary>The summary of one skill run an agent made.</summary>
public sealed record SkillRunSummary(string Skill, string Host, string Verdict, int Steps, int CommandsRun, bool Execute, string? Error)
{
    public bool Succeeded => Verdict == RunVerdict.Succeeded.Wire();
}

/// <summary>
/// The only way an agent acts: runs a skill through the application's <see cref="RunService"/>, in this process —
/// the same path people use (validation, executor, guardrails, the audit trail of <paramref name="services"/>).
/// </summary>
public sealed class AgentActions(OpsmithServices services)
{
    public OpsmithServices Services => services;

    public async Task<SkillRunSummary> RunSkillAsync(string skillPath, string inventoryPath, string host,
        IReadOnlyDictionary<string, string> inputs, bool execute, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var skill = Path.GetFileNameWithoutExtension(skillPath);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var given = new Dictionary<string, string>(inputs) { ["host"] = host };
        var result = await services.Runs.RunAsync(new RunSpec(skillPath, inventoryPath, given, execute ? RunMode.Execute : RunMode.DryRun), null, limit.Token);
        if (result.Error is { } error) return new SkillRunSummary(skill, host, "error", 0, 0, execute, error.Message);
        var report = result.Value!;
        var steps = report.Hosts.SelectMany(h => h.Steps).ToList();
        return new SkillRunSummary(report.Skill, host, report.Verdict.Wire(), steps.Count, steps.Count(s => s.Kind == "run" && s.ExitCode is not null), execute,
            limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested ? "timed out" : null);
    }
}

/// <summary>The baseline that does nothing: it measures how often the lab heals itself, and never raises an alarm.</summary>
public sealed class NoneAgent : IBenchAgent
{
    public string Name => "none";

    public Task<AgentOutcome> RunAsync(AgentTask task, AgentActions actions, CancellationToken cancellationToken) =>
        Task.FromResult(new AgentOutcome(GaveUp: false, Anomaly: task.Task == BenchTaskType.Detection ? false : null,
            Host: null, Fault: null, DetectedAfter: null, Steps: 0, CommandsRun: 0, Changed: false, Tokens: null, Note: "did nothing"));
}

/// <summary>Counts what an agent does across its skill runs.</summary>
public sealed class AgentTally
{
    public int Steps { get; private set; }
    public int Commands { get; private set; }
    public bool Changed { get; private set; }
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    public TimeSpan? DetectedAfter { get; private set; }

    /// <param name="changes">The skill can change hosts (a recovery skill), as opposed to a read-only check.</param>
    public SkillRunSummary Add(SkillRunSummary run, bool changes)
    {
        Steps += run.Steps;
        Commands += run.CommandsRun;
        if (changes && run.Execute) Changed = true;
        return run;
    }

    public void Detected() => DetectedAfter ??= _clock.Elapsed;
}
