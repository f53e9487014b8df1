using System.Text.Json;
using Opsmith.Application.Validation;
using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Hosts;
using Opsmith.Execution.Runs;
using Opsmith.Policy.Classification;

namespace Opsmith.Application.Runs;

/// <summary>
/// Prepares, starts and rolls back runs: the one path from any surface (CLI, benchmark, agent, server) to the
/// executor. <see cref="PrepareAsync"/> refuses, before any host is touched, whatever <c>opsmith validate</c>
/// refuses, and every problem comes back as an <see cref="OpsmithError"/> naming file, line and field.
/// </summary>
public sealed class RunService(OpsmithServices services)
{
    public async Task<Result<PreparedRun>> PrepareAsync(RunSpec spec, CancellationToken ct)
    {
        if (spec.Parallel < 1) return OpsmithError.BadRequest("parallel must be at least 1");
        if (spec.Mode == RunMode.Rollback) return OpsmithError.BadRequest("a rollback is prepared from its report (PrepareRollbackAsync)");
        var skillResult = await LoadSkillAsync(spec.SkillFile, ct);
        if (skillResult.Error is { } skillError) return skillError;
        var (skill, notes) = skillResult.Value!;
        var inventoryResult = await LoadInventoryAsync(spec.InventoryFile, ct);
        if (inventoryResult.Error is { } inventoryError) return inventoryError;
        var inventory = inventoryResult.Value!;

        var given = spec.Inputs.ToDictionary(p => p.Key, p => p.Value);
        if (spec.Secrets is { } secrets)
            foreach (var input in skill.Spec.Inputs.Where(i => i.Secret && !given.ContainsKey(i.Name)))
                if (secrets(input.Name) is { } value) given[input.Name] = value;
        var (inputs, errors) = InputBinder.Bind(skill, given, inventory);
        if (inputs is null) return OpsmithError.BadRequest(string.Join("\n", errors));

        var hosts = ResolveTargets(skill, inventory, inputs);
        if (hosts.Error is { } targetError) return targetError;
        return new PreparedRun(skill, Path.GetFullPath(spec.SkillFile), inventory, hosts.Value!, inputs, spec.Mode, spec.Parallel,
            spec.Autonomy ?? services.Options.Policy.Autonomy, notes, spec.CooldownOverride, spec.StepTimeout);
    }

    /// <summary>Starts a prepared run; its events flow at once, its report is <see cref="RunHandle.Completion"/>.</summary>
    public async Task<Result<RunHandle>> StartAsync(PreparedRun run, CancellationToken ct)
    {
        var built = await BuildAsync(run.Skill.Spec.DeclaredReadPrograms, run.Skill.ContentHash, run.Inventory, run.Mode, run.Autonomy, ct, run.CooldownOverride);
        if (built.Error is { } error) return error;
        var (executor, runner) = built.Value!;
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var hurry = new CancellationTokenSource();
        var completion = Task.Run(async () =>
        {
            try
            {
                return await runner.RunAsync(run.Request, run.SkillFile, cancel.Token, hurry.Token);
            }
            finally
            {
                await executor.DisposeAsync();
                cancel.Dispose();
                hurry.Dispose();
            }
        }, CancellationToken.None);
        return new RunHandle(executor.Audit.RunId, executor.Audit.Events, cancel, hurry, completion);
    }

    /// <summary>Prepares and runs to the end, calling <paramref name="observe"/> for each event as it happens.</summary>
    public async Task<Result<RunReport>> RunAsync(RunSpec spec, Action<RunEvent>? observe, CancellationToken ct)
    {
        var prepared = await PrepareAsync(spec, ct);
        if (prepared.Error is { } error) return error;
        return await RunAsync(prepared.Value!, observe, ct);
    }

    public async Task<Result<RunReport>> RunAsync(PreparedRun run, Action<RunEvent>? observe, CancellationToken ct)
    {
        var started = await StartAsync(run, ct);
        if (started.Error is { } error) return error;
        var handle = started.Value!;
        var watching = observe is null ? Task.CompletedTask : Task.Run(async () =>
        {
            await foreach (var e in handle.Events(CancellationToken.None)) observe(e);
        }, CancellationToken.None);
        var report = await handle.Completion;
        await watching;
        return report;
    }

