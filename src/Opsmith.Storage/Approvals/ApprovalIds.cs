namespace Opsmith.Storage.Approvals;

/// <summary>
/// Request ids people read aloud and type: <c>ap-</c> and five characters from an alphabet without the look-alikes
/// 0/o, 1/l/i. 31^5 ≈ 28 million ids; the store retries on the rare collision (the id is the primary key).
/// </summary>
public static class ApprovalIds
{
    private const string Alphabet = "23456789abcdefghjkmnpqrstuvwxyz";
    private const int Length = 5;

    public static string New(Random random) => New(random, "ap-");

    /// <summary>The same kind of id with another prefix (incidents: <c>in-</c>, agent sessions: <c>as-</c>).</summary>
    public static string New(Random random, string prefix)
    {
        Span<char> id = stackalloc char[prefix.Length + Length];
        prefix.CopyTo(id);
        for (var i = 0; i < Length; i++) id[prefix.Length + i] = Alphabet[random.Next(Alphabet.Length)];
        return new string(id);
    }

    /// <summary>What a person typed, as ids are stored: trimmed, lower case.</summary>
    public static string Normalize(string typed) => typed.Trim().ToLowerInvariant();
}
