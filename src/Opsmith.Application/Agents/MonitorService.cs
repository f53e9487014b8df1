using Opsmith.Core.Agents;
using Opsmith.Core.Runs;
using Opsmith.Storage.Incidents;

namespace Opsmith.Application.Agents;

/// <summary>What one monitor pass saw and did.</summary>
/// <param name="Opened">Incidents this pass opened.</param>
/// <param name="Seen">Active incidents that were red again (deduplicated: counted, not reopened).</param>
/// <param name="Resolved">Incidents whose invariant was green again on their host, resolved by the monitor.</param>
public sealed record MonitorPass(DateTimeOffset At, InvariantSnapshot Snapshot, IReadOnlyList<Incident> Opened, IReadOnlyList<Incident> Seen, IReadOnlyList<Incident> Resolved);

/// <summary>
/// The monitor: checks every invariant of an agent, opens an incident for each that is red on a host (one per invariant
/// and host until it is resolved; later sightings are counted on it), and resolves an active incident, held or not, when
/// its invariant is green again on that host. Acts as the services' actor (the agent).
/// </summary>
public sealed class MonitorService(OpsmithServices services)
{
    public async Task<MonitorPass> CheckOnceAsync(LoadedAgent agent, CancellationToken ct)
    {
        var snapshot = await new InvariantChecker(services).CheckAsync(agent, AgentStage.Detect, ct);
        var store = await services.IncidentsAsync(ct);
        var actor = services.Actor.ToString();
        var opened = new List<Incident>();
        var seen = new List<Incident>();
        var resolved = new List<Incident>();
        foreach (var observation in snapshot.Observations)
        {
            if (observation.Green)
            {
                if (await store.ResolveActiveAsync(observation.Invariant, observation.Host, actor, "the invariant is green again", CancellationToken.None) is { } done)
                    resolved.Add(done);
                continue;
            }
            var where = observation.Host.Length > 0 ? $" on {observation.Host}" : "";
            var (incident, isNew) = await store.ReportAsync(new IncidentSighting(observation.Invariant, observation.Host,
                $"invariant {observation.Invariant} is red{where}", observation.Detail), actor, CancellationToken.None);
            (isNew ? opened : seen).Add(incident);
        }
        return new MonitorPass(services.Time.GetUtcNow(), snapshot, opened, seen, resolved);
    }

    /// <summary>Checks every <see cref="AgentDefinition.Interval"/> until cancelled, reporting each pass.</summary>
    public async Task WatchAsync(LoadedAgent agent, Func<MonitorPass, CancellationToken, Task> onPass, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var started = services.Time.GetUtcNow();
            await onPass(await CheckOnceAsync(agent, ct), ct);
            var wait = agent.Definition.Interval - (services.Time.GetUtcNow() - started);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, services.Time, ct);
        }
    }
}
