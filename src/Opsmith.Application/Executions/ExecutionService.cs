using System.Collections.Concurrent;
using System.Text.Json;
using Opsmith.Application.Runs;
using Opsmith.Application.Skills;
using Opsmith.Core.Runs;
using Opsmith.Execution.Runs;
using Opsmith.Storage.Audit;
using Opsmith.Storage.Executions;

namespace Opsmith.Application.Executions;

/// <summary>
/// Runs active skills for a long-lived surface (the server): each execution runs the version active in the skills
/// repository at that moment, records its commit, streams its events to any number of watchers and outlives the request
/// that started it. Every execution is kept in the audit database (table <c>executions</c>: SQLite or PostgreSQL, with its
/// report and skill commit) when it starts and when it ends, so a restarted server still lists and shows it. <see cref="StopAsync"/> cancels what runs — each run stops its current step and rolls back what it
/// changed — and waits for every report.
/// </summary>
public sealed class ExecutionService : IAsyncDisposable
{
    private readonly OpsmithServices _services;
    private readonly SkillRepository _skills;
    private readonly string? _inventory;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Execution> _executions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RunHandle> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskRun> _tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _work = new();

    /// <param name="inventoryFile">The inventory every execution runs against; null: executions are refused with a reason.</param>
    public ExecutionService(OpsmithServices services, SkillRepository skills, string? inventoryFile)
    {
        _services = services;
        _skills = skills;
        _inventory = inventoryFile is null ? null : Path.GetFullPath(inventoryFile);
    }

    private readonly Lock _recoveryGate = new();
    private Task<int>? _recovery;

    /// <summary>
    /// Once per process, before anything is read: executions stored as running whose run ended in an earlier process
    /// (its audit trail says run-interrupted, because the process that owned it is gone, or run-finished without the
    /// execution being saved again) are stored as interrupted, so a killed server leaves none running forever. An
    /// execution whose run may still go on (another server on the same database) is left alone. Returns how many it marked.
    /// </summary>
    public Task<int> RecoverAsync()
    {
        lock (_recoveryGate)
        {
            // A failure (the database was down) is tried again by the next caller rather than remembered.
            if (_recovery is null || _recovery.IsFaulted || _recovery.IsCanceled) _recovery = MarkInterruptedAsync(CancellationToken.None);
            return _recovery;
        }
    }

    private async Task<int> MarkInterruptedAsync(CancellationToken ct)
    {
        // Opening the trail appends run-interrupted for every open run whose owning process is gone.
        var audit = await _services.AuditAsync(ct);
        var store = await _services.ExecutionsAsync(ct);
        var marked = 0;
        foreach (var stored in await store.ListAsync(null, "running", int.MaxValue, ct))
        {
            if (_executions.ContainsKey(stored.Id) || Read(stored) is not { Source: ExecutionSource.Opsmith } execution) continue;
            var end = (await audit.ListAsync(new AuditQuery(RunId: stored.Id, Kind: AuditKind.RunInterrupted, Limit: 1), ct)).FirstOrDefault()
                      ?? (await audit.ListAsync(new AuditQuery(RunId: stored.Id, Kind: AuditKind.RunFinished, Limit: 1), ct)).FirstOrDefault();
            if (end is null) continue;
            await SaveAsync(execution with { Finished = end.Time, Verdict = RunVerdict.Interrupted });
            marked++;
        }
        return marked;
    }

    /// <summary>
    /// Starts the active version of <paramref name="skill"/> as <paramref name="actor"/>'s services act (their person is
    /// the run's actor and proposer of every approval). Everything <c>opsmith run</c> refuses is refused here, before
    /// any host is touched.
    /// </summary>
    public async Task<Result<Execution>> StartAsync(OpsmithServices actor, string skill, IReadOnlyDictionary<string, string> inputs, RunMode mode,
        CancellationToken ct, string? taskId = null)
    {
        if (_stopping.IsCancellationRequested) return OpsmithError.Unavailable("the server is shutting down; nothing new starts");
        if (_inventory is null)
            return OpsmithError.Unavailable("this server has no inventory, so it cannot run skills; start it with --inventory FILE (docs/server.md)");
        var active = await _skills.FindActiveAsync(skill, ct);
        if (active is null)
            return OpsmithError.NotFound($"there is no active skill '{skill}'; a skill becomes active when its review is merged (GET /api/skills?status=pending_approval)");
        var prepared = await actor.Runs.PrepareAsync(new RunSpec(active.Entry.File, _inventory, inputs, mode), ct);
        if (prepared.Error is { } error) return error;
        var started = await actor.Runs.StartAsync(prepared.Value!, _stopping.Token);
        if (started.Error is { } startError) return startError;
        var handle = started.Value!;
        var execution = new Execution(handle.RunId, active.Name, active.Commit, actor.Actor.ToString(), mode, ExecutionSource.Opsmith,
            _services.Time.GetUtcNow(), null, null, null, TaskId: taskId);
        _executions[execution.Id] = execution;
        _running[execution.Id] = handle;
        await SaveAsync(execution);
        var finishing = FinishAsync(execution, handle);
        _finishing[execution.Id] = finishing;
        Track(finishing);
        return execution;
    }

