using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Opsmith.Application;
using Opsmith.Server.Auth;
using Opsmith.Storage.Incidents;
using Opsmith.Storage.Sessions;
using Opsmith.Storage.Tokens;

namespace Opsmith.Server.Endpoints;

/// <summary>
/// Incidents and agent sessions: the stores <c>opsmith incidents</c> and <c>opsmith agent sessions</c> use. Anyone may read;
/// an operator may hold, release (unhold) or resolve an incident, and the change commits with its audit record naming them.
/// </summary>
public static class IncidentsEndpoints
{
    public const int MaxLimit = 1000;

    public sealed record IncidentList(IReadOnlyList<ApiIncident> Incidents);

    public sealed record ApiIncident(string Id, string Invariant, string Host, string Status, string Summary, string Evidence, int Occurrences,
        DateTimeOffset OpenedAt, DateTimeOffset LastSeenAt, DateTimeOffset UpdatedAt, string ChangedBy, string? Note, string? SessionId,
        DateTimeOffset? ResolvedAt)
    {
        public static ApiIncident From(Incident i) => new(i.Id, i.Invariant, i.Host, i.Status.ToWireName(), i.Summary, i.Evidence, i.Occurrences,
            i.OpenedAt, i.LastSeenAt, i.UpdatedAt, i.ChangedBy, i.Note, i.SessionId, i.ResolvedAt);
    }

    public sealed record Change(string? Note);

    public sealed record SessionList(IReadOnlyList<ApiSession> Sessions);

    /// <summary>A session; <see cref="Trajectory"/> (observations, findings, actions, outcomes) only when one session is shown.</summary>
    public sealed record ApiSession(string Id, string Agent, string Actor, string TriggerKind, string TriggerText, string? IncidentId, string Status,
        DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Summary, int Tokens, JsonElement? Trajectory)
    {
        public static ApiSession From(AgentSession s, bool withTrajectory) => new(s.Id, s.Agent, s.Actor, s.TriggerKind, s.TriggerText, s.IncidentId,
            s.Status.ToWireName(), s.StartedAt, s.FinishedAt, s.Summary, s.Tokens, withTrajectory ? ParseTrajectory(s.Trajectory) : null);

        private static JsonElement? ParseTrajectory(string json)
        {
            try { return JsonDocument.Parse(json).RootElement.Clone(); }
            catch (JsonException) { return null; }
        }
    }

    public static void MapIncidents(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("/incidents").RequireAuthorization(Roles.Policy(ApiRole.Viewer)).WithTags("incidents");
        var change = api.MapGroup("/incidents").RequireAuthorization(Roles.Policy(ApiRole.Operator)).WithTags("incidents");
        read.MapGet("", async Task<Results<Ok<IncidentList>, ProblemHttpResult>> (string? status, int? limit, OpsmithServices services, CancellationToken ct) =>
        {
            IncidentStatus? filter = null;
            if (status is not null)
            {
                if (!IncidentStatusNames.TryParse(status, out var parsed))
                    return Problems.From(OpsmithError.BadRequest($"status must be open, held or resolved, not '{status}'"));
                filter = parsed;
            }
            if (limit is < 1 or > MaxLimit) return Problems.From(OpsmithError.BadRequest($"limit must be between 1 and {MaxLimit}"));
            var incidents = await (await services.IncidentsAsync(ct)).ListAsync(filter, limit ?? 100, ct);
            return TypedResults.Ok(new IncidentList(incidents.Select(ApiIncident.From).ToList()));
        }).WithSummary("Incidents, newest first (status: open, held, resolved; limit, default 100)");
        read.MapGet("/{id}", async Task<Results<Ok<ApiIncident>, ProblemHttpResult>> (string id, OpsmithServices services, CancellationToken ct) =>
            await (await services.IncidentsAsync(ct)).GetAsync(id, ct) is { } incident ? TypedResults.Ok(ApiIncident.From(incident))
                : Problems.From(OpsmithError.NotFound($"there is no incident {id}"))).WithSummary("One incident: its invariant, host, evidence and history");
        foreach (var (verb, to, summary) in new[]
                 {
                     ("hold", IncidentStatus.Held, "Hold an open incident: no agent acts on it until a person releases it"),
                     ("unhold", IncidentStatus.Open, "Release a held incident: it is open again and agents may act on it"),
                     ("resolve", IncidentStatus.Resolved, "Resolve an open or held incident"),
                 })
            change.MapPost("/{id}/" + verb, async Task<Results<Ok<ApiIncident>, ProblemHttpResult>> (string id, Change? body, HttpContext http,
                OpsmithServices services, CancellationToken ct) =>
            {
                var changed = await (await services.IncidentsAsync(ct)).SetStatusAsync(id, to, http.Caller().ToString(), body?.Note, ct);
                return changed.Changed ? TypedResults.Ok(ApiIncident.From(changed.Incident!))
                    : Problems.From(changed.Incident is null ? OpsmithError.NotFound(changed.Message) : OpsmithError.Conflict(changed.Message));
            }).WithSummary(summary);

        var sessions = api.MapGroup("/agent/sessions").RequireAuthorization(Roles.Policy(ApiRole.Viewer)).WithTags("agent-sessions");
        sessions.MapGet("", async Task<Results<Ok<SessionList>, ProblemHttpResult>> (int? limit, OpsmithServices services, CancellationToken ct) =>
            limit is < 1 or > MaxLimit ? Problems.From(OpsmithError.BadRequest($"limit must be between 1 and {MaxLimit}"))
            : TypedResults.Ok(new SessionList((await (await services.SessionsAsync(ct)).ListAsync(limit ?? 100, ct))
                .Select(s => ApiSession.From(s, withTrajectory: false)).ToList())))
            .WithSummary("Agent sessions, newest first, without trajectories (limit, default 100)");
        sessions.MapGet("/{id}", async Task<Results<Ok<ApiSession>, ProblemHttpResult>> (string id, OpsmithServices services, CancellationToken ct) =>
            await (await services.SessionsAsync(ct)).GetAsync(id, ct) is { } session ? TypedResults.Ok(ApiSession.From(session, withTrajectory: true))
                : Problems.From(OpsmithError.NotFound($"there is no agent session {id}"))).WithSummary("One agent session with its trajectory");
    }
}
