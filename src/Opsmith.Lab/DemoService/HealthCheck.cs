namespace Opsmith.Lab.DemoService;

/// <summary>
/// The answer of <c>GET /health</c>: each part is "ok" or the reason it is not, and the status is "ok" only
/// when every part is.
/// </summary>
internal sealed record HealthReport(string Status, string Node, string Redis, string Journal);

/// <summary>Checks what the service needs to do its job: redis answers a PING and the journal's folder takes a write.</summary>
internal sealed class HealthCheck(RedisClient redis, EventJournal journal, string nodeName)
{
    public const string Ok = "ok";

    /// <summary>How long the health check waits for redis's PONG.</summary>
    public static readonly TimeSpan RedisTimeout = TimeSpan.FromSeconds(1);

    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var redisCheck = CheckRedisAsync(cancellationToken);
        var journalCheck = journal.ProbeAsync(cancellationToken);
        var redisPart = await redisCheck;
        var journalPart = (await journalCheck).Failure ?? Ok;
        var status = redisPart == Ok && journalPart == Ok ? Ok : "unhealthy";
        return new HealthReport(status, nodeName, redisPart, journalPart);
    }

    private async Task<string> CheckRedisAsync(CancellationToken cancellationToken)
    {
        var result = await redis.ExecuteAsync(["PING"], RedisTimeout, cancellationToken);
        if (result.Failure is { } failure) return failure;
        return result.Replies[0] switch
        {
            RespSimpleString { Value: "PONG" } => Ok,
            RespError error => error.Message,
            var other => $"unexpected reply to PING: {other}",
        };
    }
}
