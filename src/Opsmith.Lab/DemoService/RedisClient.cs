using System.Collections.Concurrent;
using System.Globalization;

namespace Opsmith.Lab.DemoService;

/// <summary>
/// A minimal RESP2 redis client: commands go out as arrays of bulk strings over TCP, every call has its own
/// timeout that covers waiting for a connection, connecting, sending and reading, and a call never throws for
/// an unreachable or slow redis: it returns a <see cref="RedisResult"/> with the reason. Thread-safe: it keeps
/// a small pool of connections, lends each to one call at a time and discards any connection a call failed
/// on, so a paused or restarted redis costs failed calls, never a wedged client.
/// </summary>
public sealed class RedisClient : IDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _connectionSlots;
    private readonly ConcurrentBag<RedisConnection> _idle = [];
    private volatile bool _disposed;

    /// <param name="host">Redis host name or address.</param>
    /// <param name="port">Redis port.</param>
    /// <param name="maxConnections">Calls in flight at once; more wait for a free connection within their timeout.</param>
    /// <param name="time">Clock for the timeouts; the system clock when null.</param>
    public RedisClient(string host, int port, int maxConnections = 16, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        _host = host;
        _port = port;
        _time = time ?? TimeProvider.System;
        _connectionSlots = new SemaphoreSlim(maxConnections, maxConnections);
    }

    /// <summary>Where this client connects, as <c>host:port</c>.</summary>
    public string Endpoint => $"{_host}:{_port}";

    /// <summary>Runs one command, such as <c>["INCR", "key"]</c>.</summary>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> is cancelled; a timeout is a failed result.</exception>
    public Task<RedisResult> ExecuteAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        ExecutePipelineAsync([command], timeout, cancellationToken);

    /// <summary>Sends several commands in one round trip and returns one reply per command, in order.</summary>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> is cancelled; a timeout is a failed result.</exception>
    public async Task<RedisResult> ExecutePipelineAsync(
        IReadOnlyList<IReadOnlyList<string>> commands, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(commands.Count, 0);
        ObjectDisposedException.ThrowIf(_disposed, this);

        using var deadline = new CancellationTokenSource(timeout, _time);
        using var callToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        RedisConnection? connection = null;
        var holdsSlot = false;
        try
        {
            await _connectionSlots.WaitAsync(callToken.Token);
            holdsSlot = true;
            connection = TakeIdleConnection() ?? await RedisConnection.OpenAsync(_host, _port, callToken.Token);
            var replies = await connection.ExecuteAsync(commands, callToken.Token);
            ReturnIdleConnection(connection);
            connection = null;
            return RedisResult.Answered(replies);
        }
        catch (Exception e) when (e is OperationCanceledException or RedisTransportException && !cancellationToken.IsCancellationRequested)
        {
            // A cancelled socket operation can surface as a transport error; the deadline is the real cause then.
            return deadline.IsCancellationRequested
                ? RedisResult.Failed($"timeout after {Describe(timeout)}")
                : RedisResult.Failed(e.Message);
        }
        catch (RedisTransportException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            connection?.Dispose();
            if (holdsSlot) _connectionSlots.Release();
        }
    }

    /// <summary>Closes the idle connections; calls in flight finish and then close theirs.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection)) connection.Dispose();
    }

    private RedisConnection? TakeIdleConnection()
    {
        while (_idle.TryTake(out var connection))
        {
            if (connection.LooksAlive) return connection;
            connection.Dispose();
        }
        return null;
    }

    private void ReturnIdleConnection(RedisConnection connection)
    {
        _idle.Add(connection);
        // Dispose may have emptied the pool between the check and the add; empty it again.
        if (_disposed)
            while (_idle.TryTake(out var idle)) idle.Dispose();
    }

    private static string Describe(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1 && timeout.TotalSeconds == Math.Floor(timeout.TotalSeconds)
            ? string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0}s")
            : string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalMilliseconds:0}ms");
}
