using System.Runtime.InteropServices;
using Opsmith.Execution.Runs;

namespace Opsmith.Cli;

/// <summary>
/// SIGINT (Ctrl-C), SIGTERM (a CI job cancelled) and SIGHUP (the terminal or SSH session closed) as one
/// cancellation token. Every signal is handled, not only the first: a dropped SSH session sends SIGHUP more
/// than once, and a signal left to its default action would end the process mid-rollback, leave the step's
/// process behind and lose the run's last record. The first signal cancels; later ones only say that the
/// rollback is still finishing — except a second Ctrl-C or SIGTERM (a person insisting), which hurries: the
/// rollback's grace shrinks to <see cref="RollbackDeadline.HurriedGrace"/>. A SIGHUP never hurries (a dropped
/// session is not a decision), and nothing skips the run's last audit record.
/// </summary>
/// <remarks>
/// A handler may still be running on another thread when the registrations are disposed, so the token
/// source is only touched under a lock and never after <see cref="Dispose"/>: cancelling a disposed source
/// from a signal handler ends the process with an unhandled <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class InterruptSignals : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _interrupt = new();
    private readonly CancellationTokenSource _hurry = new();
    private readonly TextWriter _stderr;
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;
    private bool _disposed;
    private bool _saidAlready;

    private InterruptSignals(TextWriter stderr)
    {
        _stderr = stderr;
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, OnSignal))];
    }

    /// <summary>Handles the three signals from now on; the process keeps running until the command ends.</summary>
    public static InterruptSignals Install(TextWriter stderr) => new(stderr);

    public CancellationToken Token => _interrupt.Token;

    /// <summary>Cancelled by a second Ctrl-C or SIGTERM: finish sooner (see <see cref="RollbackDeadline"/>).</summary>
    public CancellationToken Hurried => _hurry.Token;

    private void OnSignal(PosixSignalContext signal)
    {
        // Always: the default action of any of these signals kills Opsmith before it rolled back and recorded.
        signal.Cancel = true;
        lock (_gate)
        {
            if (_disposed) return;
            try
            {
                if (++_signals == 1)
                {
                    _stderr.WriteLine(signal.Signal == PosixSignal.SIGINT
                        ? "Stopping (rolling back what needs it)."
                        : $"Stopping on {signal.Signal} (rolling back what needs it).");
                    _interrupt.Cancel();
                }
                else if (signal.Signal != PosixSignal.SIGHUP && !_hurry.IsCancellationRequested)
                {
                    _stderr.WriteLine($"Stopping sooner: the rollback gets at most {RollbackDeadline.HurriedGrace.TotalSeconds:0} s more, " +
                                      "then the host is reported as not restored; the run's audit record is still written.");
                    _hurry.Cancel();
                }
                else if (!_saidAlready)
                {
                    _saidAlready = true;
                    _stderr.WriteLine("Already stopping: the rollback and the audit record finish first.");
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or AggregateException)
            {
                // The terminal may be gone (SIGHUP) or a cancellation callback failed; neither may end the process here.
            }
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        lock (_gate)
        {
            _disposed = true;
            _interrupt.Dispose();
            _hurry.Dispose();
        }
    }
}
