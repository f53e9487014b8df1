using Opsmith.Lab.DemoService;

namespace Opsmith.Lab.Tests.DemoService;

/// <summary>The home-made RESP2 client against a real redis-server.</summary>
public sealed class RespClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private RedisServerProcess _redis = null!;
    private RedisClient _client = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _client = new RedisClient("127.0.0.1", _redis.Port);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _redis.Dispose();
        return Task.CompletedTask;
    }

    private async Task<RespReply> RunAsync(params string[] command)
    {
        var result = await _client.ExecuteAsync(command, Timeout, CancellationToken.None);
        Assert.Null(result.Failure);
        return Assert.Single(result.Replies);
    }

    [Fact]
    public async Task Each_reply_kind_is_parsed_into_its_record()
    {
        Assert.Equal(new RespSimpleString("OK"), await RunAsync("SET", "greeting", "héllo wörld\r\nsecond line"));
        Assert.Equal(new RespBulkString("héllo wörld\r\nsecond line"), await RunAsync("GET", "greeting"));
        Assert.Equal(new RespBulkString(null), await RunAsync("GET", "missing"));
        Assert.Equal(new RespInteger(1), await RunAsync("INCR", "counter"));
        Assert.Equal(new RespInteger(-4), await RunAsync("DECRBY", "counter", "5"));

        var array = Assert.IsType<RespArray>(await RunAsync("MGET", "greeting", "missing", "counter"));
        Assert.Equal([new RespBulkString("héllo wörld\r\nsecond line"), new RespBulkString(null), new RespBulkString("-4")], array.Items!);
    }

    [Fact]
    public async Task A_large_bulk_string_split_across_reads_comes_back_whole()
    {
        var big = new string('x', 200_000) + "end";
        await RunAsync("SET", "big", big);
        Assert.Equal(new RespBulkString(big), await RunAsync("GET", "big"));
    }

    [Fact]
    public async Task Nested_arrays_are_parsed()
    {
        await RunAsync("XADD", "stream", "1-1", "field", "value");
        var entries = Assert.IsType<RespArray>(await RunAsync("XRANGE", "stream", "-", "+"));
        var entry = Assert.IsType<RespArray>(Assert.Single(entries.Items!));
        Assert.Equal(new RespBulkString("1-1"), entry.Items![0]);
        Assert.Equal([new RespBulkString("field"), new RespBulkString("value")], Assert.IsType<RespArray>(entry.Items[1]).Items!);
    }

    [Fact]
    public async Task An_error_reply_is_an_answer_and_the_connection_stays_usable()
    {
        var error = Assert.IsType<RespError>(await RunAsync("NOSUCHCOMMAND", "x"));
        Assert.StartsWith("ERR unknown command", error.Message);
        Assert.Equal(new RespSimpleString("PONG"), await RunAsync("PING"));
    }

    [Fact]
    public async Task A_pipeline_returns_one_reply_per_command_in_order()
    {
        var result = await _client.ExecutePipelineAsync([["INCR", "k"], ["INCR", "k"], ["EXPIRE", "k", "120"], ["TTL", "k"]], Timeout, CancellationToken.None);

        Assert.Null(result.Failure);
        Assert.Equal([new RespInteger(1), new RespInteger(2), new RespInteger(1), new RespInteger(120)], result.Replies);
    }

    [Fact]
    public async Task Concurrent_calls_share_the_client_safely()
    {
        var calls = Enumerable.Range(0, 200).Select(_ => _client.ExecuteAsync(["INCR", "shared"], Timeout, CancellationToken.None));

        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Null(r.Failure));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Select(r => ((RespInteger)r.Replies[0]).Value).Order());
    }

    [Fact]
    public async Task A_stopped_redis_is_a_failure_naming_the_refused_connection()
    {
        await RunAsync("PING");
        _redis.Kill();

        var first = await _client.ExecuteAsync(["PING"], Timeout, CancellationToken.None);
        var second = await _client.ExecuteAsync(["PING"], Timeout, CancellationToken.None);

        Assert.NotNull(first.Failure);
        Assert.Equal($"cannot connect to 127.0.0.1:{_redis.Port}: Connection refused", second.Failure);
    }

    [Fact]
    public async Task A_paused_redis_times_out_and_the_client_recovers_after_the_pause()
    {
        await RunAsync("PING");
        await _redis.CliAsync("CLIENT", "PAUSE", "2000", "ALL");

        var paused = await _client.ExecuteAsync(["INCR", "after-pause"], TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.Equal("timeout after 500ms", paused.Failure);

        // Asked while redis is still paused: had the timed-out connection been kept, INCR's late ":1" would be
        // read as the answer to this GET once the pause ends.
        Assert.IsType<RespBulkString>(await RunAsync("GET", "after-pause"));
    }

    [Fact]
    public async Task Cancelling_the_callers_token_throws_instead_of_reporting_a_failure()
    {
        await _redis.CliAsync("CLIENT", "PAUSE", "2000", "ALL");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.ExecuteAsync(["PING"], Timeout, cancel.Token));
    }
}
