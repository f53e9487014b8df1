using Opsmith.Application.Configuration;
using Opsmith.Application.Runs;
using Opsmith.Core.Linting;
using Opsmith.Core.Rendering;
using Opsmith.Execution.Hosts.Ssh;
using Opsmith.Execution.Linting;
using Opsmith.Execution.Runs;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;
using Opsmith.Storage.Tokens;

namespace Opsmith.Application;

/// <summary>
/// What every surface shares in one process: the options, who acts, the clock, the linter, and the stores —
/// the audit trail (opened once, with runs of dead processes marked interrupted), approvals and the kill
/// switch. Create one per process (or per isolated home, as the benchmark does) and dispose it at the end.
/// </summary>
public sealed class OpsmithServices : IAsyncDisposable
{
    private readonly SharedStores _stores;
    private readonly bool _ownsStores;

    public OpsmithServices(OpsmithOptions options, Actor actor, TimeProvider? time = null, IScriptLinter? linter = null)
    {
        Options = options;
        Actor = actor;
        Time = time ?? TimeProvider.System;
        Linter = linter ?? new ShellcheckLinter();
        KillSwitch = new KillSwitch(options.StoreDirectory);
        _stores = new SharedStores();
        _ownsStores = true;
    }

    private OpsmithServices(OpsmithServices shared, Actor actor)
    {
        Options = shared.Options;
        Actor = actor;
        Time = shared.Time;
        Linter = shared.Linter;
        KillSwitch = shared.KillSwitch;
        Ssh = shared.Ssh;
        ApprovalPoll = shared.ApprovalPoll;
        _stores = shared._stores;
        _ownsStores = false;
    }

    /// <summary>
    /// The same services (open stores, kill switch, linter) acting for someone else: a server serves many people from
    /// one process, and each request's runs, approvals and audit records name the person whose token made it.
    /// Disposing the view leaves the shared stores open; the original owns them.
    /// </summary>
    public OpsmithServices ActingAs(Actor actor) => actor == Actor ? this : new OpsmithServices(this, actor);

    public OpsmithOptions Options { get; }
    public Actor Actor { get; }
    public TimeProvider Time { get; }
    public IScriptLinter Linter { get; }
    public KillSwitch KillSwitch { get; }

    /// <summary>ssh's own options for runs (tests shorten ControlPersist).</summary>
    public SshOptions Ssh { get; init; } = SshOptions.Default;

    /// <summary>How model calls are retried (tests retry without waiting).</summary>
    public Opsmith.Llm.Providers.RetrySettings ModelRetry { get; init; } = Opsmith.Llm.Providers.RetrySettings.Default;

    /// <summary>How often a run waiting for an approval looks for the decision.</summary>
    public TimeSpan ApprovalPoll { get; init; } = TimeSpan.FromSeconds(1);

    public RunService Runs => new(this);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _secrets = new(StringComparer.Ordinal);

    /// <summary>
    /// A secret this process holds that no output may show (a model's API key): every masker made after this,
    /// for runs, tool results and anything sent to a model, masks it.
    /// </summary>
    public void RegisterSecret(string secret)
    {
        if (SecretMasker.Problem(secret) is null && secret.Length > 0) _secrets.TryAdd(secret, 0);
    }

    /// <summary>A masker that already knows every registered secret.</summary>
    public SecretMasker NewMasker()
    {
        var masker = new SecretMasker();
        foreach (var secret in _secrets.Keys) masker.Add(secret);
        return masker;
    }

    /// <summary>The audit trail, opened on first use: PostgreSQL when configured, else SQLite in the data folder.</summary>
    public async Task<IAuditStore> AuditAsync(CancellationToken ct)
    {
        if (_stores.Audit is { } open) return open;
        await _stores.Open.WaitAsync(ct);
        try
        {
            if (_stores.Audit is { } opened) return opened;
            var store = await AuditStores.OpenAsync(Options.StoreDirectory, Options.AuditPostgres, Time, ct);
            await store.MarkInterruptedRunsAsync(ct);
            return _stores.Audit = store;
        }
        finally
        {
            _stores.Open.Release();
        }
    }

    /// <summary>API tokens for the server, kept in the audit trail's database so the CLI and the server share them.</summary>
    public async Task<IApiTokenStore> TokensAsync(CancellationToken ct) => ApiTokenStore.For(await AuditAsync(ct), Time);

    /// <summary>Approval requests, kept in the audit trail's database so a decision and its record commit together.</summary>
    public async Task<IApprovalStore> ApprovalsAsync(CancellationToken ct) =>
        ApprovalStores.For(await AuditAsync(ct), Options.Policy, Time);

    /// <summary>Incidents, kept in the audit trail's database so each change commits with its audit record.</summary>
    public async Task<Storage.Incidents.IncidentStore> IncidentsAsync(CancellationToken ct) =>
        Storage.Incidents.IncidentStore.For(await AuditAsync(ct), Time);

    /// <summary>Agent sessions and their trajectories, in the audit trail's database.</summary>
    public async Task<Storage.Sessions.AgentSessionStore> SessionsAsync(CancellationToken ct) =>
        Storage.Sessions.AgentSessionStore.For(await AuditAsync(ct), Time);

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
        if (!_ownsStores || _stores.Audit is null) return;
        await _stores.Audit.DisposeAsync();
        _stores.Audit = null;
    }

    /// <summary>What every view of one set of services shares: the audit store, opened once.</summary>
    private sealed class SharedStores
    {
        public SemaphoreSlim Open { get; } = new(1, 1);
        public IAuditStore? Audit { get; set; }
    }
}