    /// <summary>Reads a run report and checks that its skill and inventory are unchanged and its rollback can be run again.</summary>
    public async Task<Result<PreparedRollback>> PrepareRollbackAsync(string reportFile, IReadOnlyDictionary<string, string> secretInputs,
        Func<string, string?>? secrets, CancellationToken ct)
    {
        var read = await ReportJson.ReadAsync(reportFile, ct);
        if (read.Error is { } readError) return readError;
        var report = read.Value!;

        var skillResult = await LoadSkillAsync(report.SkillFile, ct);
        if (skillResult.Error is { } skillError) return skillError;
        var skill = skillResult.Value!.Skill;
        var inventoryResult = await LoadInventoryAsync(report.Inventory!, ct);
        if (inventoryResult.Error is { } inventoryError) return inventoryError;
        var inventory = inventoryResult.Value!;
        if (skill.ContentHash != report.SkillHash || inventory.ContentHash != report.InventoryHash)
            return OpsmithError.Conflict($"{(skill.ContentHash != report.SkillHash ? report.SkillFile : report.Inventory)} changed since the report was written; " +
                                         "refusing to run a rollback that may no longer match what ran");

        // Only hosts where an action reached the host can need undoing.
        var recorded = report.Hosts.Where(h => h.RollbackPlan is not null && h.Steps.Any(s => s.Section == RunSection.Actions && s.ExitCode is not null)).ToList();
        if (recorded.FirstOrDefault(h => h.RollbackPlan!.Withheld.Count > 0) is { } withheld)
            return OpsmithError.BadRequest($"the rollback of {withheld.Host} needs {string.Join(", ", withheld.RollbackPlan!.Withheld)}, " +
                                           "which held a secret or was too large to record in the report; run the rollback steps by hand");
        var targets = new List<(HostReport, InventoryHost)>();
        foreach (var host in recorded)
        {
            if (!inventory.Hosts.TryGetValue(host.Host, out var inventoryHost))
                return OpsmithError.Conflict($"host '{host.Host}' is no longer in {report.Inventory}");
            targets.Add((host, inventoryHost));
        }

        var notSecret = secretInputs.Keys.Where(k => skill.Spec.FindInput(k) is not { Secret: true }).ToList();
        if (notSecret.Count > 0)
            return OpsmithError.BadRequest($"input {notSecret[0]}: a rollback uses the values of the run it undoes; only secret inputs are given again");
        var given = secretInputs.ToDictionary(p => p.Key, p => p.Value);
        if (secrets is not null)
            foreach (var input in skill.Spec.Inputs.Where(i => i.Secret && !given.ContainsKey(i.Name)))
                if (secrets(input.Name) is { } value) given[input.Name] = value;
        foreach (var (name, value) in report.Inputs.Where(i => i.Value != SecretMasker.Mask)) given[name] = value;
        var (inputs, errors) = InputBinder.Bind(skill, given, inventory);
        if (inputs is null) return OpsmithError.BadRequest(string.Join("\n", errors));
        return new PreparedRollback(report, skill, inventory, targets, inputs, services.Options.Policy.Autonomy);
    }

    /// <summary>What a rollback would run on each host, in order, rendered and masked, with each command's effective tier.</summary>
    public async Task<Result<IReadOnlyList<(string Host, IReadOnlyList<PlannedCommand> Steps)>>> PlanRollbackAsync(PreparedRollback rollback, CancellationToken ct)
    {
        var built = await BuildAsync(rollback.Skill.Spec.DeclaredReadPrograms, rollback.Skill.ContentHash, rollback.Inventory, RunMode.DryRun, rollback.Autonomy, ct);
        if (built.Error is { } error) return error;
        var (executor, runner) = built.Value!;
        await using var _ = executor;
        return rollback.Targets
            .Select(t => (t.Host.Name, runner.PlanRecordedRollback(rollback.Skill, rollback.Inventory, t.Host, t.Recorded.RollbackPlan!, rollback.Inputs)))
            .ToList();
    }