    /// <summary>One execution: as this process knows it (running or just finished), else as the database keeps it.</summary>
    public async Task<Execution?> GetAsync(string id, CancellationToken ct)
    {
        if (_executions.TryGetValue(id, out var known)) return known;
        await RecoverAsync().WaitAsync(ct);
        return await (await _services.ExecutionsAsync(ct)).GetAsync(id, ct) is { } stored ? Read(stored) : null;
    }

    /// <summary>Newest first, at most <paramref name="limit"/>; <paramref name="status"/> is <c>running</c> or a verdict's wire name (succeeded, failed, …).</summary>
    public async Task<IReadOnlyList<Execution>> ListAsync(string? skill, string? status, int limit, CancellationToken ct)
    {
        await RecoverAsync().WaitAsync(ct);
        var stored = await (await _services.ExecutionsAsync(ct)).ListAsync(skill, status, limit, ct);
        // What this process knows is newer than the database while a save is in flight.
        var byId = stored.Select(Read).OfType<Execution>().ToDictionary(e => e.Id, StringComparer.Ordinal);
        foreach (var known in _executions.Values) byId[known.Id] = known;
        return byId.Values
            .Where(e => skill is null || e.Skill == skill)
            .Where(e => status is null || StatusOf(e) == status)
            .OrderByDescending(e => e.Started).ThenBy(e => e.Id, StringComparer.Ordinal).Take(limit).ToList();
    }

    public static string StatusOf(Execution execution) => execution.Verdict is { } verdict ? JsonSerializer.Serialize(verdict, ReportJson.Options).Trim('"') : "running";

    /// <summary>Every event so far, then each new one until the run ends; null for an execution this process did not run.</summary>
    public IAsyncEnumerable<RunEvent>? Events(string id, CancellationToken ct) => _running.TryGetValue(id, out var handle) ? handle.Events(ct)
        : _handles.TryGetValue(id, out var finished) ? finished.Events(ct) : null;

    private readonly ConcurrentDictionary<string, RunHandle> _handles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _finishing = new(StringComparer.Ordinal);

    /// <summary>
    /// Completes when the execution's report is recorded (at once for one that is not running here). A live view waits
    /// for it after the last event, so whoever read the stream to its end then reads the finished execution.
    /// </summary>
    public Task WhenRecordedAsync(string id) => _finishing.TryGetValue(id, out var finishing) ? finishing : Task.CompletedTask;

    /// <summary>Asks a running execution to stop (its current step stops, what it changed is rolled back); false when it is not running.</summary>
    public bool Cancel(string id)
    {
        if (!_running.TryGetValue(id, out var handle)) return false;
        handle.Cancel();
        return true;
    }

    /// <summary>Records what a GitHub Actions run reported for <paramref name="id"/> (the execution_id it was dispatched with).</summary>
    public async Task<Result<Execution>> RecordCallbackAsync(string id, string skill, RunVerdict verdict, string? logsUrl,
        IReadOnlyDictionary<string, string> outputs, CancellationToken ct)
    {
        var existing = await GetAsync(id, ct);
        if (existing?.Source == ExecutionSource.Opsmith)
            return OpsmithError.Conflict($"execution {id} was run by Opsmith itself; a GitHub Actions callback cannot change it");
        var now = _services.Time.GetUtcNow();
        var execution = new Execution(id, skill, null, "github-actions", RunMode.Execute, ExecutionSource.GithubActions, existing?.Started ?? now, now,
            verdict, null, logsUrl, outputs);
        _executions[id] = execution;
        await SaveAsync(execution);
        return execution;
    }

