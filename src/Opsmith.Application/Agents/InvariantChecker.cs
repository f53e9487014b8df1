using Opsmith.Application.Runs;
using Opsmith.Core.Agents;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Runs;

namespace Opsmith.Application.Agents;

/// <summary>What one check of every invariant saw: one observation per invariant and host, and the findings the skills reported.</summary>
public sealed record InvariantSnapshot(IReadOnlyList<InvariantObservation> Observations, IReadOnlyList<ObservedFinding> Findings, IReadOnlyList<string> RunIds)
{
    public IEnumerable<InvariantObservation> Red => Observations.Where(o => !o.Green);
    public bool AllGreen => Observations.All(o => o.Green);
}

/// <summary>
/// Checks an agent's invariants, all at once. A skill invariant is one read-only run of its detection skill through
/// <see cref="RunService"/> (policy, audit) over the invariant's hosts; a host is red when the skill does not succeed there.
/// An http, tcp or promql invariant is one check from this machine.
/// </summary>
public sealed class InvariantChecker(OpsmithServices services)
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a step of an invariant or diagnosis skill may take when the skill sets no timeout of its own: a probe of a
    /// hung service (a stopped redis, an nginx that accepts and never answers) fails after this instead of holding the
    /// whole detect pass for the runner's default (30 s for a check, 5 minutes for an action).
    /// </summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(8);

    public async Task<InvariantSnapshot> CheckAsync(LoadedAgent agent, AgentStage stage, CancellationToken ct, IReadOnlyCollection<string>? onlyHosts = null)
    {
        var tasks = agent.Definition.Invariants.Select(i => CheckAsync(agent, i, stage, onlyHosts, ct)).ToList();
        var results = await Task.WhenAll(tasks);
        // A check stopped because the caller gave up reports "cancelled", which reads as red: never take it for an observation
        // (a verify cut short by a time limit refuted a fix that had worked).
        ct.ThrowIfCancellationRequested();
        return new InvariantSnapshot(results.SelectMany(r => r.Observations).ToList(), results.SelectMany(r => r.Findings).ToList(),
            results.SelectMany(r => r.RunIds).ToList());
    }

    private async Task<InvariantSnapshot> CheckAsync(LoadedAgent agent, Invariant invariant, AgentStage stage, IReadOnlyCollection<string>? onlyHosts, CancellationToken ct)
    {
        // Stamped when the answer is in: the time to detect is when the agent knew.
        InvariantObservation Observation(string host, bool green, string detail) => new(invariant.Name, host, green, detail, stage, services.Time.GetUtcNow());
        switch (invariant.Kind)
        {
            case InvariantKind.Skill:
                var entry = agent.Skill(invariant.Skill!)!;
                var hosts = (agent.Inventory.Resolve(invariant.Hosts ?? "all") ?? []).Select(h => h.Name)
                    .Where(h => onlyHosts is null || onlyHosts.Contains(h)).ToList();
                if (hosts.Count == 0) return new InvariantSnapshot([], [], []);
                var inputs = new Dictionary<string, string>(invariant.Inputs) { ["host"] = hosts.Count == 1 ? hosts[0] : invariant.Hosts ?? "all" };
                var result = await services.Runs.RunAsync(new RunSpec(entry.File, agent.Inventory.SourceFile, inputs, RunMode.Execute, Autonomy: agent.Autonomy,
                    StepTimeout: ProbeTimeout), null, ct);
                if (result.Error is { } error)
                    return new InvariantSnapshot(hosts.Select(h => Observation(h, false, $"{entry.Name} could not run: {error.Message}")).ToList(), [], []);
                var report = result.Value!;
                var observations = report.Hosts.Where(h => hosts.Contains(h.Host)).Select(h => Observation(h.Host, h.Verdict == RunVerdict.Succeeded, Describe(h))).ToList();
                var findings = report.Hosts.SelectMany(h => ReportFindings.Of(report, h, entry.Skill.Metadata.Stage)).ToList();
                return new InvariantSnapshot(observations, findings, [report.RunId]);
            case InvariantKind.Http:
            case InvariantKind.Tcp:
                var outcome = invariant.Probe switch
                {
                    HttpProbe http => await RunChecks.Default.Http.RunAsync(http, CheckTimeout, ct),
                    TcpProbe tcp => await RunChecks.Default.Tcp.RunAsync(tcp, CheckTimeout, ct),
                    _ => throw new InvalidOperationException("an http or tcp invariant holds an http or tcp probe"),
                };
                return new InvariantSnapshot([Observation("", outcome.Passed, outcome.Detail)], [], []);
            default:
                var bounds = new List<PrometheusProbe>();
                if (invariant.Max is { } max) bounds.Add(new PrometheusProbe(agent.Prometheus!, invariant.Query!, Comparison.Below, max));
                if (invariant.Min is { } min) bounds.Add(new PrometheusProbe(agent.Prometheus!, invariant.Query!, Comparison.Above, min));
                foreach (var probe in bounds)
                {
                    var check = await RunChecks.Default.Prometheus.RunAsync(probe, CheckTimeout, ct);
                    if (!check.Passed) return new InvariantSnapshot([Observation("", false, check.Detail)], [], []);
                }
                return new InvariantSnapshot([Observation("", true, $"{invariant.Query} within bounds")], [], []);
        }
    }

    /// <summary>The first success criterion that failed, with its detail: what a person reads as the incident's evidence.</summary>
    private static string Describe(HostReport host)
    {
        if (host.Verdict == RunVerdict.Succeeded) return "every success criterion holds";
        if (host.Error is { } error) return error;
        var failed = host.Steps.FirstOrDefault(s => s.Verdict == StepVerdict.Failed);
        if (failed is null) return $"the skill {host.Verdict.Wire()}";
        var output = (failed.Stdout ?? failed.Stderr ?? "").Trim();
        if (output.Length > 300) output = output[..300] + "…";
        return $"{failed.Name}: {failed.Detail}{(output.Length > 0 ? $" (output: {output})" : "")}";
    }
}
