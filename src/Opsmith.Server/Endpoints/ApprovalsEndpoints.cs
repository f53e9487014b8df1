using Microsoft.AspNetCore.Http.HttpResults;
using Opsmith.Application;
using Opsmith.Server.Auth;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Tokens;

namespace Opsmith.Server.Endpoints;

/// <summary>
/// Approval requests: the same store <c>opsmith approvals</c> uses, so four-eyes holds across the CLI and the API: the
/// person who proposed a step (whoever's token or shell started the run) can never approve or deny it, by any route.
/// </summary>
public static class ApprovalsEndpoints
{
    public sealed record ApprovalList(IReadOnlyList<ApprovalRequest> Approvals);

    public sealed record Decision(string? Note);

    public static void MapApprovals(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("/approvals").RequireAuthorization(Roles.Policy(ApiRole.Viewer)).WithTags("approvals");
        var decide = api.MapGroup("/approvals").RequireAuthorization(Roles.Policy(ApiRole.Approver)).WithTags("approvals");

        read.MapGet("", async Task<Results<Ok<ApprovalList>, ProblemHttpResult>> (string? status, OpsmithServices services, CancellationToken ct) =>
        {
            ApprovalStatus? filter = null;
            if (status is not null)
            {
                if (!ApprovalStatusNames.TryParse(status, out var parsed))
                    return Problems.From(OpsmithError.BadRequest($"status must be one of {string.Join(", ", ApprovalStatusNames.All)}, not '{status}'"));
                filter = parsed;
            }
            var approvals = await OpenAsync(services, ct);
            return TypedResults.Ok(new ApprovalList(await approvals.ListAsync(filter, ct)));
        }).WithSummary("Approval requests, oldest first");
        read.MapGet("/{id}", async Task<Results<Ok<ApprovalRequest>, ProblemHttpResult>> (string id, OpsmithServices services, CancellationToken ct) =>
            await (await OpenAsync(services, ct)).GetAsync(ApprovalIds.Normalize(id), ct) is { } request
                ? TypedResults.Ok(request)
                : Problems.From(OpsmithError.NotFound($"there is no approval request {id}"))).WithSummary("One request in full: who proposed what, where, why, its decision");
        decide.MapPost("/{id}/approve", (string id, Decision? body, HttpContext http, OpsmithServices services, CancellationToken ct) =>
            DecideAsync(id, body?.Note, approve: true, http, services, ct)).WithSummary("Approve a step someone else proposed; it then runs");
        decide.MapPost("/{id}/deny", (string id, Decision? body, HttpContext http, OpsmithServices services, CancellationToken ct) =>
            DecideAsync(id, body?.Note, approve: false, http, services, ct)).WithSummary("Deny a step someone else proposed; it does not run");
    }

    private static async Task<Results<Ok<ApprovalRequest>, ProblemHttpResult>> DecideAsync(string id, string? note, bool approve, HttpContext http,
        OpsmithServices services, CancellationToken ct)
    {
        var approvals = await OpenAsync(services, ct);
        var result = approve ? await approvals.ApproveAsync(id, http.Caller(), note, ct) : await approvals.DenyAsync(id, http.Caller(), note, ct);
        return result.Kind switch
        {
            ApprovalResultKind.Decided => TypedResults.Ok(result.Request!),
            ApprovalResultKind.NotFound => Problems.From(OpsmithError.NotFound(result.Message)),
            ApprovalResultKind.NotAllowed => Problems.From(OpsmithError.Forbidden(result.Message)),
            _ => Problems.From(OpsmithError.Conflict(result.Message)),
        };
    }

    /// <summary>Applies overdue expiries first, as the CLI does, so what is shown is what the executor will see.</summary>
    private static async Task<IApprovalStore> OpenAsync(OpsmithServices services, CancellationToken ct)
    {
        var approvals = await services.ApprovalsAsync(ct);
        await approvals.ExpireDueAsync(services.Time.GetUtcNow(), ct);
        return approvals;
    }
}
