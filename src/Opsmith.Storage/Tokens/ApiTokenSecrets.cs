using System.Security.Cryptography;
using System.Text;

namespace Opsmith.Storage.Tokens;

/// <summary>
/// The shape of a token, <c>opsmith_tk-3f9a1c2e_SECRET</c>: a prefix that secret scanners can find, the public id,
/// and 32 random bytes (base64url). The id finds the row; the SHA-256 of the whole text, compared in constant time,
/// proves the holder has the secret. A plain hash is enough: the secret has 256 bits, so nothing can be guessed.
/// </summary>
internal static class ApiTokenSecrets
{
    public const string Prefix = "opsmith_";

    public static (string Id, string Secret) New()
    {
        var id = "tk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (id, $"{Prefix}{id}_{secret}");
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The id part of a well-formed token, or null.</summary>
    public static string? IdOf(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 200) return null;
        var rest = token.AsSpan(Prefix.Length);
        var underscore = rest.IndexOf('_');
        return underscore == 11 && rest.StartsWith("tk-") ? rest[..underscore].ToString() : null;
    }

    public static bool Matches(string token, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(storedHash));
}
