using System.Text.Json;
using Opsmith.Application.Runs;
using Opsmith.Core.Agents;

namespace Opsmith.Application.Agents;

/// <summary>Collects a session's trajectory as it happens (stages may add from several runs at once).</summary>
internal sealed class TrajectoryRecorder(TimeProvider time)
{
    private readonly object _gate = new();
    private readonly List<StageTiming> _stages = [];
    private readonly List<InvariantObservation> _observations = [];
    private readonly List<ObservedFinding> _findings = [];
    private readonly List<AgentAction> _actions = [];
    private List<RankedHypothesis> _hypotheses = [];
    private List<string> _suspects = [];
    private string? _escalation;

    public IDisposable Stage(AgentStage stage)
    {
        var started = time.GetUtcNow();
        return new StageScope(() =>
        {
            lock (_gate) _stages.Add(new StageTiming(stage, started, (long)(time.GetUtcNow() - started).TotalMilliseconds));
        });
    }

    public void Observe(InvariantSnapshot snapshot)
    {
        lock (_gate)
        {
            _observations.AddRange(snapshot.Observations);
            foreach (var finding in snapshot.Findings)
                if (!_findings.Contains(finding)) _findings.Add(finding);
        }
    }

    public void Found(IEnumerable<ObservedFinding> findings)
    {
        lock (_gate)
            foreach (var finding in findings)
                if (!_findings.Contains(finding)) _findings.Add(finding);
    }

    public IReadOnlyList<ObservedFinding> Findings { get { lock (_gate) return _findings.ToList(); } }

    public void Act(AgentAction action) { lock (_gate) _actions.Add(action); }

    public void Rank(IReadOnlyList<RankedHypothesis> hypotheses) { lock (_gate) _hypotheses = hypotheses.ToList(); }

    public void Update(RankedHypothesis hypothesis)
    {
        lock (_gate)
        {
            var i = _hypotheses.FindIndex(h => h.Id == hypothesis.Id && h.Host == hypothesis.Host);
            if (i >= 0) _hypotheses[i] = hypothesis;
        }
    }

    public void Suspect(IReadOnlyList<string> hosts) { lock (_gate) _suspects = hosts.ToList(); }

    public void Escalate(string text) { lock (_gate) _escalation = text; }

    public AgentTrajectory Snapshot()
    {
        lock (_gate) return new AgentTrajectory(_stages.ToList(), _observations.ToList(), _findings.ToList(), _hypotheses.ToList(), _actions.ToList(), _suspects.ToList(), _escalation);
    }

    public string Json() => JsonSerializer.Serialize(Snapshot(), ReportJson.Options);

    private sealed class StageScope(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}