    /// <summary>Runs the recorded rollback on every host that needs it, one after another; the report's mode is rollback.</summary>
    public async Task<Result<RunReport>> RollbackAsync(PreparedRollback rollback, CancellationToken ct)
    {
        var built = await BuildAsync(rollback.Skill.Spec.DeclaredReadPrograms, rollback.Skill.ContentHash, rollback.Inventory, RunMode.Rollback, rollback.Autonomy, ct);
        if (built.Error is { } error) return error;
        var (executor, runner) = built.Value!;
        await using var _ = executor;
        var started = services.Time.GetUtcNow();
        var results = new List<HostReport>();
        foreach (var (recorded, host) in rollback.Targets)
            results.Add(await runner.RollBackRecordedAsync(rollback.Skill, rollback.Inventory, host, recorded.RollbackPlan!, rollback.Inputs, ct));
        return rollback.Report with
        {
            RunId = executor.Audit.RunId, Mode = RunMode.Rollback, StartedAt = started, FinishedAt = services.Time.GetUtcNow(),
            Verdict = RunReport.Overall(results), Hosts = results,
        };
    }

    /// <summary>
    /// Loads a skill and applies every rule <c>opsmith validate</c> applies (linting included): a skill that
    /// validate rejects never reaches a host.
    /// </summary>
    public async Task<Result<(Skill Skill, IReadOnlyList<string> Notes)>> LoadSkillAsync(string path, CancellationToken ct)
    {
        var loaded = await LoadDocumentAsync(path, "skill", ct);
        if (loaded.Error is { } error) return error;
        var validation = await DocumentValidation.ValidateAsync([loaded.Value!], strict: false, services.Linter, ct);
        var document = validation.Documents[0];
        if (document.Kind != DocumentKind.Skill && document.Kind != DocumentKind.Unknown)
            return OpsmithError.BadRequest($"{path} is not a skill (its kind is {document.Kind})");
        if (!document.IsValid || document.Skill is null)
            return OpsmithError.Invalid($"{path} is not a valid skill; nothing was run (opsmith validate {path} shows the same problems)", document);
        return (document.Skill, validation.Notes);
    }

    public async Task<Result<Inventory>> LoadInventoryAsync(string path, CancellationToken ct)
    {
        var loaded = await LoadDocumentAsync(path, "inventory", ct);
        if (loaded.Error is { } error) return error;
        var document = loaded.Value!;
        if (document.IsValid && document.Inventory is { } inventory) return inventory;
        if (document.IsValid) return OpsmithError.BadRequest($"{path} is not an inventory (its kind is {document.Kind})");
        return OpsmithError.Invalid($"{path} is not a valid inventory", document);
    }

    private static async Task<Result<LoadedDocument>> LoadDocumentAsync(string path, string what, CancellationToken ct)
    {
        if (Directory.Exists(path)) return OpsmithError.BadRequest($"{what} '{path}' is a folder; give the {what} file");
        if (!File.Exists(path)) return OpsmithError.NotFound($"{what} '{path}' does not exist");
        return await DocumentValidation.LoadFileAsync(path, ct);
    }

    private static Result<IReadOnlyList<InventoryHost>> ResolveTargets(Skill skill, Inventory inventory, BoundInputs inputs)
    {
        var rendered = TemplateRenderer.Render(skill.Spec.Targets, new RenderContext(inputs.Values, null, null), RenderMode.Text);
        if (!rendered.Ok) return OpsmithError.BadRequest($"targets '{skill.Spec.Targets}' needs {string.Join(", ", rendered.Missing)}");
        var hosts = inventory.Resolve(rendered.Text!.Trim());
        if (hosts is null) return OpsmithError.BadRequest($"targets '{rendered.Text}' names no host or group in {inventory.SourceFile}");
        if (hosts.Count == 0) return OpsmithError.BadRequest($"group '{rendered.Text}' in {inventory.SourceFile} has no hosts");
        return new Result<IReadOnlyList<InventoryHost>>(hosts, null);
    }

