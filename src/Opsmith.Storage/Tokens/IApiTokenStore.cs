using Opsmith.Policy.Decisions;

namespace Opsmith.Storage.Tokens;

/// <summary>
/// API tokens for the server, kept in the audit trail's database (SQLite or PostgreSQL) so the CLI that creates them
/// and the server that checks them share one list. Only a hash of each token is stored.
/// </summary>
public interface IApiTokenStore
{
    /// <summary>Creates a token acting for <paramref name="holder"/>; the secret in the result is never stored or shown again.</summary>
    Task<CreatedApiToken> CreateAsync(Actor holder, ApiRole role, Actor createdBy, CancellationToken cancellationToken);

    /// <summary>Every token, oldest first, revoked ones included.</summary>
    Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Revokes a token; false when there is no such token or it was already revoked.</summary>
    Task<bool> RevokeAsync(string id, CancellationToken cancellationToken);

    /// <summary>The live (unrevoked) token whose secret this is, or null: unknown, malformed, revoked or wrong secret alike.</summary>
    Task<ApiToken?> AuthenticateAsync(string secret, CancellationToken cancellationToken);
}
