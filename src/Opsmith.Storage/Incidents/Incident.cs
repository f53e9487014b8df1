using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Incidents;

/// <summary>Where an incident stands. A held incident is not acted on by an agent until a person releases it.</summary>
public enum IncidentStatus { Open, Held, Resolved }

/// <summary>
/// An invariant that failed on a host, as the monitor saw it. One incident per invariant and host until it is resolved:
/// later sightings count <see cref="Occurrences"/> and refresh <see cref="Evidence"/> instead of opening another.
/// </summary>
/// <param name="Host">The inventory host, or empty for an invariant about no single host (a PromQL query).</param>
/// <param name="Evidence">What the failing check said (masked).</param>
/// <param name="ChangedBy">Who made the last change (<c>agent:lab-sre</c>, <c>user:alice</c>).</param>
/// <param name="SessionId">The last agent session that worked on it.</param>
public sealed record Incident(
    string Id,
    string Invariant,
    string Host,
    IncidentStatus Status,
    string Summary,
    string Evidence,
    int Occurrences,
    DateTimeOffset OpenedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset UpdatedAt,
    string ChangedBy,
    string? Note,
    string? SessionId,
    DateTimeOffset? ResolvedAt);

/// <summary>A red invariant as the monitor reports it.</summary>
public sealed record IncidentSighting(string Invariant, string Host, string Summary, string Evidence);

/// <summary>What a status change did; <see cref="Message"/> is for the person who asked.</summary>
public sealed record IncidentChange(bool Changed, Incident? Incident, string Message);

public static class IncidentStatusNames
{
    public static string ToWireName(this IncidentStatus status) => Core.Skills.YamlNames.Of(status);

    public static bool TryParse(string? text, out IncidentStatus status) => Core.Skills.YamlNames.TryParse(text ?? "", out status);
}

/// <summary>One row of <c>incidents</c> as the database returns it.</summary>
internal sealed class IncidentRow
{
    public const string Columns =
        "id AS Id, invariant AS Invariant, host AS Host, status AS Status, summary AS Summary, evidence AS Evidence, occurrences AS Occurrences, " +
        "opened_utc AS OpenedAt, last_seen_utc AS LastSeenAt, updated_utc AS UpdatedAt, changed_by AS ChangedBy, note AS Note, " +
        "session_id AS SessionId, resolved_utc AS ResolvedAt";

    public string Id { get; set; } = "";
    public string Invariant { get; set; } = "";
    public string Host { get; set; } = "";
    public string Status { get; set; } = "";
    public string Summary { get; set; } = "";
    public string Evidence { get; set; } = "";
    public long Occurrences { get; set; }
    public object? OpenedAt { get; set; }
    public object? LastSeenAt { get; set; }
    public object? UpdatedAt { get; set; }
    public string ChangedBy { get; set; } = "";
    public string? Note { get; set; }
    public string? SessionId { get; set; }
    public object? ResolvedAt { get; set; }

    public Incident ToIncident()
    {
        if (!IncidentStatusNames.TryParse(Status, out var status))
            throw new InvalidOperationException($"incident {Id} has status '{Status}', which Opsmith never writes");
        return new Incident(Id, Invariant, Host, status, Summary, Evidence, (int)Occurrences, AuditDatabase.Time(OpenedAt)!.Value,
            AuditDatabase.Time(LastSeenAt)!.Value, AuditDatabase.Time(UpdatedAt)!.Value, ChangedBy, Note, SessionId, AuditDatabase.Time(ResolvedAt));
    }
}
