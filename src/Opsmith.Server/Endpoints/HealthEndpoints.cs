using Microsoft.AspNetCore.Http.HttpResults;
using Opsmith.Application;

namespace Opsmith.Server.Endpoints;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: it can also open the audit trail, without which nothing may run.</summary>
public static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new Health("ok", null))).AllowAnonymous().DisableRateLimiting().WithTags("health")
            .WithSummary("The process answers");
        app.MapGet("/readyz", async Task<Results<Ok<Health>, ProblemHttpResult>> (OpsmithServices services, CancellationToken ct) =>
        {
            try
            {
                await services.AuditAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                return Problems.Status(StatusCodes.Status503ServiceUnavailable, "Not ready", $"the audit trail cannot be opened: {e.Message}");
            }
            return TypedResults.Ok(new Health("ready", services.KillSwitch.Read() is null ? "off" : "on"));
        }).AllowAnonymous().DisableRateLimiting().WithTags("health").WithSummary("The audit trail opens (503 otherwise); the kill switch state");
    }

    public sealed record Health(string Status, string? KillSwitch);
}
