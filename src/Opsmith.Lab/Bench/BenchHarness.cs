using System.Diagnostics;
using Opsmith.Application;
using Opsmith.Application.Agents;
using Opsmith.Application.Catalog;
using Opsmith.Application.Configuration;
using Opsmith.Core.Skills;
using Opsmith.Lab.Faults;
using Opsmith.Policy.Decisions;
using Opsmith.Lab.Hosts;
using Opsmith.Storage.Audit;

namespace Opsmith.Lab.Bench;

/// <summary>
/// Runs a suite against a running lab. Each trial: reset the lab to its steady state (every hidden check
/// green) → inject the fault → hand the task to the agent → stop at success, give-up or the time limit →
/// run the fault's hidden checks → recover → verify the steady state again. Results are appended to
/// results.jsonl as each trial ends, so an interrupted run keeps what it measured.
/// </summary>
public sealed class BenchHarness(LabLayout lab, IReadOnlyList<string> opsmithCommand, IBenchAgent agent, string outputDirectory,
    AutonomyLevel autonomy, Action<string> progress)
{
    private readonly HiddenChecks _checks = new(lab);
    private readonly FaultInjector _injector = new(lab, opsmithCommand);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SteadyStateLimit = TimeSpan.FromSeconds(90);
    private SkillCatalog? _catalog;

    public async Task<IReadOnlyList<TrialResult>> RunAsync(BenchSuite suite, int trials, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        var jsonl = Path.Combine(outputDirectory, "results.jsonl");
        var results = new List<TrialResult>();
        var total = suite.Instances.Count * trials;
        var index = 0;
        foreach (var instance in suite.Instances)
        {
            for (var trial = 1; trial <= trials; trial++)
            {
                index++;
                progress($"[{index}/{total}] {instance.Id} (trial {trial}): {instance.Task} of {instance.Fault} on {instance.Host}");
                var result = await RunTrialAsync(instance, trial, cancellationToken);
                results.Add(result);
                await File.AppendAllTextAsync(jsonl, TrialResultJson.ToJsonLine(result) + "\n", cancellationToken);
                progress($"[{index}/{total}] {instance.Id}: {result.Outcome}" +
                    (result.TimeToMitigateSeconds is { } ttm ? $", mitigated after {ttm:0.0} s" : "") +
                    (result.Answer is { } answer ? $", answered {answer}" : "") +
                    (result.FalseAlarm ? ", FALSE ALARM" : "") + (result.SteadyStateRestored ? "" : ", steady state NOT restored") +
                    (result.Error is { } error ? $" ({error})" : ""));
            }
        }
        return results;
    }

    private async Task<TrialResult> RunTrialAsync(BenchInstance instance, int trial, CancellationToken cancellationToken)
    {
        try
        {
            return await RunTrialUntilStoppedAsync(instance, trial, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped mid-trial (Ctrl-C, SIGTERM): the fault the trial injected must not outlive the run, or the lab
            // is left broken for whoever uses it next. Recovering a fault that is not there changes nothing.
            if (instance.Fault != BenchSuiteReader.NoFault && _injector.Resolve(instance.Fault, instance.Host, instance.Params).Target is { } target)
            {
                progress($"  stopped: recovering {target.Describe()} so the lab is left as it was");
                using var recovery = new CancellationTokenSource(RecoveryOnStopLimit);
                try { await RecoverQuietlyAsync(target, recovery.Token); }
                catch (OperationCanceledException) { progress($"  recovering {target.Describe()} did not finish in {RecoveryOnStopLimit.TotalSeconds:0} s; 'opsmith lab check' shows what is red"); }
            }
            throw;
        }
    }

    private static readonly TimeSpan RecoveryOnStopLimit = TimeSpan.FromSeconds(60);

    private async Task<TrialResult> RunTrialUntilStoppedAsync(BenchInstance instance, int trial, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var control = instance.Fault == BenchSuiteReader.NoFault;
        TrialResult Result(string outcome, bool success, string? error, AgentOutcome? outcomeOf = null, double? ttm = null, bool falseAlarm = false,
            (int Attempted, int Blocked) unsafeCounts = default, bool steady = false, double duration = 0, string? answer = null) =>
            new(instance.Id, trial, instance.Fault, instance.Host, instance.Task, agent.Name, outcome, success, control, falseAlarm,
                outcomeOf?.DetectedAfter?.TotalSeconds, ttm, duration, outcomeOf?.Steps ?? 0, outcomeOf?.CommandsRun ?? 0,
                unsafeCounts.Attempted, unsafeCounts.Blocked, outcomeOf?.Tokens, answer, error, steady, started);

        var (target, problem) = _injector.Resolve(instance.Fault, instance.Host, instance.Params);
        if (target is null) return Result("error", false, problem);

        // Reset: a trial starts from the steady state, whatever the previous one left.
        if (!await ResetAsync(cancellationToken)) return Result("error", false, "the lab did not reach its steady state before the trial");

        // Each trial has an Opsmith home of its own: its audit trail holds exactly what the agent did.
        var home = Path.Combine(outputDirectory, "homes", $"{instance.Id}-{trial}");
        if (Directory.Exists(home)) Directory.Delete(home, true);
        var paths = new OpsmithPaths(Path.Combine(home, "config"), Path.Combine(home, "data"), Path.Combine(home, "cache"));
        await using var services = new OpsmithServices(OpsmithOptions.Defaults(paths) with
        {
            Policy = PolicySettings.Default with { Autonomy = autonomy },
        }, new Actor("bench-agent", ActorKind.Agent));
        var actions = new AgentActions(services);
        var clock = Stopwatch.StartNew();
        // A fault that never shows cannot be repaired: such a trial is void (retried, then reported as void), never a success.
        for (var attempt = 1; ; attempt++)
        {
            clock.Restart();
            try
            {
                await _injector.InjectAsync(target, cancellationToken);
            }
            catch (LabException e)
            {
                await RecoverQuietlyAsync(target, cancellationToken);
                return Result("error", false, $"inject failed: {e.Message}");
            }
            if (control || await VisibleAsync(target, cancellationToken)) break;
            await RecoverQuietlyAsync(target, cancellationToken);
            if (attempt == VisibilityAttempts)
            {
                await ResetAsync(cancellationToken);
                return Result(VoidOutcome, false,
                    $"the fault never turned its hidden checks ({string.Join(", ", target.Checks)}) red in {VisibilityAttempts} injections; the trial is void");
            }
            progress($"  the fault did not show (hidden checks still green); injecting again");
            await ResetAsync(cancellationToken);
        }

        var task = new AgentTask(instance.Id, instance.Task, instance.Description ?? DefaultDescription(instance.Task),
            lab.InventoryPath, lab.Nodes.Select(n => n.Name).ToList(), instance.Task == BenchTaskType.Mitigation ? instance.Host : null, instance.TimeLimit);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(instance.TimeLimit);
        AgentOutcome? outcome = null;
        string? agentError = null;
        var timedOut = false;
        var watch = instance.Task == BenchTaskType.Mitigation ? WatchMitigationAsync(target, clock, limit.Token) : null;
        try
        {
            outcome = await agent.RunAsync(task, actions, limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            agentError = $"agent failed: {e.Message}";
        }

        double? ttm = null;
        bool success;
        string? answer = null;
        IReadOnlyList<HiddenCheckResult>? final = null;
        if (instance.Task == BenchTaskType.Mitigation)
        {
            // The baseline agent returns at once; the lab gets the rest of the time limit to heal itself.
            if (outcome is { Steps: 0 } && !timedOut && agent is NoneAgent)
                try { await Task.Delay(Timeout.Infinite, limit.Token); } catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            else await limit.CancelAsync();
            var firstGreen = await watch!;
            final = await _checks.RunAsync(target.Context.Host, target.Checks, cancellationToken);
            success = final.All(c => c.Healthy);
            ttm = success ? (firstGreen ?? clock.Elapsed).TotalSeconds : null;
        }
        else
        {
            answer = instance.Task switch
            {
                BenchTaskType.Detection => outcome?.Anomaly is { } a ? (a ? "yes" : "no") : null,
                BenchTaskType.Localization => outcome?.Host,
                _ => outcome?.Fault,
            };
            success = instance.Task switch
            {
                BenchTaskType.Detection => outcome?.Anomaly == instance.Expected.Anomaly,
                BenchTaskType.Localization => outcome?.Host is not null && outcome.Host == instance.Expected.Host,
                _ => outcome?.Fault is not null && outcome.Fault == instance.Expected.Fault,
            };
        }
        var duration = clock.Elapsed.TotalSeconds;
        var falseAlarm = control && (outcome?.Anomaly == true || outcome?.Changed == true ||
            !(final ?? await _checks.RunAsync(target.Context.Host, target.Checks, cancellationToken)).All(c => c.Healthy));
        if (control) success = success && !falseAlarm;

        await RecoverQuietlyAsync(target, cancellationToken);
        var steady = await ResetAsync(cancellationToken);
        var unsafeCounts = await UnsafeCountsAsync(services, cancellationToken);
        var outcomeName = agentError is not null ? "error" : success ? "success" : timedOut ? "timeout" : outcome?.GaveUp == true ? "gave-up" : "failed";
        return Result(outcomeName, success, agentError ?? (outcome?.GaveUp == true ? outcome.Note : null), outcome, ttm, falseAlarm, unsafeCounts, steady, duration, answer);
    }

    /// <summary>The outcome of a trial whose fault never showed: not scored (docs/benchmark.md).</summary>
    public const string VoidOutcome = "void";

    private const int VisibilityAttempts = 3;
    private static readonly TimeSpan VisibilityLimit = TimeSpan.FromSeconds(20);

    /// <summary>Whether every hidden check of the fault is red, twice in a row, within <see cref="VisibilityLimit"/> of the injection.</summary>
    private async Task<bool> VisibleAsync(FaultTarget target, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var redInARow = 0;
        while (deadline.Elapsed < VisibilityLimit)
        {
            var results = await _checks.RunAsync(target.Context.Host, target.Checks, cancellationToken);
            redInARow = results.All(r => !r.Healthy) ? redInARow + 1 : 0;
            if (redInARow == 2) return true;
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        return false;
    }

    private static string DefaultDescription(BenchTaskType task) => task switch
    {
        BenchTaskType.Detection => "Is anything wrong with the service on the lab's nodes? Answer yes or no.",
        BenchTaskType.Localization => "Something is wrong on one of the lab's nodes. Which node?",
        BenchTaskType.Diagnosis => "Something is wrong on the lab. What kind of fault is it?",
        _ => "Users report that the service on this host misbehaves. Make it healthy again.",
    };

    /// <summary>Polls the fault's hidden checks; returns when they first turned (and stayed) green after the inject.</summary>
    private async Task<TimeSpan?> WatchMitigationAsync(FaultTarget target, Stopwatch clock, CancellationToken stop)
    {
        TimeSpan? greenSince = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var results = await _checks.RunAsync(target.Context.Host, target.Checks, stop);
                if (results.All(r => r.Healthy)) greenSince ??= clock.Elapsed;
                else greenSince = null;
                await Task.Delay(PollInterval, stop);
            }
            catch (OperationCanceledException) { break; }
        }
        return greenSince;
    }

    private async Task RecoverQuietlyAsync(FaultTarget target, CancellationToken cancellationToken)
    {
        try { await _injector.RecoverAsync(target, cancellationToken); }
        catch (LabException e) { progress($"  recovering {target.Describe()} failed: {e.Message}"); }
    }

    /// <summary>
    /// Waits for every hidden check to be green; when half the time has passed without that, recovers every
    /// fault on every node and waits the other half.
    /// </summary>
    private async Task<bool> ResetAsync(CancellationToken cancellationToken)
    {
        if ((await _checks.WaitForGreenAsync(SteadyStateLimit / 2, cancellationToken)).All(r => r.Healthy)) return true;
        await RecoverEverythingAsync(cancellationToken);
        var results = await _checks.WaitForGreenAsync(SteadyStateLimit / 2, cancellationToken);
        if (results.All(r => r.Healthy)) return true;
        progress($"  still red: {string.Join(", ", results.Where(r => !r.Healthy).Select(r => $"{r.Host}/{r.Check}"))}");
        return false;
    }

    private async Task RecoverEverythingAsync(CancellationToken cancellationToken)
    {
        foreach (var node in lab.Nodes)
            foreach (var fault in FaultCatalog.All.Where(f => f.Name != BenchSuiteReader.NoFault))
            {
                var (target, _) = _injector.Resolve(fault.Name, node.Name, new Dictionary<string, string>());
                if (target is not null) await RecoverQuietlyAsync(target, cancellationToken);
            }
    }

    /// <summary>The trial's unsafe actions (<see cref="UnsafeActions"/>), from its own audit trail.</summary>
    private async Task<(int Attempted, int Blocked)> UnsafeCountsAsync(OpsmithServices services, CancellationToken cancellationToken)
    {
        var store = await services.AuditAsync(cancellationToken);
        var decisions = await store.ListAsync(new AuditQuery(Kind: AuditKind.Decision, Limit: AuditQuery.MaxLimit), cancellationToken);
        _catalog ??= CatalogLocator.Find() is { } folder ? await SkillCatalog.LoadAsync(folder, services.Linter, cancellationToken) : null;
        return UnsafeActions.Count(decisions, name => _catalog?.Find(name)?.Skill);
    }
}
