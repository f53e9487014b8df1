namespace Opsmith.Lab.DemoService;

/// <summary>How one lab node's demo service is set up.</summary>
/// <param name="ListenUrl">Where Kestrel listens, such as <c>http://0.0.0.0:8080</c>.</param>
/// <param name="RedisHost">Host of the redis the rate limiter counts in.</param>
/// <param name="RedisPort">Port of that redis.</param>
/// <param name="JournalPath">File the service appends events to; its folder is created when missing.</param>
/// <param name="NodeName">The lab node's name, shown by <c>GET /</c> and <c>GET /health</c>.</param>
/// <param name="RateLimitPerMinute">Requests a client may make per minute before <c>/api/limit</c> answers 429.</param>
public sealed record DemoServiceOptions(
    string ListenUrl,
    string RedisHost,
    int RedisPort,
    string JournalPath,
    string NodeName,
    int RateLimitPerMinute = 100)
{
    /// <summary>Every problem with these options, in one list; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        // The slim Kestrel host has no TLS configured: the lab's nodes talk plain HTTP on their private network.
        if (!Uri.TryCreate(ListenUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
            problems.Add($"listen URL '{ListenUrl}' is not an http:// URL (for example http://0.0.0.0:8080)");
        if (string.IsNullOrWhiteSpace(RedisHost))
            problems.Add("redis host is empty");
        if (RedisPort is < 1 or > 65535)
            problems.Add($"redis port {RedisPort} is not between 1 and 65535");
        if (string.IsNullOrWhiteSpace(JournalPath))
            problems.Add("journal path is empty");
        if (string.IsNullOrWhiteSpace(NodeName))
            problems.Add("node name is empty");
        if (RateLimitPerMinute < 1)
            problems.Add($"rate limit {RateLimitPerMinute} per minute is not at least 1");
        return problems;
    }
}
