using Opsmith.Application.Configuration;
using Opsmith.Application.Runs;
using Opsmith.Core.Linting;
using Opsmith.Execution.Hosts.Ssh;
using Opsmith.Execution.Linting;
using Opsmith.Execution.Runs;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Application;

/// <summary>
/// What every surface shares in one process: the options, who acts, the clock, the linter, and the stores —
/// the audit trail (opened once, with runs of dead processes marked interrupted), approvals and the kill
/// switch. Create one per process (or per isolated home, as the benchmark does) and dispose it at the end.
/// </summary>
public sealed class OpsmithServices : IAsyncDisposable
{
    private readonly SemaphoreSlim _open = new(1, 1);
    private IAuditStore? _audit;

    public OpsmithServices(OpsmithOptions options, Actor actor, TimeProvider? time = null, IScriptLinter? linter = null)
    {
        Options = options;
        Actor = actor;
        Time = time ?? TimeProvider.System;
        Linter = linter ?? new ShellcheckLinter();
        KillSwitch = new KillSwitch(options.StoreDirectory);
    }

    public OpsmithOptions Options { get; }
    public Actor Actor { get; }
    public TimeProvider Time { get; }
    public IScriptLinter Linter { get; }
    public KillSwitch KillSwitch { get; }

    /// <summary>ssh's own options for runs (tests shorten ControlPersist).</summary>
    public SshOptions Ssh { get; init; } = SshOptions.Default;

    /// <summary>How often a run waiting for an approval looks for the decision.</summary>
    public TimeSpan ApprovalPoll { get; init; } = TimeSpan.FromSeconds(1);

    public RunService Runs => new(this);

    /// <summary>The audit trail, opened on first use: PostgreSQL when configured, else SQLite in the data folder.</summary>
    public async Task<IAuditStore> AuditAsync(CancellationToken ct)
    {
        if (_audit is not null) return _audit;
        await _open.WaitAsync(ct);
        try
        {
            if (_audit is not null) return _audit;
            var store = await AuditStores.OpenAsync(Options.StoreDirectory, Options.AuditPostgres, Time, ct);
            await store.MarkInterruptedRunsAsync(ct);
            return _audit = store;
        }
        finally
        {
            _open.Release();
        }
    }

    /// <summary>Approval requests, kept in the audit trail's database so a decision and its record commit together.</summary>
    public async Task<IApprovalStore> ApprovalsAsync(CancellationToken ct) =>
        ApprovalStores.For(await AuditAsync(ct), Options.Policy, Time);

    /// <summary>
    /// Switches the kill switch on or off, and records who did it and why in the audit trail. Turning it on never
    /// waits for the record (stopping comes first; a trail that cannot be written is reported after); turning it
    /// off needs the record first: an unrecorded "go" is refused.
    /// </summary>
    public async Task<OpsmithError?> SetKillSwitchAsync(bool on, string reason, CancellationToken ct)
    {
        if (on) KillSwitch.TurnOn(new KillSwitchState(Actor.ToString(), Time.GetUtcNow(), reason));
        try
        {
            var audit = await AuditAsync(ct);
            await audit.AppendAsync(AuditEntry.ForKillSwitch(Actor.ToString(), on, reason), CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return OpsmithError.Unavailable(on
                ? $"the kill switch is on, but switching it on could not be recorded in the audit trail: {e.Message}"
                : $"the kill switch stays on: switching it off could not be recorded in the audit trail ({e.Message})");
        }
        if (!on) KillSwitch.TurnOff();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_audit is not null) await _audit.DisposeAsync();
        _audit = null;
    }
}
