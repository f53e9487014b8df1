using System.Text.RegularExpressions;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Other data stores' tools: etcdctl, mongosh, rabbitmqctl, Kafka scripts, nodetool, consul, vault, influx,
/// and raw protocol sent with nc. Reads read; deleting, purging or overwriting stored data is data-mutation.
/// </summary>
internal static partial class DataStores
{
    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = BuildRules();

    private static Dictionary<string, Func<Invocation, Verdict>> BuildRules()
    {
        var rules = new Dictionary<string, Func<Invocation, Verdict>>
        {
            ["etcdctl"] = call => BySub(call, "etcdctl", ["--endpoints", "--cacert", "--cert", "--key", "--user", "-w", "--write-out", "--dial-timeout", "--command-timeout"],
                read: ["get", "endpoint", "member list", "alarm list", "version", "check", "watch", "lease list", "lease timetolive", "user list", "user get", "role list", "role get", "auth status", "snapshot status", "snapshot save"],
                data: ["del", "put", "txn", "snapshot restore", "lease revoke"], destructive: ["member remove", "move-leader"]),
            ["mongosh"] = Mongo,
            ["mongo"] = Mongo,
            ["rabbitmqctl"] = call => BySub(call, "rabbitmqctl", ["-n", "--node", "-p", "--vhost", "-t", "--timeout"],
                read: ["list_queues", "list_exchanges", "list_bindings", "list_connections", "list_channels", "list_consumers", "list_users", "list_vhosts", "list_permissions", "list_policies", "list_parameters", "status", "cluster_status", "environment", "report", "node_health_check", "ping", "version", "list_global_parameters", "list_operator_policies", "list_feature_flags"],
                data: ["purge_queue", "delete_queue", "delete_vhost", "reset", "force_reset", "forget_cluster_node"], destructive: ["close_connection", "close_all_connections", "eval", "stop", "shutdown", "delete_user"]),
            ["rabbitmqadmin"] = call => BySub(call, "rabbitmqadmin", ["-H", "--host", "-P", "--port", "-V", "--vhost", "-u", "--username", "-p", "--password", "-f", "--format"],
                read: ["list", "show", "export", "help"], data: ["delete", "purge", "import"], destructive: ["close"]),
            ["rabbitmq-diagnostics"] = call => Verdict.Read("rabbitmq-diagnostics.read", "reports broker health"),
            ["rabbitmq-queues"] = call => call.Args.FirstOrDefault() is "check_if_node_is_quorum_critical" or "quorum_status" ? Verdict.Read("rabbitmq-queues.read", "reports queue state") : Verdict.Service("rabbitmq-queues.change", "changes queue membership"),
            ["kafka-topics"] = call => call.Has("--delete") ? Verdict.Data("kafka.delete-topic", "deletes topics and their messages")
                : call.Has("--create", "--alter") ? Verdict.Service("kafka.change-topic", "creates or changes topics") : Verdict.Read("kafka.describe-topic", "lists or describes topics"),
            ["kafka-consumer-groups"] = call => call.Has("--delete", "--delete-offsets") ? Verdict.Data("kafka.delete-group", "deletes consumer groups or their offsets")
                : call.Has("--reset-offsets") && call.Has("--execute") ? Verdict.Data("kafka.reset-offsets", "moves consumer offsets; messages are skipped or reprocessed")
                : Verdict.Read("kafka.describe-group", "lists or describes consumer groups (a reset without --execute is a dry run)"),
            ["kafka-configs"] = call => !call.Has("--alter") ? Verdict.Read("kafka.describe-config", "describes configuration")
                : call.Args.Any(a => a.Contains("retention", StringComparison.Ordinal)) ? Verdict.Data("kafka.retention", "changes retention; shortening it deletes messages")
                : Verdict.Service("kafka.alter-config", "changes configuration"),
            ["kafka-delete-records"] = call => Verdict.Data("kafka.delete-records", "deletes messages from partitions"),
            ["kafka-console-producer"] = call => Verdict.Data("kafka.produce", "writes messages to a topic"),
            ["kafka-console-consumer"] = call => Verdict.Read("kafka.consume", "reads messages"),
            ["kafka-reassign-partitions"] = call => call.Has("--execute") ? Verdict.Service("kafka.reassign", "moves partitions between brokers") : Verdict.Read("kafka.reassign-plan", "plans or verifies a reassignment"),
            ["kcat"] = Kcat,
            ["kafkacat"] = Kcat,
            ["nodetool"] = call => BySub(call, "nodetool", ["-h", "--host", "-p", "--port", "-u", "--username", "-pw", "--password", "-pwf"],
                read: ["status", "info", "ring", "tpstats", "cfstats", "tablestats", "compactionstats", "netstats", "describecluster", "gossipinfo", "version", "proxyhistograms", "tablehistograms", "cfhistograms", "getcompactionthroughput", "listsnapshots", "statusbinary", "statusgossip", "describering", "getendpoints", "statushandoff", "getlogginglevels"],
                data: ["clearsnapshot", "truncatehints", "resetlocalschema"], destructive: ["decommission", "removenode", "assassinate", "drain", "stopdaemon", "disablebinary", "disablegossip"]),
            ["consul"] = call => BySub(call, "consul", ["-http-addr", "-token", "-datacenter"],
                read: ["kv get", "kv export", "members", "catalog", "info", "operator raft list-peers", "monitor", "version", "validate", "snapshot save", "snapshot inspect", "acl token list", "acl policy list", "intention list"],
                data: ["kv delete", "kv put", "kv import", "snapshot restore"], destructive: ["force-leave", "leave", "operator raft remove-peer"]),
            ["vault"] = call => BySub(call, "vault", ["-address", "-namespace", "-format", "-field", "-mount"],
                read: ["status", "read", "kv get", "kv list", "kv metadata get", "list", "token lookup", "secrets list", "auth list", "policy read", "policy list", "version", "operator raft list-peers", "audit list", "path-help", "print"],
                data: ["kv delete", "kv destroy", "kv metadata delete", "delete", "secrets disable", "kv put", "kv patch", "write", "kv rollback", "operator raft snapshot restore"], destructive: ["operator seal", "lease revoke", "token revoke", "audit disable", "auth disable"]),
            ["influx"] = call => BySub(call, "influx", ["--host", "-t", "--token", "-o", "--org"],
                read: ["query", "bucket list", "org list", "user list", "auth list", "ping", "version", "config list", "task list"],
                data: ["delete", "bucket delete", "write", "restore", "org delete"], destructive: ["user delete", "auth delete", "task delete"]),
            ["nc"] = Netcat,
            ["ncat"] = Netcat,
            ["netcat"] = Netcat,
            ["socat"] = call => call.Args.Any(a => a.StartsWith("EXEC:", StringComparison.OrdinalIgnoreCase) || a.StartsWith("SYSTEM:", StringComparison.OrdinalIgnoreCase))
                ? Verdict.Destructive("opaque.socat-exec", "runs a command on connection") : Verdict.Service("socat.relay", "relays a connection"),
        };
        foreach (var name in rules.Keys.Where(k => k.StartsWith("kafka-", StringComparison.Ordinal)).ToList()) rules[name + ".sh"] = rules[name];
        return rules;
    }

