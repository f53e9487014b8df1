namespace Opsmith.Lab.Tests.DemoService;

/// <summary>How the demo service answers while a lab fault is in place: redis down, paused or out of memory, and a full disk.</summary>
public sealed class DemoServiceFaultTests
{
    [Fact]
    public async Task With_redis_killed_health_is_503_naming_redis_and_the_limiter_answers_503()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();
        await service.GetJsonAsync("/api/limit/erin"); // leaves a pooled connection for the kill to break

        service.Redis.Kill();
        var (healthStatus, health) = await service.GetJsonAsync("/health");
        var (limitStatus, limit) = await service.GetJsonAsync("/api/limit/erin");

        Assert.Equal(503, healthStatus);
        Assert.Equal("unhealthy", health.GetProperty("status").GetString());
        Assert.Equal("node-1", health.GetProperty("node").GetString());
        Assert.NotEqual("ok", health.GetProperty("redis").GetString());
        Assert.Equal("ok", health.GetProperty("journal").GetString());
        Assert.Equal(503, limitStatus);
        Assert.Equal($"redis: cannot connect to 127.0.0.1:{service.Redis.Port}: Connection refused", limit.GetProperty("error").GetString());
        var metrics = await DemoServiceMetricsTests.ScrapeAfterAllAnsweredAsync(service, expectedRequests: 3);
        Assert.Contains("opsmith_demo_redis_errors_total 2\n", metrics);
        Assert.Contains("opsmith_demo_requests_total{route=\"/api/limit/{client}\",code=\"503\"} 1\n", metrics);
        Assert.Contains("opsmith_demo_requests_total{route=\"/health\",code=\"503\"} 1\n", metrics);
    }

    [Fact]
    public async Task With_redis_paused_for_writes_the_limiter_answers_503_until_redis_is_unpaused()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();
        await service.GetJsonAsync("/api/limit/frank");

        // As the lab's redis-paused fault does: writes wait for an hour, PING still answers.
        await service.Redis.CliAsync("CLIENT", "PAUSE", "3600000", "WRITE");
        var (limitStatus, limit) = await service.GetJsonAsync("/api/limit/frank");
        var (healthStatus, health) = await service.GetJsonAsync("/health");
        await service.Redis.CliAsync("CLIENT", "UNPAUSE");
        var (afterStatus, after) = await service.GetJsonAsync("/api/limit/frank");

        Assert.Equal(503, limitStatus);
        Assert.Equal("redis: timeout after 2s", limit.GetProperty("error").GetString());
        Assert.Equal(200, healthStatus);
        Assert.Equal("ok", health.GetProperty("redis").GetString());
        Assert.Equal(200, afterStatus);
        Assert.True(after.GetProperty("allowed").GetBoolean(), after.GetRawText());
        // The count is per minute (a new minute may have begun) and the timed-out INCR may or may not have run.
        Assert.True(after.GetProperty("count").GetInt32() >= 1, after.GetRawText());
    }

    [Fact]
    public async Task With_redis_hung_health_and_the_limiter_time_out_and_both_recover_once_it_continues()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();
        await service.GetJsonAsync("/api/limit/heidi");

        service.Redis.Signal("STOP");   // hung: the kernel still accepts connections, nothing answers
        var (limitStatus, limit) = await service.GetJsonAsync("/api/limit/heidi");
        var (healthStatus, health) = await service.GetJsonAsync("/health");
        service.Redis.Signal("CONT");
        var recovered = await service.WaitForHealthyAsync();

        Assert.Equal(503, limitStatus);
        Assert.Equal("redis: timeout after 2s", limit.GetProperty("error").GetString());
        Assert.Equal(503, healthStatus);
        Assert.Equal("timeout after 1s", health.GetProperty("redis").GetString());
        Assert.True(recovered, "health did not turn ok once redis continued");
        var (afterStatus, _) = await service.GetJsonAsync("/api/limit/heidi");
        Assert.Equal(200, afterStatus);
    }

    [Fact]
    public async Task With_redis_out_of_memory_the_limiter_answers_503_with_redis_error()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();
        await service.Redis.CliAsync("CONFIG", "SET", "maxmemory", "1");

        var (status, body) = await service.GetJsonAsync("/api/limit/grace");

        Assert.Equal(503, status);
        Assert.StartsWith("redis: OOM command not allowed", body.GetProperty("error").GetString());
    }

    [RootFact]
    public async Task With_the_journal_on_a_full_filesystem_events_get_507_and_health_is_503()
    {
        using var full = FullTmpfs.MountAndFill();
        await using var service = await DemoServiceUnderTest.StartAsync(journalPath: Path.Combine(full.MountPoint, "events.log"));

        var (eventStatus, eventBody) = await service.PostEventAsync("cannot be written");
        var (healthStatus, health) = await service.GetJsonAsync("/health");

        Assert.Equal(507, eventStatus);
        Assert.StartsWith("journal: No space left on device", eventBody.GetProperty("error").GetString());
        Assert.Equal(503, healthStatus);
        Assert.Equal("ok", health.GetProperty("redis").GetString());
        Assert.StartsWith("No space left on device", health.GetProperty("journal").GetString());
        Assert.False(File.Exists(Path.Combine(full.MountPoint, ".health-probe")));
        var metrics = await DemoServiceMetricsTests.ScrapeAfterAllAnsweredAsync(service, expectedRequests: 2);
        Assert.Contains("opsmith_demo_journal_errors_total 2\n", metrics);
    }
}
