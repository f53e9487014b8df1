using System.Net.Sockets;

namespace Opsmith.Lab.DemoService;

/// <summary>Redis could not be reached or the connection broke; the message says which, for the person reading it.</summary>
internal sealed class RedisTransportException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One TCP connection to redis. Not thread-safe: <see cref="RedisClient"/> lends it to one call at a time and
/// throws it away after any failure, because a timed-out command may still be answered later and would
/// otherwise be read as the reply to the next one.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly RespReader _reader;
    private readonly string _endpoint;

    private RedisConnection(Socket socket, string endpoint)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new RespReader(_stream);
        _endpoint = endpoint;
    }

    public static async Task<RedisConnection> OpenAsync(string host, int port, CancellationToken cancellationToken)
    {
        var endpoint = $"{host}:{port}";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return new RedisConnection(socket, endpoint);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RedisTransportException($"cannot connect to {endpoint}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// False when redis has closed this idle connection (it restarted, or timed the client out): a socket with
    /// nothing asked of it that still reads as ready holds only an end-of-stream or garbage.
    /// </summary>
    public bool LooksAlive
    {
        get
        {
            try
            {
                return _socket.Connected && !_socket.Poll(0, SelectMode.SelectRead);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>Sends the commands in one write (a pipeline) and reads one reply per command.</summary>
    public async Task<IReadOnlyList<RespReply>> ExecuteAsync(IReadOnlyList<IReadOnlyList<string>> commands, CancellationToken cancellationToken)
    {
        var request = RespCommandEncoder.Encode(commands);
        try
        {
            await _stream.WriteAsync(request, cancellationToken);
            var replies = new RespReply[commands.Count];
            for (var i = 0; i < replies.Length; i++) replies[i] = await _reader.ReadReplyAsync(cancellationToken);
            return replies;
        }
        catch (EndOfStreamException)
        {
            throw new RedisTransportException($"redis at {_endpoint} closed the connection");
        }
        catch (IOException e)
        {
            throw new RedisTransportException($"connection to {_endpoint} broke: {(e.InnerException ?? e).Message}", e);
        }
        catch (SocketException e)
        {
            throw new RedisTransportException($"connection to {_endpoint} broke: {e.Message}", e);
        }
        catch (RespProtocolException e)
        {
            throw new RedisTransportException($"{_endpoint} answered with something that is not redis: {e.Message}", e);
        }
    }

    public void Dispose() => _stream.Dispose();
}
