namespace Opsmith.Lab.DemoService;

/// <summary>One RESP2 reply from redis. The subtypes are the five reply kinds of the protocol.</summary>
public abstract record RespReply
{
    private protected RespReply()
    {
    }
}

/// <summary>A <c>+</c> reply, such as <c>OK</c> or <c>PONG</c>.</summary>
public sealed record RespSimpleString(string Value) : RespReply;

/// <summary>A <c>-</c> reply: redis refused the command, such as <c>OOM command not allowed ...</c>.</summary>
public sealed record RespError(string Message) : RespReply;

/// <summary>A <c>:</c> reply, such as the new value of <c>INCR</c>.</summary>
public sealed record RespInteger(long Value) : RespReply;

/// <summary>A <c>$</c> reply, decoded as UTF-8; <see cref="Value"/> is null for the nil bulk string <c>$-1</c>.</summary>
public sealed record RespBulkString(string? Value) : RespReply;

/// <summary>A <c>*</c> reply; <see cref="Items"/> is null for the nil array <c>*-1</c>.</summary>
public sealed record RespArray(IReadOnlyList<RespReply>? Items) : RespReply;

/// <summary>
/// What a call to redis came to: the replies, one per command and in command order, or why there are none
/// (could not connect, timed out, connection lost). An error reply is still an answer: look for
/// <see cref="RespError"/> among the replies.
/// </summary>
public sealed record RedisResult
{
    private RedisResult(IReadOnlyList<RespReply> replies, string? failure)
    {
        Replies = replies;
        Failure = failure;
    }

    /// <summary>The replies in command order; empty when the call failed.</summary>
    public IReadOnlyList<RespReply> Replies { get; }

    /// <summary>Why redis gave no answer, such as <c>timeout after 2s</c>; null when it answered.</summary>
    public string? Failure { get; }

    /// <summary>Redis answered every command.</summary>
    public static RedisResult Answered(IReadOnlyList<RespReply> replies) => new(replies, null);

    /// <summary>Redis did not answer, for this reason.</summary>
    public static RedisResult Failed(string reason) => new([], reason);
}