    /// <summary>
    /// Runs an agent's own command while it investigates (the model's tool loop), through the same executor as every
    /// skill step: classified, decided by the policy (an agent's own command may only read; reads the classifier is
    /// unsure of, or that show secrets, need a person), audited under the agent's name, then run. When the policy asks
    /// for a person's approval, the request stays for a person to see and this returns at once: a tool call never waits an hour.
    /// </summary>
    public async Task<Result<InvestigationCommandResult>> RunInvestigationCommandAsync(InvestigationCommand spec, CancellationToken ct)
    {
        var inventoryResult = await LoadInventoryAsync(spec.InventoryFile, ct);
        if (inventoryResult.Error is { } inventoryError) return inventoryError;
        var inventory = inventoryResult.Value!;
        if (!inventory.Hosts.TryGetValue(spec.Host, out var host))
            return OpsmithError.BadRequest($"host '{spec.Host}' is not in {inventory.SourceFile}; the hosts are {string.Join(", ", inventory.Hosts.Keys)}");
        var built = await BuildAsync(new Dictionary<string, string>(), "", inventory, RunMode.Execute, spec.Autonomy, ct);
        if (built.Error is { } error) return error;
        var (executor, _) = built.Value!;
        await using var _ = executor;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        string? approval = null, approvalReason = null;
        var watching = Task.Run(async () =>
        {
            await foreach (var e in executor.Audit.Events.Subscribe(stop.Token))
                if (e is ApprovalRequestedEvent requested)
                {
                    approval = requested.ApprovalId;
                    approvalReason = requested.Reason;
                    await stop.CancelAsync();
                }
        }, CancellationToken.None);
        var result = await executor.RunAsync(host, new StepIdentity(null, RunSection.Actions, spec.Step, Core.Skills.RiskTier.Read, Investigation: true),
            spec.Command, new CommandLimits(spec.Timeout, spec.MaxOutputChars), stop.Token);
        await stop.CancelAsync();
        try { await watching; }
        catch (OperationCanceledException) { }
        var masker = executor.Masker;
        return new InvestigationCommandResult(executor.Audit.RunId, result with
        {
            Stdout = masker.Apply(result.Stdout), Stderr = masker.Apply(result.Stderr), Error = result.Error is { } e2 ? masker.Apply(e2) : null,
        }, approval, approvalReason is null ? null : masker.Apply(approvalReason));
    }

    /// <summary>The executor and runner for one run: its audit trail, guard (effective tiers, policy, approvals, kill switch) and hosts.</summary>
    private async Task<Result<(HostExecutor Executor, SkillRunner Runner)>> BuildAsync(IReadOnlyDictionary<string, string> declaredReadPrograms, string skillHash,
        Inventory inventory, RunMode mode, Policy.Decisions.AutonomyLevel autonomy, CancellationToken ct, string? cooldownOverride = null)
    {
        Storage.Audit.IAuditStore store;
        Storage.Approvals.IApprovalStore approvals;
        try
        {
            store = await services.AuditAsync(ct);
            approvals = await services.ApprovalsAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return OpsmithError.Unavailable($"the audit trail cannot be opened, so nothing may run: {e.Message}");
        }
        var settings = services.Options.Policy with { Autonomy = autonomy, CooldownOverride = cooldownOverride };
        var guard = new StepGuard(new CommandClassifier(services.Options.ClassifierFor(declaredReadPrograms)), settings, services.Actor, approvals, services.KillSwitch,
            services.Time, services.ApprovalPoll);
        var runId = RunAudit.NewRunId();
        var audit = new RunAudit(store, runId, services.Actor.ToString(), skillHash, mode, services.NewMasker(),
            new RunEventStream(runId, services.Time));
        var executor = HostExecutor.ForInventory(inventory, new SshConnection(services.Options.Paths.SshControlDirectory, services.Ssh), audit, guard);
        return (executor, new SkillRunner(executor, RunChecks.Default, services.Time));
    }
}
