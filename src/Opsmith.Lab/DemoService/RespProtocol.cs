using System.Buffers;
using System.Globalization;
using System.Text;

namespace Opsmith.Lab.DemoService;

/// <summary>Redis sent something that is not RESP2, or more than this client is willing to hold.</summary>
internal sealed class RespProtocolException(string message) : Exception(message);

/// <summary>Writes commands the way redis expects them: a RESP array of bulk strings.</summary>
internal static class RespCommandEncoder
{
    public static byte[] Encode(IReadOnlyList<IReadOnlyList<string>> commands)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var command in commands)
        {
            if (command.Count == 0) throw new ArgumentException("a redis command needs at least its name", nameof(commands));
            WriteAscii(output, $"*{command.Count}\r\n");
            foreach (var argument in command)
            {
                var bytes = Encoding.UTF8.GetBytes(argument);
                WriteAscii(output, $"${bytes.Length}\r\n");
                output.Write(bytes);
                WriteAscii(output, "\r\n");
            }
        }
        return output.WrittenSpan.ToArray();
    }

    private static void WriteAscii(ArrayBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        output.Advance(written);
    }
}

/// <summary>
/// Reads RESP2 replies from a stream through its own buffer, so a reply split across TCP segments (or several
/// replies in one) is handled. Not thread-safe: one reader belongs to one connection.
/// </summary>
internal sealed class RespReader(Stream stream)
{
    // Redis caps bulk strings at 512 MiB; lines (simple strings, errors, lengths) are short in practice.
    private const int MaxBulkLength = 512 * 1024 * 1024;
    private const int MaxLineLength = 64 * 1024;
    private const int MaxNesting = 32;

    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public Task<RespReply> ReadReplyAsync(CancellationToken cancellationToken) => ReadReplyAsync(0, cancellationToken);

    private async Task<RespReply> ReadReplyAsync(int depth, CancellationToken cancellationToken)
    {
        if (depth > MaxNesting) throw new RespProtocolException($"reply nested deeper than {MaxNesting} arrays");
        var line = await ReadLineAsync(cancellationToken);
        if (line.Length == 0) throw new RespProtocolException("empty reply line");
        var body = line[1..];
        switch (line[0])
        {
            case '+':
                return new RespSimpleString(body);
            case '-':
                return new RespError(body);
            case ':':
                return new RespInteger(ParseLength(body, "integer"));
            case '$':
            {
                var length = ParseLength(body, "bulk string length");
                if (length == -1) return new RespBulkString(null);
                if (length < 0 || length > MaxBulkLength) throw new RespProtocolException($"bulk string length {length} is out of range");
                var bytes = await ReadExactAsync((int)length + 2, cancellationToken);
                if (bytes[^2] != '\r' || bytes[^1] != '\n') throw new RespProtocolException("bulk string is not followed by CRLF");
                return new RespBulkString(Encoding.UTF8.GetString(bytes, 0, (int)length));
            }
            case '*':
            {
                var count = ParseLength(body, "array length");
                if (count == -1) return new RespArray(null);
                if (count < 0 || count > int.MaxValue) throw new RespProtocolException($"array length {count} is out of range");
                var items = new List<RespReply>((int)Math.Min(count, 1024));
                for (var i = 0; i < count; i++) items.Add(await ReadReplyAsync(depth + 1, cancellationToken));
                return new RespArray(items);
            }
            default:
                throw new RespProtocolException($"unknown reply type '{line[0]}' (is this a redis server?)");
        }
    }

    private static long ParseLength(string text, string what) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RespProtocolException($"{what} '{text}' is not a number");

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var searchFrom = _start;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', searchFrom, _end - searchFrom);
            if (newline >= 0)
            {
                if (newline == _start || _buffer[newline - 1] != '\r') throw new RespProtocolException("reply line does not end in CRLF");
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - 1 - _start);
                _start = newline + 1;
                return line;
            }
            if (_end - _start > MaxLineLength) throw new RespProtocolException($"reply line longer than {MaxLineLength} bytes");
            searchFrom = _end - _start;
            await FillAsync(cancellationToken);
            searchFrom += _start;
        }
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (_end == _start) await FillAsync(cancellationToken);
            var take = Math.Min(count - copied, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, copied, take);
            _start += take;
            copied += take;
        }
        return result;
    }

    /// <summary>Reads more bytes after the unread ones, compacting or growing the buffer first.</summary>
    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0) throw new EndOfStreamException("redis closed the connection");
        _end += read;
    }
}
