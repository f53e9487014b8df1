using System.Data.Common;
using Dapper;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Incidents;

/// <summary>
/// Incidents in the audit database (table <c>incidents</c>, migration 0004), SQLite or PostgreSQL alike. Every change
/// runs in the audit trail's append transaction with its audit record (kind <c>incident</c>), so what happened to an
/// incident and who did it cannot disagree. A sighting of an invariant that already has an active (open or held)
/// incident on that host updates it; the unique index on active incidents keeps it that way across processes.
/// </summary>
public sealed class IncidentStore(AuditDatabase database, TimeProvider time, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    private const string ActiveSql = "SELECT " + IncidentRow.Columns + " FROM incidents WHERE invariant = @Invariant AND host = @Host AND status <> 'resolved'";

    public static IncidentStore For(IAuditStore audit, TimeProvider time, Random? random = null) => new(AuditDatabase.Of(audit), time, random);

    /// <summary>Records a red invariant: opens an incident, or counts the sighting on the active one. Opened says which.</summary>
    public async Task<(Incident Incident, bool Opened)> ReportAsync(IncidentSighting sighting, string actor, CancellationToken ct)
    {
        Incident? result = null;
        var opened = false;
        await database.WriteAsync(async (connection, transaction, token) =>
        {
            var now = Now();
            var active = await connection.QuerySingleOrDefaultAsync<IncidentRow>(new CommandDefinition(ActiveSql,
                new { sighting.Invariant, sighting.Host }, transaction, cancellationToken: token));
            if (active is not null)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE incidents SET occurrences = occurrences + 1, last_seen_utc = @Now, evidence = @Evidence WHERE id = @Id",
                    new { Now = database.Stored(now), Evidence = AuditDatabase.Text(sighting.Evidence), active.Id }, transaction, cancellationToken: token));
                result = active.ToIncident() with { Occurrences = (int)active.Occurrences + 1, LastSeenAt = now, Evidence = AuditDatabase.Text(sighting.Evidence) };
                return [];
            }
            for (var attempt = 0; result is null; attempt++)
            {
                if (attempt == 20) throw new InvalidOperationException("could not find a free incident id after 20 tries");
                var incident = new Incident(ApprovalIds.New(_random, "in-"), AuditDatabase.Text(sighting.Invariant), AuditDatabase.Text(sighting.Host), IncidentStatus.Open,
                    AuditDatabase.Text(sighting.Summary), AuditDatabase.Text(sighting.Evidence), 1, now, now, now, AuditDatabase.Text(actor), null, null, null);
                var inserted = await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO incidents (id, invariant, host, status, summary, evidence, occurrences, opened_utc, last_seen_utc, updated_utc, changed_by, note, session_id, resolved_utc) " +
                    "VALUES (@Id, @Invariant, @Host, 'open', @Summary, @Evidence, 1, @Now, @Now, @Now, @ChangedBy, NULL, NULL, NULL) ON CONFLICT (id) DO NOTHING",
                    new { incident.Id, incident.Invariant, incident.Host, incident.Summary, incident.Evidence, Now = database.Stored(now), incident.ChangedBy },
                    transaction, cancellationToken: token));
                if (inserted == 1) result = incident;
            }
            opened = true;
            return [AuditEntry.ForIncident(result.Id, result.ChangedBy, result.Host, result.Invariant, "open",
                $"incident {result.Id} opened: {result.Summary}\nevidence: {result.Evidence}")];
        }, ct);
        return (result!, opened);
    }

    /// <summary>Hold, release (to open) or resolve an incident by id, recording who and why.</summary>
    public async Task<IncidentChange> SetStatusAsync(string id, IncidentStatus to, string actor, string? note, CancellationToken ct)
    {
        id = id.Trim().ToLowerInvariant();
        IncidentChange? change = null;
        await database.WriteAsync(async (connection, transaction, token) =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<IncidentRow>(new CommandDefinition(
                "SELECT " + IncidentRow.Columns + " FROM incidents WHERE id = @Id", new { Id = id }, transaction, cancellationToken: token));
            if (row is null)
            {
                change = new IncidentChange(false, null, $"there is no incident {id}; 'opsmith incidents list' shows them");
                return [];
            }
            var incident = row.ToIncident();
            var allowed = (incident.Status, to) switch
            {
                (IncidentStatus.Open, IncidentStatus.Held) => true,
                (IncidentStatus.Held, IncidentStatus.Open) => true,
                (IncidentStatus.Open or IncidentStatus.Held, IncidentStatus.Resolved) => true,
                _ => false,
            };
            if (!allowed)
            {
                change = new IncidentChange(false, incident, incident.Status == to
                    ? $"incident {id} is already {to.ToWireName()}"
                    : $"incident {id} is {incident.Status.ToWireName()}; it cannot become {to.ToWireName()}" +
                      (incident.Status == IncidentStatus.Resolved ? " (a resolved incident stays resolved; a new failure opens a new one)" : ""));
                return [];
            }
            var entry = await ChangeAsync(connection, transaction, incident, to, actor, note, token);
            change = new IncidentChange(true, entry.Incident, $"incident {id} is {to.ToWireName()}");
            return [entry.Audit];
        }, ct);
        return change!;
    }

    /// <summary>The invariant is green again on that host: resolves its active incident (open or held), if any.</summary>
    public async Task<Incident?> ResolveActiveAsync(string invariant, string host, string actor, string note, CancellationToken ct)
    {
        Incident? resolved = null;
        await database.WriteAsync(async (connection, transaction, token) =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<IncidentRow>(new CommandDefinition(ActiveSql, new { Invariant = invariant, Host = host },
                transaction, cancellationToken: token));
            if (row is null) return [];
            var entry = await ChangeAsync(connection, transaction, row.ToIncident(), IncidentStatus.Resolved, actor, note, token);
            resolved = entry.Incident;
            return [entry.Audit];
        }, ct);
        return resolved;
    }

    /// <summary>Notes which agent session works on the incident (no audit record: the session has its own).</summary>
    public Task AttachSessionAsync(string id, string sessionId, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction, token) =>
        {
            await connection.ExecuteAsync(new CommandDefinition("UPDATE incidents SET session_id = @SessionId WHERE id = @Id",
                new { SessionId = sessionId, Id = id }, transaction, cancellationToken: token));
            return [];
        }, ct);

    public async Task<Incident?> GetAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenReaderAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<IncidentRow>(new CommandDefinition(
            "SELECT " + IncidentRow.Columns + " FROM incidents WHERE id = @Id", new { Id = id.Trim().ToLowerInvariant() }, cancellationToken: ct));
        return row?.ToIncident();
    }

    /// <summary>Newest first; <paramref name="status"/> null lists every status.</summary>
    public async Task<IReadOnlyList<Incident>> ListAsync(IncidentStatus? status, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenReaderAsync(ct);
        var rows = await connection.QueryAsync<IncidentRow>(new CommandDefinition(
            "SELECT " + IncidentRow.Columns + " FROM incidents" + (status is null ? "" : " WHERE status = @Status") + " ORDER BY opened_utc DESC, id LIMIT @Limit",
            new { Status = status?.ToWireName(), Limit = limit }, cancellationToken: ct));
        return rows.Select(r => r.ToIncident()).ToList();
    }

    private async Task<(Incident Incident, AuditEntry Audit)> ChangeAsync(DbConnection connection, DbTransaction? transaction, Incident incident,
        IncidentStatus to, string actor, string? note, CancellationToken ct)
    {
        var now = Now();
        var text = string.IsNullOrWhiteSpace(note) ? null : AuditDatabase.Text(note);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE incidents SET status = @Status, changed_by = @Actor, updated_utc = @Now, note = @Note, resolved_utc = @Resolved WHERE id = @Id",
            new
            {
                Status = to.ToWireName(), Actor = AuditDatabase.Text(actor), Now = database.Stored(now), Note = text,
                Resolved = to == IncidentStatus.Resolved ? database.Stored(now) : null, incident.Id,
            }, transaction, cancellationToken: ct));
        var changed = incident with
        {
            Status = to, ChangedBy = AuditDatabase.Text(actor), UpdatedAt = now, Note = text, ResolvedAt = to == IncidentStatus.Resolved ? now : null,
        };
        var verb = (incident.Status, to) switch
        {
            (IncidentStatus.Held, IncidentStatus.Open) => "released",
            (_, IncidentStatus.Held) => "held",
            _ => "resolved",
        };
        return (changed, AuditEntry.ForIncident(incident.Id, changed.ChangedBy, incident.Host, incident.Invariant, to.ToWireName(),
            $"incident {incident.Id} {verb}{(text is null ? "" : ": " + text)}"));
    }

    private DateTimeOffset Now() => AuditCanonicalForm.ToStoredPrecision(time.GetUtcNow());
}
