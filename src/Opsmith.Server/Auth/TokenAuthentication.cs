using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Opsmith.Application;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Tokens;

namespace Opsmith.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer opsmith_tk-…</c>: the token is looked up by its hash in the shared token store (created with
/// <c>opsmith tokens create</c>); the caller becomes the token's person with the token's role. A missing, malformed,
/// unknown or revoked token is refused alike (401).
/// </summary>
public sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    OpsmithServices services) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OpsmithToken";
    public const string RoleClaim = "opsmith_role";
    public const string TokenClaim = "opsmith_token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("use 'Authorization: Bearer TOKEN'");
        var tokens = await services.TokensAsync(Context.RequestAborted);
        var token = await tokens.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (token is null) return AuthenticateResult.Fail("the token is unknown or revoked");
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, token.Name), new Claim(RoleClaim, token.Role.ToWireName()), new Claim(TokenClaim, token.Id)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status401Unauthorized, "Authentication required",
            "send an API token as 'Authorization: Bearer TOKEN'; 'opsmith tokens create --role viewer' makes one");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status403Forbidden, "Not allowed for this role",
            $"this token's role is {Context.User.FindFirstValue(RoleClaim) ?? "unknown"}; this endpoint needs a higher one (docs/server.md lists them)");
}

/// <summary>The roles as authorization policies: each admits its role and every role above it.</summary>
public static class Roles
{
    public static string Policy(ApiRole role) => "role:" + role.ToWireName();

    public static void AddPolicies(AuthorizationOptions options)
    {
        foreach (var role in Enum.GetValues<ApiRole>())
            options.AddPolicy(Policy(role), policy => policy.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser()
                .RequireAssertion(context => ApiRoleNames.TryParse(context.User.FindFirstValue(TokenAuthenticationHandler.RoleClaim), out var held) && held >= role));
    }

    /// <summary>The person behind the request's token (authentication has run; the endpoint requires a role).</summary>
    public static Actor Caller(this HttpContext context) => Actor.Parse(context.User.FindFirstValue(ClaimTypes.Name));

    /// <summary>The shared services acting for the caller: runs, approvals and audit records name this person.</summary>
    public static OpsmithServices ServicesFor(this HttpContext context, OpsmithServices services) => services.ActingAs(context.Caller());
}
