using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// redis-cli (valkey-cli, keydb-cli): judged by the Redis command it sends. Reads read; writes, deletes and
/// flushes change stored data (data-mutation); CONFIG SET, CLIENT KILL, SHUTDOWN and DEBUG are destructive.
/// A command not in these lists is treated as a write.
/// </summary>
internal static class Redis
{
    private static readonly string[] ValueOptions =
    [
        "-h", "-p", "-s", "-a", "-u", "-r", "-i", "-n", "-d", "-D", "--user", "--pass", "--sni", "--cacert", "--cacertdir", "--cert", "--key",
        "--rdb", "--functions-rdb", "--pipe-timeout", "--memkeys-samples", "--pattern", "--quoted-pattern", "--count", "--cluster-only-masters",
        "--tls-ciphers", "--tls-ciphersuites", "--eval", "--lru-test", "--cluster-replicas", "-t",
    ];

    private static readonly HashSet<string> ReadCommands =
    [
        "GET", "MGET", "EXISTS", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "TYPE", "KEYS", "SCAN", "SSCAN", "HSCAN", "ZSCAN", "INFO", "PING",
        "ECHO", "DBSIZE", "TIME", "LASTSAVE", "ROLE", "STRLEN", "GETRANGE", "SUBSTR", "LRANGE", "LLEN", "LINDEX", "LPOS", "HGET", "HMGET",
        "HGETALL", "HKEYS", "HVALS", "HLEN", "HEXISTS", "HSTRLEN", "HRANDFIELD", "SMEMBERS", "SISMEMBER", "SMISMEMBER", "SCARD", "SRANDMEMBER",
        "SINTER", "SUNION", "SDIFF", "SINTERCARD", "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX",
        "ZCARD", "ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK", "ZCOUNT", "ZLEXCOUNT", "ZRANDMEMBER", "ZINTER", "ZUNION", "ZDIFF", "XLEN", "XRANGE",
        "XREVRANGE", "XREAD", "XINFO", "XPENDING", "PFCOUNT", "GETBIT", "BITCOUNT", "BITPOS", "GEOPOS", "GEODIST", "GEOHASH", "GEORADIUS_RO",
        "GEORADIUSBYMEMBER_RO", "GEOSEARCH", "OBJECT", "MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "PUBSUB", "COMMAND", "DUMP",
        "RANDOMKEY", "LOLWUT", "SORT_RO", "EVAL_RO", "EVALSHA_RO", "FCALL_RO", "TOUCH", "WAIT", "WAITAOF", "HELLO", "AUTH", "SELECT", "QUIT",
        "READONLY", "READWRITE", "RESET", "JSON.GET", "JSON.MGET", "JSON.TYPE", "JSON.STRLEN", "JSON.OBJKEYS", "JSON.ARRLEN", "FT.SEARCH",
        "FT.INFO", "FT._LIST", "FT.AGGREGATE", "TS.GET", "TS.RANGE", "TS.MRANGE", "TS.INFO", "BF.EXISTS", "CF.EXISTS", "LCS",
    ];

    /// <summary>Admin commands whose first argument decides; the value is (read sub-commands, destructive sub-commands).</summary>
    private static readonly Dictionary<string, (string[] Read, string[] Destructive)> Admin = new()
    {
        ["CONFIG"] = (["GET", "HELP"], ["SET"]),
        ["CLIENT"] = (["LIST", "INFO", "GETNAME", "ID", "GETREDIR", "TRACKINGINFO", "NO-EVICT", "NO-TOUCH", "HELP"], ["KILL"]),
        ["CLUSTER"] = (["INFO", "NODES", "SLOTS", "SHARDS", "MYID", "MYSHARDID", "KEYSLOT", "COUNTKEYSINSLOT", "GETKEYSINSLOT", "LINKS", "REPLICAS", "SLAVES", "COUNT-FAILURE-REPORTS", "HELP"], ["RESET", "FAILOVER", "FORGET", "FLUSHSLOTS", "DELSLOTS", "DELSLOTSRANGE"]),
        ["SLOWLOG"] = (["GET", "LEN", "HELP"], []),
        ["LATENCY"] = (["LATEST", "HISTORY", "DOCTOR", "GRAPH", "HISTOGRAM", "HELP"], []),
        ["MEMORY"] = (["USAGE", "STATS", "DOCTOR", "MALLOC-STATS", "HELP"], []),
        ["ACL"] = (["WHOAMI", "LIST", "USERS", "GETUSER", "CAT", "LOG", "DRYRUN", "GENPASS", "HELP"], ["DELUSER"]),
        ["MODULE"] = (["LIST", "HELP"], ["UNLOAD"]),
        ["SCRIPT"] = (["EXISTS", "HELP"], ["FLUSH", "KILL"]),
        ["FUNCTION"] = (["LIST", "DUMP", "STATS", "HELP"], ["FLUSH", "DELETE", "KILL"]),
        ["DEBUG"] = (["OBJECT", "HELP", "DIGEST", "DIGEST-VALUE", "LISTPACK", "QUICKLIST-PACKED-THRESHOLD", "STRINGMATCH-LEN"], ["SEGFAULT", "SLEEP", "RELOAD", "RESTART", "CRASH-AND-RECOVER", "JMAP", "PANIC", "OOM", "SET-ACTIVE-EXPIRE", "FLUSHALL"]),
    };

