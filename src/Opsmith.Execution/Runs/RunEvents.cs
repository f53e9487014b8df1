using System.Threading.Channels;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Policy.Decisions;

namespace Opsmith.Execution.Runs;

/// <summary>
/// One thing that happened in a run, in the order it happened. Every text in an event is masked where the
/// event is produced (by the runner, the guard or the executor), so every consumer — the CLI's progress
/// view, a server's live view, a log — shows the same safe text.
/// </summary>
public abstract record RunEvent
{
    public string RunId { get; init; } = "";
    public DateTimeOffset Time { get; init; }
}

public sealed record RunStartedEvent(string Skill, RunMode Mode, IReadOnlyList<string> Hosts) : RunEvent;

public sealed record StepStartedEvent(string Host, RunSection Section, string Step) : RunEvent;

/// <summary>
/// What a command printed (masked, capped like the report's excerpts). It is published when the command
/// ends, one event per stream that printed something. <see cref="Sensitive"/>: the command prints secret values, so a
/// model layer must withhold the text (people may see it).
/// </summary>
public sealed record StepOutputEvent(string Host, RunSection Section, string Step, string Stream, string Text) : RunEvent
{
    public bool Sensitive { get; init; }
}

public sealed record StepFinishedEvent(string Host, StepReport Report) : RunEvent;

/// <summary>The policy's answer for one command, with the step's effective tier and the rule that decided.</summary>
public sealed record DecisionEvent(string Host, RunSection Section, string Step, RiskTier Tier, DecisionOutcome Outcome, string Rule, string Reason)
    : RunEvent;

public sealed record ApprovalRequestedEvent(string Host, RunSection Section, string Step, string ApprovalId, string Reason) : RunEvent;

public sealed record RollbackStartedEvent(string Host, string Reason) : RunEvent;

public sealed record HostFinishedEvent(string Host, RunVerdict Verdict, string? Error) : RunEvent;

public sealed record RunFinishedEvent(RunVerdict Verdict) : RunEvent;

/// <summary>
/// The one stream of a run's events. Producers publish; any number of consumers subscribe, each with its own
/// unbounded queue, and a late subscriber first gets everything published before it joined. Publishing never
/// blocks and never throws, so a slow or failing consumer cannot stall or break a run.
/// </summary>
public sealed class RunEventStream(string runId, TimeProvider time)
{
    private readonly object _gate = new();
    private readonly List<RunEvent> _history = [];
    private readonly List<Channel<RunEvent>> _subscribers = [];
    private bool _completed;

    public string RunId => runId;

    public void Publish(RunEvent value)
    {
        var stamped = value with { RunId = runId, Time = time.GetUtcNow() };
        lock (_gate)
        {
            if (_completed) return;
            _history.Add(stamped);
            foreach (var subscriber in _subscribers) subscriber.Writer.TryWrite(stamped);
        }
    }

    /// <summary>Every event so far, then each new one as it comes, until the run ends.</summary>
    public IAsyncEnumerable<RunEvent> Subscribe(CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            foreach (var past in _history) channel.Writer.TryWrite(past);
            if (_completed) channel.Writer.TryComplete();
            else _subscribers.Add(channel);
        }
        return channel.Reader.ReadAllAsync(cancellationToken);
    }

    /// <summary>Ends every subscription once its queue is drained. Called by the runner when the run has finished.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_completed) return;
            _completed = true;
            foreach (var subscriber in _subscribers) subscriber.Writer.TryComplete();
            _subscribers.Clear();
        }
    }
}
