using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Sessions;

/// <summary>How an agent session ended (or that it has not).</summary>
public enum SessionStatus
{
    /// <summary>Still going, or its process died (a later reader sees it never finished).</summary>
    Running,
    /// <summary>A recovery ran and every check and invariant is green again, also after the settle delay.</summary>
    Resolved,
    /// <summary>Read-only stages found the cause; nothing was changed (mutation not allowed or not asked for).</summary>
    Diagnosed,
    /// <summary>Nothing left to try: handed to a person with the evidence.</summary>
    Escalated,
    /// <summary>Every invariant was green and no diagnosis found anything wrong.</summary>
    Healthy,
    /// <summary>The session could not do its work (a skill or the inventory could not be loaded, the audit trail was unusable).</summary>
    Failed,
    /// <summary>Stopped by a person (Ctrl-C); what it changed was rolled back.</summary>
    Cancelled,
}

/// <summary>
/// One agent session as stored: who, what started it, how it ended, and its trajectory (observations, findings,
/// hypotheses with evidence, actions, outcomes, timings) as masked JSON written by the application.
/// </summary>
/// <param name="TriggerKind">incident, task-card or description.</param>
public sealed record AgentSession(
    string Id,
    string Agent,
    string Actor,
    string TriggerKind,
    string TriggerText,
    string? IncidentId,
    SessionStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string Summary,
    int Tokens,
    string Trajectory);

public static class SessionStatusNames
{
    public static string ToWireName(this SessionStatus status) => Core.Skills.YamlNames.Of(status);

    public static bool TryParse(string? text, out SessionStatus status) => Core.Skills.YamlNames.TryParse(text ?? "", out status);
}

internal sealed class AgentSessionRow
{
    public const string Columns =
        "id AS Id, agent AS Agent, actor AS Actor, trigger_kind AS TriggerKind, trigger_text AS TriggerText, incident_id AS IncidentId, status AS Status, " +
        "started_utc AS StartedAt, finished_utc AS FinishedAt, summary AS Summary, tokens AS Tokens, trajectory AS Trajectory";

    public string Id { get; set; } = "";
    public string Agent { get; set; } = "";
    public string Actor { get; set; } = "";
    public string TriggerKind { get; set; } = "";
    public string TriggerText { get; set; } = "";
    public string? IncidentId { get; set; }
    public string Status { get; set; } = "";
    public object? StartedAt { get; set; }
    public object? FinishedAt { get; set; }
    public string Summary { get; set; } = "";
    public long Tokens { get; set; }
    public string Trajectory { get; set; } = "";

    public AgentSession ToSession()
    {
        if (!SessionStatusNames.TryParse(Status, out var status))
            throw new InvalidOperationException($"agent session {Id} has status '{Status}', which Opsmith never writes");
        return new AgentSession(Id, Agent, Actor, TriggerKind, TriggerText, IncidentId, status, AuditDatabase.Time(StartedAt)!.Value,
            AuditDatabase.Time(FinishedAt), Summary, (int)Tokens, Trajectory);
    }
}
