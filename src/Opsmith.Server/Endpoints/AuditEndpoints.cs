using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Opsmith.Application;
using Opsmith.Server.Auth;
using Opsmith.Storage.Audit;
using Opsmith.Storage.Tokens;

namespace Opsmith.Server.Endpoints;

/// <summary>The audit trail the CLI writes and reads too: list, show, verify the hash chain, export as JSON Lines.</summary>
public static class AuditEndpoints
{
    public sealed record AuditList(IReadOnlyList<AuditRecord> Records);

    public static void MapAudit(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").RequireAuthorization(Roles.Policy(ApiRole.Viewer)).WithTags("audit");
        audit.MapGet("", async Task<Results<Ok<AuditList>, ProblemHttpResult>> (string? skill, string? host, [FromQuery(Name = "run_id")] string? runId, string? kind, string? decision,
            DateTimeOffset? since, int? limit, OpsmithServices services, CancellationToken ct) =>
        {
            AuditKind? kindValue = null;
            AuditDecision? decisionValue = null;
            if (kind is not null)
            {
                if (!AuditNames.TryParseKind(kind, out var k))
                    return Problems.From(OpsmithError.BadRequest($"kind must be one of {string.Join(", ", AuditNames.KindNames)}, not '{kind}'"));
                kindValue = k;
            }
            if (decision is not null)
            {
                if (!AuditNames.TryParseDecision(decision, out var d))
                    return Problems.From(OpsmithError.BadRequest($"decision must be one of {string.Join(", ", AuditNames.DecisionNames)}, not '{decision}'"));
                decisionValue = d;
            }
            if (limit is < 1 or > AuditQuery.MaxLimit) return Problems.From(OpsmithError.BadRequest($"limit must be between 1 and {AuditQuery.MaxLimit}"));
            var store = await services.AuditAsync(ct);
            return TypedResults.Ok(new AuditList(await store.ListAsync(
                new AuditQuery(since, skill, host, decisionValue, kindValue, runId, limit ?? 100, NewestFirst: true), ct)));
        }).WithSummary("Audit records, newest first (run_id, skill, host, kind, decision, since, limit)");
        audit.MapGet("/{sequence:long}", async Task<Results<Ok<AuditRecord>, ProblemHttpResult>> (long sequence, OpsmithServices services, CancellationToken ct) =>
            await (await services.AuditAsync(ct)).GetAsync(sequence, ct) is { } record
                ? TypedResults.Ok(record)
                : Problems.From(OpsmithError.NotFound($"there is no audit record {sequence}"))).WithSummary("One record by its sequence number");
        audit.MapGet("/verify", async (OpsmithServices services, CancellationToken ct) =>
            TypedResults.Ok(await (await services.AuditAsync(ct)).VerifyAsync(ct))).WithSummary("Check the hash chain; the first break, if any");
        audit.MapGet("/export", async (HttpContext http, OpsmithServices services, CancellationToken ct) =>
        {
            var store = await services.AuditAsync(ct);
            http.Response.ContentType = "application/x-ndjson";
            await using var writer = new StreamWriter(http.Response.Body, leaveOpen: true);
            await store.ExportJsonlAsync(writer, ct);
            await writer.FlushAsync(ct);
        }).WithSummary("Every record as JSON Lines (docs/audit.md), streamed");
    }
}
