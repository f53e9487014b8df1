namespace Opsmith.Storage.Tokens;

/// <summary>
/// What an API token may do. The roles form a ladder: each may do everything the ones below it may.
/// viewer reads; operator also runs skills, proposes skill changes and starts tasks; approver also decides approval
/// requests and skill reviews (never their own: four-eyes); admin also manages tokens and switches the kill switch off.
/// </summary>
public enum ApiRole
{
    Viewer,
    Operator,
    Approver,
    Admin,
}

/// <summary>
/// One API token as stored: who it acts for and with which role. The token itself is shown once, when it is created,
/// and only its SHA-256 is kept (<c>api_tokens.secret_hash</c>).
/// </summary>
/// <param name="Id">The token's public part (<c>tk-3f9a1c2e</c>): what <c>tokens revoke</c> takes and logs show.</param>
/// <param name="Name">The person it acts for, as actor text (<c>user:alice</c>): audit records and four-eyes use it.</param>
public sealed record ApiToken(string Id, string Name, ApiRole Role, DateTimeOffset Created, string CreatedBy, DateTimeOffset? Revoked)
{
    public bool IsRevoked => Revoked is not null;
}

/// <summary>A newly created token: the record and, this once, the secret text to hand to its holder.</summary>
public sealed record CreatedApiToken(ApiToken Token, string Secret);

public static class ApiRoleNames
{
    public static string ToWireName(this ApiRole role) => role switch
    {
        ApiRole.Viewer => "viewer",
        ApiRole.Operator => "operator",
        ApiRole.Approver => "approver",
        ApiRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown API role"),
    };

    public static IReadOnlyList<string> All { get; } = Enum.GetValues<ApiRole>().Select(r => r.ToWireName()).ToArray();

    public static bool TryParse(string? text, out ApiRole role)
    {
        foreach (var candidate in Enum.GetValues<ApiRole>())
            if (string.Equals(candidate.ToWireName(), text, StringComparison.Ordinal)) { role = candidate; return true; }
        role = default;
        return false;
    }
}
