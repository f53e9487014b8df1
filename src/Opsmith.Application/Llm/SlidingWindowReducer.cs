using Microsoft.Extensions.AI;

namespace Opsmith.Application.Llm;

/// <summary>
/// Keeps a conversation's token use flat: the system message and the first user message (the goal) always, then
/// the most recent messages up to <c>keep</c>, never starting the window on a tool result whose call was dropped
/// (providers refuse an answer to a call they cannot see).
/// </summary>
public sealed class SlidingWindowReducer(int keep) : IChatReducer
{
    public Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var all = messages.ToList();
        var head = all.TakeWhile(m => m.Role == ChatRole.System).ToList();
        var firstUser = all.Skip(head.Count).FirstOrDefault(m => m.Role == ChatRole.User);
        if (firstUser is not null) head.Add(firstUser);
        var rest = all.Where(m => !head.Contains(m)).ToList();
        if (rest.Count <= keep) return Task.FromResult<IEnumerable<ChatMessage>>(all);
        var start = rest.Count - keep;
        while (start < rest.Count && rest[start].Role == ChatRole.Tool) start++;
        var note = new ChatMessage(ChatRole.User, $"({start} earlier messages of this investigation were dropped to stay within the budget.)");
        return Task.FromResult<IEnumerable<ChatMessage>>([.. head, note, .. rest.Skip(start)]);
    }
}
