using System.Diagnostics;
using System.Text.Json;
using Opsmith.Execution.Processes;

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
public sealed record SkillRunSummary(string Skill, string Host, string Verdict, int Steps, int CommandsRun, bool Execute, string? Error);

/// <summary>
/// The only way an agent acts: runs a skill with <c>opsmith run</c> (the same path people use: executor,
/// guardrails, audit trail in <see cref="OpsmithHome"/>) and reads its report.
/// </summary>
public sealed class AgentActions(IReadOnlyList<string> opsmithCommand, string opsmithHome, string autonomy)
{
    public string OpsmithHome { get; } = opsmithHome;
    private int _counter;

    public async Task<SkillRunSummary> RunSkillAsync(string skillPath, string inventoryPath, string host,
        IReadOnlyDictionary<string, string> inputs, bool execute, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(OpsmithHome, "reports"));
        var report = Path.Combine(OpsmithHome, "reports", $"run-{Interlocked.Increment(ref _counter):D4}.json");
        var arguments = new List<string>(opsmithCommand.Skip(1)) { "run", skillPath, "-i", inventoryPath, "--input", $"host={host}", "--report-out", report, "--autonomy", autonomy };
        foreach (var (name, value) in inputs) arguments.AddRange(["--input", $"{name}={value}"]);
        if (execute) arguments.Add("--execute");
        var result = await LocalProcess.RunAsync(opsmithCommand[0], arguments, timeout, cancellationToken,
            environment: new Dictionary<string, string> { ["OPSMITH_HOME"] = OpsmithHome, ["NO_COLOR"] = "1" });
        var skill = Path.GetFileNameWithoutExtension(skillPath);
        if (!File.Exists(report))
            return new SkillRunSummary(skill, host, "error", 0, 0, execute,
                (result.TimedOut ? "timed out" : result.Stderr.Trim()) is { Length: > 0 } e ? e : $"exit code {result.ExitCode}");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(report, cancellationToken));
        var root = document.RootElement;
        var steps = 0;
        var commands = 0;
        foreach (var hostReport in root.GetProperty("hosts").EnumerateArray())
            foreach (var step in hostReport.GetProperty("steps").EnumerateArray())
            {
                steps++;
                if (step.TryGetProperty("kind", out var kind) && kind.GetString() == "run" &&
                    step.TryGetProperty("exit_code", out var code) && code.ValueKind == JsonValueKind.Number) commands++;
            }
        var verdict = root.GetProperty("verdict").GetString() ?? "unknown";
        return new SkillRunSummary(skill, host, verdict, steps, commands, execute, null);
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
