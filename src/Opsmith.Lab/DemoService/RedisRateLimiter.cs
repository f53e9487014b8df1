using System.Globalization;

namespace Opsmith.Lab.DemoService;

/// <summary>What the rate limiter decided for one request.</summary>
internal abstract record RateLimitOutcome;

/// <summary>Redis counted the request: <see cref="Count"/> requests from the client this minute.</summary>
internal sealed record RateLimitCounted(long Count, bool Allowed) : RateLimitOutcome;

/// <summary>Redis could not count the request (refused, timed out, or answered with an error).</summary>
internal sealed record RateLimitUnavailable(string Reason) : RateLimitOutcome;

/// <summary>
/// A fixed-window rate limiter in redis: one counter per client and UTC minute (<c>rl:{client}:{unix-minute}</c>),
/// incremented and given a 120 s expiry in one round trip. It fails closed: without redis nothing is allowed.
/// </summary>
internal sealed class RedisRateLimiter(RedisClient redis, int limitPerMinute, TimeProvider time)
{
    /// <summary>How long one request waits for redis before the service answers 503.</summary>
    public static readonly TimeSpan RedisTimeout = TimeSpan.FromSeconds(2);

    public int LimitPerMinute => limitPerMinute;

    public async Task<RateLimitOutcome> CountAsync(string client, CancellationToken cancellationToken)
    {
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var key = string.Create(CultureInfo.InvariantCulture, $"rl:{client}:{minute}");
        var result = await redis.ExecutePipelineAsync([["INCR", key], ["EXPIRE", key, "120"]], RedisTimeout, cancellationToken);
        if (result.Failure is { } failure) return new RateLimitUnavailable(failure);
        return (result.Replies[0], result.Replies[1]) switch
        {
            (RespError error, _) => new RateLimitUnavailable(error.Message),
            (_, RespError error) => new RateLimitUnavailable(error.Message),
            (RespInteger count, _) => new RateLimitCounted(count.Value, count.Value <= limitPerMinute),
            (var other, _) => new RateLimitUnavailable($"unexpected reply to INCR: {other}"),
        };
    }
}