    /// <summary>Tools judged by their sub-command (one or two words, e.g. "del", "kv delete", "member remove").</summary>
    private static Verdict BySub(Invocation call, string program, string[] valueOptions, string[] read, string[] data, string[] destructive)
    {
        var words = call.PositionalTexts(valueOptions);
        var flags = string.Join(' ', call.Args.Where(a => a.StartsWith("--", StringComparison.Ordinal)));
        string? Match(string[] list) => list.FirstOrDefault(entry =>
        {
            var parts = entry.Split(' ');
            return parts.Where(p => !p.StartsWith("--", StringComparison.Ordinal)).SequenceEqual(words.Take(parts.Count(p => !p.StartsWith("--", StringComparison.Ordinal))))
                   && parts.Where(p => p.StartsWith("--", StringComparison.Ordinal)).All(flags.Contains);
        });
        if (words.Count == 0) return Verdict.Read($"{program}.help", "prints help");
        if (Match(data) is { } dataSub) return Verdict.Data($"{program}.{dataSub.Replace(' ', '-')}", $"{program} {dataSub} deletes, overwrites or purges stored data");
        if (Match(destructive) is { } destructiveSub) return Verdict.Destructive($"{program}.{destructiveSub.Replace(' ', '-')}", $"{program} {destructiveSub} cannot be undone");
        if (Match(read) is { } readSub) return Verdict.Read($"{program}.{readSub.Replace(' ', '-')}", $"{program} {readSub} only reads");
        return Verdict.Service($"{program}.{words[0]}", $"{program} {string.Join(' ', words.Take(2))} changes the service");
    }