    private static readonly HashSet<string> ServiceCommands = ["SAVE", "BGSAVE", "BGREWRITEAOF", "PUBLISH", "SPUBLISH", "SCRIPT", "MEMORY", "SLOWLOG", "LATENCY", "ACL", "MODULE", "CLIENT", "CLUSTER", "CONFIG", "SYNC", "PSYNC"];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new() { ["redis-cli"] = Judge, ["valkey-cli"] = Judge, ["keydb-cli"] = Judge };

    private static Verdict Judge(Invocation call)
    {
        if (call.Has("--version", "-v", "--help")) return Verdict.Read("redis.version", "prints the version");
        if (call.Has("--pipe")) return Verdict.Data("redis.pipe", "sends raw commands from standard input (mass insert); they are not read here");
        if (call.Value("--eval") is { } script) return Verdict.Data("redis.eval", $"runs the Lua script {script}, which is not read here");
        if (call.Value("--cluster") is { } cluster) return Cluster(call, cluster);
        if (call.Has("--scan", "--bigkeys", "--memkeys", "--hotkeys", "--keystats", "--latency", "--latency-history", "--latency-dist", "--stat", "--intrinsic-latency", "--rdb", "--functions-rdb", "--replica", "--slave"))
            return Verdict.Read("redis.read", "scans, samples or watches the server without changing it");
        var indexes = call.PositionalIndexes(ValueOptions);
        if (indexes.Count == 0) return FromStdin(call);
        return Command(call.Words.Skip(indexes[0]).Select(w => w.Text).ToList());
    }

    /// <summary>Commands arriving on standard input, one per line (<c>redis-cli &lt;&lt;EOF</c>, <c>echo FLUSHALL | redis-cli</c>).</summary>
    private static Verdict FromStdin(Invocation call)
    {
        if (call.Stdin.Text is { } text)
        {
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var verdicts = lines.Select(line => ShellParser.Parse(line).Commands.FirstOrDefault()?.Words.Select(w => w.Text).ToList() ?? [line]).Select(Command);
            return Targets.Worst(verdicts, Verdict.Read("redis.read", "no commands"));
        }
        return call.Stdin.Kind == StdinKind.None
            ? Verdict.Data("redis.interactive-session", "opens an interactive session; what is typed there can change the data")
            : Verdict.Data("redis.piped-commands", "runs Redis commands read from standard input, which are not known here");
    }

    public static Verdict Command(IReadOnlyList<string> words)
    {
        var name = words.FirstOrDefault()?.ToUpperInvariant() ?? "";
        var sub = words.ElementAtOrDefault(1)?.ToUpperInvariant() ?? "";
        var text = string.Join(' ', words);
        switch (name)
        {
            case "FLUSHALL" or "FLUSHDB":
                return Verdict.Data($"redis.{name.ToLowerInvariant()}", $"{name} deletes every key{(name == "FLUSHDB" ? " of the database" : "")}");
            case "DEL" or "UNLINK":
                return Verdict.Data($"redis.{name.ToLowerInvariant()}", $"{text}: deletes keys");
            case "SHUTDOWN":
                return text.ToUpperInvariant().Contains("NOSAVE")
                    ? Verdict.Data("redis.shutdown-nosave", "stops the server without saving; writes since the last save are lost")
                    : Verdict.Destructive("redis.shutdown", "stops the server; clients are cut off");
            case "REPLICAOF" or "SLAVEOF":
                return sub == "NO" ? Verdict.Service("redis.replicaof-no-one", "promotes this replica")
                    : Verdict.Data("redis.replicaof", "makes this server a replica: it discards its own data and copies the master's");
            case "FAILOVER":
                return Verdict.Destructive("redis.failover", "switches the master; clients are disconnected");
            case "EVAL" or "EVALSHA" or "FCALL":
                return Verdict.Data("redis.eval", $"{name} runs a script that can write or delete keys; it is not read here");
        }
        if (ReadCommands.Contains(name)) return Verdict.Read("redis.read", $"{text}: only reads");
        if (Admin.TryGetValue(name, out var admin))
        {
            if (admin.Read.Contains(sub)) return Verdict.Read("redis.read", $"{name} {sub} only reads");
            if (admin.Destructive.Contains(sub))
            {
                var rule = $"redis.{name.ToLowerInvariant()}-{sub.ToLowerInvariant()}";
                var reason = (name, sub) switch
                {
                    ("CONFIG", "SET") => "CONFIG SET changes the running server: persistence, memory limits and file paths included",
                    ("CLIENT", "KILL") => "disconnects clients",
                    _ => $"{name} {sub} cannot be undone",
                };
                return Verdict.Destructive(rule, reason);
            }
        }
        if (ServiceCommands.Contains(name)) return Verdict.Service($"redis.{name.ToLowerInvariant()}", $"{name} {sub} changes the server, not the data".TrimEnd());
        return Verdict.Data(name.Length == 0 ? "redis.unrecognised-command" : "redis.write", $"{text}: writes or changes keys (commands not known to be reads count as writes)");
    }

    private static Verdict Cluster(Invocation call, string sub)
    {
        if (sub is "check" or "info" or "help") return Verdict.Read($"redis.cluster-{sub}", "checks the cluster");
        if (sub == "call")
        {
            var positionals = call.PositionalTexts(ValueOptions.Append("--cluster").ToArray());
            return Command(positionals.Skip(1).ToList());
        }
        return Verdict.Service($"redis.cluster-{sub}", $"--cluster {sub} changes the cluster layout");
    }
}
