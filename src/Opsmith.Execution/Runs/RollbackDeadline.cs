namespace Opsmith.Execution.Runs;

/// <summary>
/// How long a rollback may still run once the run is stopped. The first stop (Ctrl-C, SIGTERM, a cancelled
/// handle) must not cut the rollback short, so it only starts a deadline of <see cref="Grace"/>; a second, urgent
/// stop (<c>hurry</c>) shortens it to <see cref="HurriedGrace"/>. A deadline only ever moves closer. When it passes,
/// the current rollback step is stopped and the host is reported as not restored — the run's end is still recorded.
/// </summary>
public sealed class RollbackDeadline : IDisposable
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan HurriedGrace = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _source;
    private readonly CancellationTokenRegistration _onStop;
    private readonly CancellationTokenRegistration _onHurry;
    private DateTimeOffset? _deadline;
    private bool _disposed;

    public RollbackDeadline(CancellationToken stop, CancellationToken hurry, TimeProvider time)
    {
        _time = time;
        _source = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _onStop = stop.Register(() => Within(Grace));
        _onHurry = hurry.Register(() => Within(HurriedGrace));
    }

    /// <summary>Cancelled when the deadline passes; never before a stop.</summary>
    public CancellationToken Token => _source.Token;

    private void Within(TimeSpan grace)
    {
        lock (_gate)
        {
            if (_disposed) return;
            var at = _time.GetUtcNow() + grace;
            if (_deadline is { } earlier && earlier <= at) return;
            _deadline = at;
            _source.CancelAfter(grace);
        }
    }

    public void Dispose()
    {
        _onStop.Dispose();
        _onHurry.Dispose();
        lock (_gate)
        {
            _disposed = true;
            _source.Dispose();
        }
    }
}
