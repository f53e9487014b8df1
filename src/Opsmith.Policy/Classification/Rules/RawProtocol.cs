using System.Text.RegularExpressions;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Bytes sent straight to a server (nc, socat, telnet, openssl s_client, /dev/tcp, curl gopher://): what they do
/// depends on what they say. Known text is judged line by line; text the classifier cannot see is opaque, and
/// data-mutation when it goes to a datastore's port.
/// </summary>
internal static partial class RawProtocol
{
    public static Verdict Judge(string program, string? text, StdinKind input, int? port)
    {
        var datastore = port is { } p && PathContext.Inventory.IsDatastorePort(p);
        if (text is null)
        {
            if (input == StdinKind.None) return Verdict.Read($"{program}.connect", "opens a connection and sends nothing");
            return datastore
                ? Verdict.Data($"{program}.unseen-input-to-datastore", $"sends input the classifier cannot see to port {port}, where a datastore listens").With(ClassificationFlags.Uncertain)
                : Verdict.Unknown($"{program}.unseen-input", "sends input the classifier cannot see to a server; what it asks for is unknown");
        }
        if (RawDataCommand().IsMatch(text)) return Verdict.Data($"{program}.data-store-command", "sends a command that deletes or writes stored data (flush_all, FLUSHALL, DEL, SET, DROP, an HTTP write)");
        var lines = text.Split('\n').Select(l => l.Trim('\r', ' ')).Where(l => l.Length > 0).ToList();
        if (lines.All(l => ReadLine().IsMatch(l))) return Verdict.Read($"{program}.query", "sends a query such as stats, PING, a ZooKeeper four-letter word or an HTTP GET");
        return datastore
            ? Verdict.Data($"{program}.unknown-datastore-command", $"sends commands the classifier does not know to be reads to port {port}, where a datastore listens").With(ClassificationFlags.Uncertain)
            : Verdict.Unknown($"{program}.unknown-command", "sends text the classifier does not know to be a read request");
    }

    /// <summary>The port of host:port, host port, /dev/tcp/host/port, scheme://host:port/.</summary>
    public static int? Port(string text)
    {
        var match = PortPattern().Match(text);
        return match.Success && int.TryParse(match.Groups[1].Value, out var port) ? port : null;
    }

    [GeneratedRegex(@"(?im)^\s*(flush_all|flushall|flushdb|del|unlink|delete|set|setex|mset|add|replace|append|prepend|incr|decr|cas|touch|hset|hdel|lpush|rpush|lpop|rpop|sadd|srem|zadd|zrem|expire|rename|restore|migrate|config\s+set|config\s+rewrite|save|bgsave|bgrewriteaof|shutdown|debug|replicaof|slaveof|module|eval|evalsha|fcall|function|script|swapdb|xadd|xdel|xtrim|drop|truncate|insert|update|alter|create|(DELETE|PUT|POST|PATCH)\s+/)\b")]
    private static partial Regex RawDataCommand();

    [GeneratedRegex(@"(?i)^((GET|HEAD|OPTIONS)\s+\S+(\s+HTTP/\d(\.\d)?)?|[A-Za-z-]+:\s.*|stats(\s+\w+)?|version|ping|info(\s+\w+)?|dbsize|time|ruok|mntr|stat|srvr|conf|envi|cons|wchs|isro|quit|exit|ehlo\s+\S+|helo\s+\S+|auth\s+\S+(\s+\S+)?|select\s+\d+|get\s+\S+|exists\s+\S+|ttl\s+\S+|type\s+\S+|keys\s+\S+|scan\s+\d+.*|client\s+list|slowlog\s+get.*|memory\s+(stats|usage\s+\S+)|role|lastsave)$")]
    private static partial Regex ReadLine();

    [GeneratedRegex(@"(?:[:/ ]|^)(\d{2,5})(?:/|$|\s)")]
    private static partial Regex PortPattern();
}
