using System.Net;
using Opsmith.Lab.DemoService;

namespace Opsmith.Lab.Tests.DemoService;

/// <summary>The demo service's endpoints with redis and the journal healthy.</summary>
public sealed class DemoServiceEndpointTests
{
    [Fact]
    public async Task The_root_names_the_node()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();

        using var response = await service.Http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("opsmith demo service on node-1\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_is_ok_when_redis_answers_and_the_journal_folder_takes_a_write()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();

        var (status, body) = await service.GetJsonAsync("/health");

        Assert.Equal(200, status);
        Assert.Equal("""{"status":"ok","node":"node-1","redis":"ok","journal":"ok"}""", body.GetRawText());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(service.JournalPath)!, ".health-probe"));
    }

    [Fact]
    public async Task The_rate_limiter_counts_per_client_and_answers_429_past_the_limit()
    {
        await using var service = await DemoServiceUnderTest.StartAsync(rateLimitPerMinute: 3);

        for (var count = 1; count <= 3; count++)
        {
            var (status, body) = await service.GetJsonAsync("/api/limit/alice");
            Assert.Equal(200, status);
            Assert.Equal($$"""{"client":"alice","count":{{count}},"limit":3,"allowed":true}""", body.GetRawText());
        }
        var (overStatus, overBody) = await service.GetJsonAsync("/api/limit/alice");
        var (otherStatus, otherBody) = await service.GetJsonAsync("/api/limit/bob");

        Assert.Equal(429, overStatus);
        Assert.Equal("""{"client":"alice","count":4,"limit":3,"allowed":false}""", overBody.GetRawText());
        Assert.Equal(200, otherStatus);
        Assert.Equal(1, otherBody.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task The_rate_limit_counter_is_keyed_by_client_and_minute_and_expires()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();

        var minuteBefore = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
        await service.GetJsonAsync("/api/limit/carol");
        var minuteAfter = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;

        var key = Assert.Single((await service.Redis.CliAsync("KEYS", "rl:carol:*")).Split('\n'));
        var minute = long.Parse(key["rl:carol:".Length..]);
        Assert.True(minute >= minuteBefore && minute <= minuteAfter, $"key {key} is not of the minute of the request ({minuteBefore}..{minuteAfter})");
        var ttl = int.Parse(await service.Redis.CliAsync("TTL", key));
        Assert.True(ttl is > 0 and <= 120, $"TTL {ttl}: the key must expire, within two minutes");
    }

    [Fact]
    public async Task Events_are_appended_to_the_journal_one_line_each_with_a_utc_time()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();
        var before = DateTimeOffset.UtcNow;
        before = before.AddTicks(-(before.Ticks % TimeSpan.TicksPerMillisecond));   // the journal writes milliseconds

        var (firstStatus, firstBody) = await service.PostEventAsync("deploy started");
        var (secondStatus, _) = await service.PostEventAsync("multi\nline\r\nevent");

        Assert.Equal(201, firstStatus);
        Assert.Equal("""{"written":true}""", firstBody.GetRawText());
        Assert.Equal(201, secondStatus);
        var lines = await File.ReadAllLinesAsync(service.JournalPath);
        Assert.Equal(2, lines.Length);
        Assert.EndsWith(" deploy started", lines[0]);
        Assert.EndsWith(" multi line event", lines[1]);
        var stamp = DateTimeOffset.Parse(lines[0].Split(' ')[0]);
        Assert.Equal(TimeSpan.Zero, stamp.Offset);
        Assert.True(stamp >= before && stamp <= DateTimeOffset.UtcNow.AddMilliseconds(1), $"{stamp:O} is not between the test's start {before:O} and now");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", lines[0].Split(' ')[0]);
    }

    [Fact]
    public async Task An_event_of_exactly_4_KiB_is_accepted_and_a_larger_one_is_refused_with_413()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();

        var (fitsStatus, _) = await service.PostEventAsync(new string('a', 4096));
        var (tooBigStatus, tooBigBody) = await service.PostEventAsync(new string('b', 4097));

        Assert.Equal(201, fitsStatus);
        Assert.Equal(413, tooBigStatus);
        Assert.Contains("at most 4096 bytes", tooBigBody.GetProperty("error").GetString());
        Assert.Single(await File.ReadAllLinesAsync(service.JournalPath));
    }

    [Fact]
    public async Task An_event_streamed_without_a_length_is_refused_with_413_once_past_4_KiB()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = new StringContent(new string('c', 100_000)) };
        request.Content.Headers.ContentLength = null;
        request.Headers.TransferEncodingChunked = true;

        using var response = await service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.False(File.Exists(service.JournalPath));
    }

    [Fact]
    public async Task Options_with_problems_are_refused_with_every_problem_named()
    {
        var options = new DemoServiceOptions("https://0.0.0.0:8443", "", 0, "", "node-1", RateLimitPerMinute: 0);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => DemoServiceHost.RunAsync(options, TextWriter.Null, CancellationToken.None));

        Assert.Contains("'https://0.0.0.0:8443' is not an http:// URL", error.Message);
        Assert.Contains("redis host is empty", error.Message);
        Assert.Contains("redis port 0 is not between 1 and 65535", error.Message);
        Assert.Contains("journal path is empty", error.Message);
        Assert.Contains("rate limit 0 per minute is not at least 1", error.Message);
    }

    [Fact]
    public async Task Each_request_is_logged_on_one_line()
    {
        await using var service = await DemoServiceUnderTest.StartAsync();

        await service.GetJsonAsync("/health");

        await service.WaitForAnsweredRequestsAsync(1);
        Assert.Contains(service.Log.Lines(), l => l.StartsWith("opsmith demo service on node-1 listening on http://127.0.0.1:", StringComparison.Ordinal));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\S+Z GET /health 200 \d+\.\dms$", Assert.Single(service.RequestLines()));
    }
}
