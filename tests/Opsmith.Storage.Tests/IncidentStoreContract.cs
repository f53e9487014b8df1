using Opsmith.Storage.Audit;
using Opsmith.Storage.Incidents;
using Opsmith.Storage.Sessions;
using Opsmith.Storage.Tests.Support;

namespace Opsmith.Storage.Tests;

/// <summary>
/// Incidents and agent sessions as both databases must keep them (docs/agent.md): deduplicated per invariant and host,
/// every change with its audit record naming who made it. Each test gets its own empty database.
/// </summary>
public abstract class IncidentStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static CancellationToken None => CancellationToken.None;

    protected abstract Task<ITrailLocation> NewTrailAsync();

    private async Task<(ITrailLocation Trail, IAuditStore Audit, ManualClock Clock)> OpenAsync()
    {
        var trail = await NewTrailAsync();
        var clock = new ManualClock(T0);
        return (trail, await trail.OpenAsync(clock), clock);
    }

    private static IncidentSighting Red(string host = "node1", string evidence = "redis answers OOM") =>
        new("redis-healthy", host, $"invariant redis-healthy is red on {host}", evidence);

    [Fact]
    public async Task A_second_sighting_of_the_same_invariant_and_host_counts_on_the_open_incident_instead_of_opening_another()
    {
        var (trail, audit, clock) = await OpenAsync();
        await using var _ = trail;
        await using var __ = audit;
        var store = IncidentStore.For(audit, clock);

        var (first, opened) = await store.ReportAsync(Red(), "agent:lab-sre", None);
        clock.Advance(TimeSpan.FromSeconds(30));
        var (second, openedAgain) = await store.ReportAsync(Red(evidence: "still OOM"), "agent:lab-sre", None);
        var (other, otherOpened) = await store.ReportAsync(Red(host: "node2"), "agent:lab-sre", None);

        Assert.True(opened);
        Assert.False(openedAgain);
        Assert.True(otherOpened);
        Assert.Equal(first.Id, second.Id);
        Assert.NotEqual(first.Id, other.Id);
        var stored = (await store.GetAsync(first.Id, None))!;
        Assert.Equal(2, stored.Occurrences);
        Assert.Equal("still OOM", stored.Evidence);
        Assert.Equal(T0.AddSeconds(30), stored.LastSeenAt);
        var records = await audit.ListAsync(new AuditQuery(Kind: AuditKind.Incident), None);
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal("open", r.Facts.Outcome));
        Assert.Equal(first.Id, records[0].RunId);
    }

    [Fact]
    public async Task Hold_unhold_and_resolve_record_who_did_it_and_a_resolved_incident_stays_resolved()
    {
        var (trail, audit, clock) = await OpenAsync();
        await using var _ = trail;
        await using var __ = audit;
        var store = IncidentStore.For(audit, clock);
        var (incident, _) = await store.ReportAsync(Red(), "agent:lab-sre", None);

        var held = await store.SetStatusAsync(incident.Id, IncidentStatus.Held, "user:alice", "looking by hand", None);
        var heldAgain = await store.SetStatusAsync(incident.Id, IncidentStatus.Held, "user:alice", null, None);
        var released = await store.SetStatusAsync(incident.Id, IncidentStatus.Open, "user:bob", null, None);
        var resolved = await store.SetStatusAsync(incident.Id, IncidentStatus.Resolved, "user:bob", "fixed", None);
        var reopened = await store.SetStatusAsync(incident.Id, IncidentStatus.Open, "user:bob", null, None);
        var missing = await store.SetStatusAsync("in-zzzzz", IncidentStatus.Held, "user:bob", null, None);

        Assert.True(held.Changed);
        Assert.Equal("user:alice", held.Incident!.ChangedBy);
        Assert.False(heldAgain.Changed);
        Assert.True(released.Changed);
        Assert.True(resolved.Changed);
        Assert.False(reopened.Changed);
        Assert.Contains("stays resolved", reopened.Message);
        Assert.False(missing.Changed);
        var stored = (await store.GetAsync(incident.Id, None))!;
        Assert.Equal(IncidentStatus.Resolved, stored.Status);
        Assert.Equal("user:bob", stored.ChangedBy);
        Assert.Equal("fixed", stored.Note);
        var outcomes = (await audit.ListAsync(new AuditQuery(Kind: AuditKind.Incident), None)).Select(r => (r.Actor, r.Facts.Outcome)).ToList();
        Assert.Equal([("agent:lab-sre", "open"), ("user:alice", "held"), ("user:bob", "open"), ("user:bob", "resolved")], outcomes);
        Assert.True((await audit.VerifyAsync(None)).IsValid);
    }

    [Fact]
    public async Task A_green_invariant_resolves_its_active_incident_and_a_later_failure_opens_a_new_one()
    {
        var (trail, audit, clock) = await OpenAsync();
        await using var _ = trail;
        await using var __ = audit;
        var store = IncidentStore.For(audit, clock);
        var (first, _) = await store.ReportAsync(Red(), "agent:lab-sre", None);
        await store.SetStatusAsync(first.Id, IncidentStatus.Held, "user:alice", null, None);

        var resolved = await store.ResolveActiveAsync("redis-healthy", "node1", "agent:lab-sre", "green again", None);
        var nothing = await store.ResolveActiveAsync("redis-healthy", "node1", "agent:lab-sre", "green again", None);
        var (second, opened) = await store.ReportAsync(Red(), "agent:lab-sre", None);

        Assert.Equal(first.Id, resolved!.Id);
        Assert.Null(nothing);
        Assert.True(opened);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal([second.Id], (await store.ListAsync(IncidentStatus.Open, 10, None)).Select(i => i.Id));
        Assert.Equal(2, (await store.ListAsync(null, 10, None)).Count);
    }

    [Fact]
    public async Task A_session_is_stored_with_its_trajectory_and_its_start_and_end_are_audit_records()
    {
        var (trail, audit, clock) = await OpenAsync();
        await using var _ = trail;
        await using var __ = audit;
        var sessions = AgentSessionStore.For(audit, clock);

        var session = await sessions.StartAsync("lab-sre", "agent:lab-sre", "description", "node2 answers 502", null, None);
        await sessions.UpdateAsync(session.Id, """{"stages":[]}""", 0, None);
        clock.Advance(TimeSpan.FromSeconds(12));
        await sessions.FinishAsync(session, SessionStatus.Escalated, "nothing left to try", """{"escalation":"see evidence"}""", 0, None);

        var stored = (await sessions.GetAsync(session.Id, None))!;
        Assert.Matches("^as-[2-9a-hjkmnp-z]{5}$", stored.Id);
        Assert.Equal(SessionStatus.Escalated, stored.Status);
        Assert.Equal(T0.AddSeconds(12), stored.FinishedAt);
        Assert.Equal("""{"escalation":"see evidence"}""", stored.Trajectory);
        Assert.Equal([session.Id], (await sessions.ListAsync(10, None)).Select(s => s.Id));
        var records = await audit.ListAsync(new AuditQuery(Kind: AuditKind.AgentSession), None);
        Assert.Equal(["running", "escalated"], records.Select(r => r.Facts.Outcome));
        Assert.All(records, r => Assert.Equal("agent:lab-sre", r.Actor));
    }
}

public sealed class SqliteIncidentStoreTests : IncidentStoreContract
{
    protected override Task<ITrailLocation> NewTrailAsync() => Task.FromResult<ITrailLocation>(new SqliteTrail());
}

public sealed class PostgresIncidentStoreTests(PostgresServerFixture postgres) : IncidentStoreContract, IClassFixture<PostgresServerFixture>
{
    protected override async Task<ITrailLocation> NewTrailAsync() =>
        new PostgresTrail(await postgres.Server.CreateSchemaAsync($"incidents_{Guid.NewGuid():N}"));
}
