using Microsoft.AspNetCore.Http.HttpResults;
using Opsmith.Application;
using Opsmith.Server.Auth;
using Opsmith.Storage.Tokens;

namespace Opsmith.Server.Endpoints;

/// <summary>
/// The kill switch every Opsmith process on this machine obeys (a file in the shared data folder). Switching it on is an
/// operator's right — stopping is always allowed; switching it off needs an admin. Both are audit records.
/// </summary>
public static class KillSwitchEndpoints
{
    public sealed record KillSwitchView(bool On, string? By, DateTimeOffset? Since, string? Reason);

    public sealed record Toggle(bool On, string? Reason);

    public static void MapKillSwitch(this RouteGroupBuilder api)
    {
        api.MapGet("/kill-switch", (OpsmithServices services) => TypedResults.Ok(View(services)))
            .RequireAuthorization(Roles.Policy(ApiRole.Viewer)).WithTags("kill-switch").WithSummary("Whether the kill switch is on, by whom, since when, why");
        api.MapPost("/kill-switch", async Task<Results<Ok<KillSwitchView>, ProblemHttpResult>> (Toggle body, HttpContext http, OpsmithServices services,
            CancellationToken ct) =>
        {
            if (!body.On && !(await http.RequestServices.GetRequiredService<Microsoft.AspNetCore.Authorization.IAuthorizationService>()
                    .AuthorizeAsync(http.User, null, Roles.Policy(ApiRole.Admin))).Succeeded)
                return Problems.From(OpsmithError.Forbidden("switching the kill switch off needs an admin token"));
            var acting = http.ServicesFor(services);
            if (await acting.SetKillSwitchAsync(body.On, body.Reason ?? "", ct) is { } error) return Problems.From(error);
            return TypedResults.Ok(View(services));
        }).RequireAuthorization(Roles.Policy(ApiRole.Operator)).WithTags("kill-switch").WithSummary("Switch on (operator) or off (admin)");
    }

    private static KillSwitchView View(OpsmithServices services) =>
        services.KillSwitch.Read() is { } state ? new KillSwitchView(true, state.By, state.Since, state.Reason) : new KillSwitchView(false, null, null, null);
}