    /// <summary>mongosh --eval CODE: JavaScript, judged by the driver methods it calls; unknown code counts as a write.</summary>
    private static Verdict Mongo(Invocation call)
    {
        if (call.Has("--version", "--help")) return Verdict.Read("mongo.version", "prints the version");
        var code = call.Value("--eval");
        var script = call.PositionalTexts("--host", "--port", "-u", "--username", "-p", "--password", "--authenticationDatabase", "--eval", "--file", "-f")
            .FirstOrDefault(p => p.EndsWith(".js", StringComparison.Ordinal));
        if (code is null && (script is not null || call.Value("-f", "--file") is not null))
            return Verdict.Data("mongo.script-file", $"runs the script {script ?? call.Value("-f", "--file")}, which is not read here");
        code ??= call.Stdin.Text;
        if (code is null)
            return call.Stdin.Kind == StdinKind.None ? Verdict.Data("mongo.interactive-session", "opens an interactive shell; what is typed there can change data")
                : Verdict.Data("mongo.piped-input", "runs JavaScript another program prints; it is not known here");
        if (MongoDataWrite().IsMatch(code)) return Verdict.Data("mongo.write", "the code drops, deletes, updates or inserts documents");
        if (MongoDestructive().IsMatch(code)) return Verdict.Destructive("mongo.admin", "the code kills operations, steps down or shuts down a member");
        if (MongoService().IsMatch(code)) return Verdict.Service("mongo.change", "the code creates indexes, users or changes settings");
        if (MongoRead().IsMatch(code)) return Verdict.Read("mongo.read", "the code only reads");
        return Verdict.Data("mongo.unrecognised-code", "the code calls nothing the classifier knows to be a read, so it counts as a write");
    }

    private static Verdict Kcat(Invocation call) =>
        call.HasShort('P') ? Verdict.Data("kafka.produce", "writes messages to a topic") : Verdict.Read("kafka.consume", "reads messages or metadata");

    /// <summary>nc sends its input as raw protocol; what matters is what that input says (memcached flush_all, Redis FLUSHALL).</summary>
    private static Verdict Netcat(Invocation call)
    {
        if (call.HasShort('e') || call.HasShort('c') || call.Has("--exec", "--sh-exec", "--lua-exec"))
            return Verdict.Destructive("opaque.netcat-exec", "runs a program for the connection; what the other side sends is executed");
        if (call.HasShort('l') || call.Has("--listen")) return Verdict.Service("nc.listen", "listens for connections");
        if (call.HasShort('z')) return Verdict.Read("nc.probe", "only checks that a port is open");
        var text = call.Stdin.Text;
        if (text is null) return call.Stdin.Kind == StdinKind.None ? Verdict.Read("nc.connect", "opens a connection and sends nothing") : Verdict.Service("nc.send", "sends another program's output to a server");
        if (RawDataCommand().IsMatch(text)) return Verdict.Data("nc.data-store-command", "sends a command that deletes or writes stored data (flush_all, FLUSHALL, DEL, set, delete)");
        return Verdict.Read("nc.query", "sends a query such as stats, PING or an HTTP GET");
    }

    [GeneratedRegex(@"dropDatabase\s*\(|\.drop\s*\(|deleteMany\s*\(|deleteOne\s*\(|\.remove\s*\(|updateMany\s*\(|updateOne\s*\(|\.update\s*\(|insertOne\s*\(|insertMany\s*\(|\.insert\s*\(|replaceOne\s*\(|findOneAnd(Delete|Update|Replace)\s*\(|bulkWrite\s*\(|renameCollection\s*\(|\$out\b|\$merge\b|\{\s*(drop|delete|update|insert|dropDatabase)\s*:|\.save\s*\(|mapReduce\s*\(")]
    private static partial Regex MongoDataWrite();

    [GeneratedRegex(@"killOp\s*\(|stepDown\s*\(|rs\.remove\s*\(|shutdownServer\s*\(|\{\s*shutdown\s*:|dropUser\s*\(|dropAllUsers\s*\(")]
    private static partial Regex MongoDestructive();

    [GeneratedRegex(@"createIndex\s*\(|createIndexes\s*\(|dropIndex(es)?\s*\(|createUser\s*\(|updateUser\s*\(|grantRolesToUser\s*\(|rs\.(reconfig|add|initiate|freeze)\s*\(|fsyncLock\s*\(|fsyncUnlock\s*\(|setParameter|setProfilingLevel\s*\(|createCollection\s*\(|compact")]
    private static partial Regex MongoService();

    [GeneratedRegex(@"\b(find|findOne|count|countDocuments|estimatedDocumentCount|aggregate|stats|serverStatus|status|getCollectionNames|getCollectionInfos|isMaster|hello|ping|currentOp|getIndexes|explain|distinct|printjson|version|hostInfo|getReplicationInfo|printReplicationInfo|printSecondaryReplicationInfo|getSiblingDB|listDatabases|listCollections|buildInfo|getName|dbStats|replSetGetStatus|getUsers|getRoles|show)\b")]
    private static partial Regex MongoRead();

    [GeneratedRegex(@"(?im)^\s*(flush_all|flushall|flushdb|del|unlink|delete|set|add|replace|append|prepend|incr|decr|cas|touch|hset|lpush|rpush|sadd|zadd|expire|rename|config\s+set|shutdown|debug|replicaof|slaveof|(DELETE|PUT|POST|PATCH)\s+/)\b")]
    private static partial Regex RawDataCommand();
}