    /// <summary>
    /// Runs <paramref name="steps"/> in order as <paramref name="actor"/>: each starts only after the one before it
    /// succeeded; the first failure ends the task (no automatic retry). Every skill is checked to be active first.
    /// </summary>
    public async Task<Result<TaskRun>> StartTaskAsync(OpsmithServices actor, IReadOnlyList<(string Skill, IReadOnlyDictionary<string, string> Inputs)> steps,
        RunMode mode, CancellationToken ct)
    {
        if (steps.Count == 0) return OpsmithError.BadRequest("a task needs at least one skill");
        foreach (var (skill, _) in steps)
            if (await _skills.FindActiveAsync(skill, ct) is null) return OpsmithError.NotFound($"there is no active skill '{skill}'; nothing was started");
        var task = new TaskRun("task-" + Guid.NewGuid().ToString("N")[..12], actor.Actor.ToString(), mode, _services.Time.GetUtcNow(), null, null,
            steps.Select(s => new TaskStep(s.Skill, s.Inputs, null, null, null)).ToList());
        _tasks[task.Id] = task;
        Track(RunTaskAsync(actor, task));
        return task;
    }

    public TaskRun? GetTask(string id) => _tasks.GetValueOrDefault(id);

    private async Task RunTaskAsync(OpsmithServices actor, TaskRun task)
    {
        RunVerdict? verdict = null;
        for (var i = 0; i < task.Steps.Count; i++)
        {
            var step = task.Steps[i];
            var started = await StartAsync(actor, step.Skill, step.Inputs, task.Mode, _stopping.Token, task.Id);
            if (started.Error is { } error)
            {
                task = Update(task, i, step with { Verdict = RunVerdict.Failed, Error = error.Message });
                verdict = RunVerdict.Failed;
                break;
            }
            task = Update(task, i, step with { ExecutionId = started.Value!.Id });
            var report = await _running[started.Value!.Id].Completion;
            task = Update(task, i, step with { ExecutionId = started.Value!.Id, Verdict = report.Verdict });
            if (!report.Verdict.IsSuccess())
            {
                verdict = report.Verdict;
                break;
            }
            verdict = report.Verdict;
        }
        _tasks[task.Id] = task with { Finished = _services.Time.GetUtcNow(), Verdict = verdict ?? RunVerdict.Failed };
    }

    private TaskRun Update(TaskRun task, int index, TaskStep step)
    {
        var steps = task.Steps.ToList();
        steps[index] = step;
        var updated = task with { Steps = steps };
        _tasks[task.Id] = updated;
        return updated;
    }

    private async Task FinishAsync(Execution execution, RunHandle handle)
    {
        RunReport? report = null;
        try
        {
            report = await handle.Completion;
        }
        finally
        {
            var finished = execution with
            {
                Finished = _services.Time.GetUtcNow(), Verdict = report?.Verdict ?? RunVerdict.Failed, Report = report,
            };
            _executions[execution.Id] = finished;
            _handles[execution.Id] = handle;
            _running.TryRemove(execution.Id, out _);
            await SaveAsync(finished);
        }
    }

    private void Track(Task work)
    {
        _work[work] = 0;
        _ = work.ContinueWith(t => _work.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Stops starting new runs, cancels the running ones (they roll back) and waits until every one has its report.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        foreach (var handle in _running.Values) handle.Cancel();
        try { await Task.WhenAll(_work.Keys); }
        catch (Exception e) when (e is not OutOfMemoryException) { /* each run's own report says how it ended */ }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    /// <summary>Writes the execution to the database; it is never cancelled half-way (a report must not be lost to a stop).</summary>
    private async Task SaveAsync(Execution execution) =>
        await (await _services.ExecutionsAsync(CancellationToken.None)).SaveAsync(new StoredExecution(execution.Id, execution.Skill, execution.Commit,
            execution.Actor, StatusOf(execution), execution.Started, execution.Finished, JsonSerializer.Serialize(execution, ReportJson.Options)), CancellationToken.None);

    /// <summary>A stored execution; null when its document cannot be read (the audit trail still holds what ran).</summary>
    private static Execution? Read(StoredExecution stored)
    {
        try
        {
            return JsonSerializer.Deserialize<Execution>(stored.Document, ReportJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
