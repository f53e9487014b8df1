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
                data: ["del", "put", "txn", "snapshot restore", "lease revoke", "defrag", "compaction"], destructive: ["member remove", "move-leader", "alarm disarm", "auth disable"],
                service: ["member add", "member update", "member promote", "lease grant", "lease keep-alive", "user add", "user grant-role", "role add", "role grant-permission", "auth enable", "lock", "elect"]),
            ["mongosh"] = Mongo,
            ["mongo"] = Mongo,
            ["rabbitmqctl"] = call => BySub(call, "rabbitmqctl", ["-n", "--node", "-p", "--vhost", "-t", "--timeout"],
                read: ["list_queues", "list_exchanges", "list_bindings", "list_connections", "list_channels", "list_consumers", "list_users", "list_vhosts", "list_permissions", "list_policies", "list_parameters", "status", "cluster_status", "environment", "report", "node_health_check", "ping", "version", "list_global_parameters", "list_operator_policies", "list_feature_flags"],
                data: ["purge_queue", "delete_queue", "delete_vhost", "reset", "force_reset", "forget_cluster_node"], destructive: ["close_connection", "close_all_connections", "eval", "stop", "shutdown", "delete_user", "stop_app"],
                service: ["start_app", "add_user", "set_permissions", "set_policy", "clear_policy", "add_vhost", "set_user_tags", "change_password", "set_parameter", "clear_parameter", "enable_feature_flag", "rotate_logs", "set_vm_memory_high_watermark", "join_cluster", "sync_queue", "cancel_sync_queue", "set_cluster_name", "set_log_level", "clear_permissions", "set_topic_permissions", "await_startup", "wait", "force_boot", "hipe_compile", "trace_on", "trace_off"]),
            ["rabbitmqadmin"] = call => BySub(call, "rabbitmqadmin", ["-H", "--host", "-P", "--port", "-V", "--vhost", "-u", "--username", "-p", "--password", "-f", "--format"],
                read: ["list", "show", "export", "help"], data: ["delete", "purge", "import", "publish"], destructive: ["close"], service: ["declare"], sensitive: ["export"]),
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
            ["kafka-log-dirs"] = call => Verdict.Read("kafka.log-dirs", "describes log directories"),
            ["kafka-broker-api-versions"] = call => Verdict.Read("kafka.api-versions", "lists broker API versions"),
            ["kafka-get-offsets"] = call => Verdict.Read("kafka.get-offsets", "prints partition offsets"),
            ["kafka-metadata-quorum"] = call => call.Args.Contains("describe") ? Verdict.Read("kafka.quorum-describe", "describes the metadata quorum") : Verdict.Unknown("kafka.quorum", "changes the metadata quorum"),
            ["kafka-acls"] = call => call.Has("--list") ? Verdict.Read("kafka.acls-list", "lists ACLs") : call.Has("--remove") ? Verdict.Destructive("kafka.acls-remove", "removes ACLs; clients may lose access") : Verdict.Service("kafka.acls-change", "changes ACLs"),
            ["kafka-leader-election"] = call => Verdict.Service("kafka.leader-election", "moves partition leadership"),
            ["kafka-storage"] = call => call.Args.FirstOrDefault() is "info" or "random-uuid" ? Verdict.Read("kafka.storage-info", "describes storage") : Verdict.Data("kafka.storage-format", "formats a broker's log directories"),
            ["kafka-dump-log"] = call => Verdict.Read("kafka.dump-log", "prints log segments"),
            ["kafka-verifiable-producer"] = call => Verdict.Data("kafka.produce", "writes messages to a topic"),
            ["kafka-console-producer"] = call => Verdict.Data("kafka.produce", "writes messages to a topic"),
            ["kafka-console-consumer"] = call => Verdict.Read("kafka.consume", "reads messages"),
            ["kafka-reassign-partitions"] = call => call.Has("--execute") ? Verdict.Service("kafka.reassign", "moves partitions between brokers") : Verdict.Read("kafka.reassign-plan", "plans or verifies a reassignment"),
            ["kcat"] = Kcat,
            ["kafkacat"] = Kcat,
            ["nodetool"] = call => BySub(call, "nodetool", ["-h", "--host", "-p", "--port", "-u", "--username", "-pw", "--password", "-pwf"],
                read: ["status", "info", "ring", "tpstats", "cfstats", "tablestats", "compactionstats", "netstats", "describecluster", "gossipinfo", "version", "proxyhistograms", "tablehistograms", "cfhistograms", "getcompactionthroughput", "listsnapshots", "statusbinary", "statusgossip", "describering", "getendpoints", "statushandoff", "getlogginglevels"],
                data: ["clearsnapshot", "truncatehints", "resetlocalschema", "scrub", "cleanup", "garbagecollect"], destructive: ["decommission", "removenode", "assassinate", "drain", "stopdaemon", "disablebinary", "disablegossip"],
                service: ["repair", "compact", "flush", "snapshot", "enablebinary", "enablegossip", "setcompactionthroughput", "setstreamthroughput", "rebuild", "refresh", "settraceprobability", "setlogginglevel", "upgradesstables", "invalidatekeycache", "invalidaterowcache", "invalidatecountercache", "enableautocompaction", "disableautocompaction", "move", "bootstrap"]),
            ["consul"] = call => BySub(call, "consul", ["-http-addr", "-token", "-datacenter"],
                read: ["kv get", "kv export", "members", "catalog", "info", "operator raft list-peers", "monitor", "version", "validate", "snapshot save", "snapshot inspect", "acl token list", "acl policy list", "intention list"],
                data: ["kv delete", "kv put", "kv import", "snapshot restore"], destructive: ["force-leave", "leave", "operator raft remove-peer"],
                service: ["reload", "maint", "services register", "services deregister", "acl policy create", "acl token create", "intention create", "config write", "join", "lock", "watch"], sensitive: ["acl token read", "acl bootstrap"]),
            ["vault"] = call => BySub(call, "vault", ["-address", "-namespace", "-format", "-field", "-mount"],
                read: ["status", "kv list", "kv metadata get", "list", "token lookup", "secrets list", "auth list", "policy read", "policy list", "version", "operator raft list-peers", "audit list", "path-help", "print", "operator raft autopilot state", "operator members", "namespace list", "plugin list"],
                data: ["kv delete", "kv destroy", "kv metadata delete", "delete", "secrets disable", "kv put", "kv patch", "write", "kv rollback", "operator raft snapshot restore"], destructive: ["operator seal", "lease revoke", "token revoke", "audit disable", "auth disable", "operator step-down", "operator rekey"],
                service: ["secrets enable", "secrets tune", "auth enable", "auth tune", "policy write", "audit enable", "token create", "token renew", "lease renew", "operator unseal", "operator raft snapshot save", "login", "namespace create", "kv enable-versioning", "secrets move"],
                sensitive: ["read", "kv get", "token create", "unwrap", "operator generate-root", "login"]),
            ["influx"] = call => BySub(call, "influx", ["--host", "-t", "--token", "-o", "--org"],
                read: ["query", "bucket list", "org list", "user list", "auth list", "ping", "version", "config list", "task list"],
                data: ["delete", "bucket delete", "write", "restore", "org delete"], destructive: ["user delete", "auth delete", "task delete"],
                service: ["bucket create", "bucket update", "org create", "user create", "auth create", "task create", "task update", "config create", "config set", "backup", "setup"], sensitive: ["auth list"]),
            ["nc"] = Netcat,
            ["ncat"] = Netcat,
            ["netcat"] = Netcat,
            ["socat"] = Socat,
        };
        foreach (var name in rules.Keys.Where(k => k.StartsWith("kafka-", StringComparison.Ordinal)).ToList()) rules[name + ".sh"] = rules[name];
        return rules;
    }

    /// <summary>Tools judged by their sub-command (one or two words, e.g. "del", "kv delete", "member remove").</summary>
    private static Verdict BySub(Invocation call, string program, string[] valueOptions, string[] read, string[] data, string[] destructive, string[]? service = null, string[]? sensitive = null)
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
        if (sensitive is not null && Match(sensitive) is { } sensitiveSub) return Verdict.Sensitive($"{program}.{sensitiveSub.Replace(' ', '-')}", $"{program} {sensitiveSub} prints secret values");
        if (Match(read) is { } readSub) return Verdict.Read($"{program}.{readSub.Replace(' ', '-')}", $"{program} {readSub} only reads");
        if (service is not null && Match(service) is { } serviceSub) return Verdict.Service($"{program}.{serviceSub.Replace(' ', '-')}", $"{program} {serviceSub} changes the service in a way that can be put back");
        return Verdict.Unknown($"{program}.unknown-subcommand", $"{program} {string.Join(' ', words.Take(2))} is a sub-command the classifier does not know");
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
        if (call.HasShort('l') || call.Has("--listen"))
            return Listener.OnLoopback(call.Args) ? Verdict.Service("nc.listen", "listens for connections on the loopback address")
                : Verdict.Destructive("nc.listen-all-addresses", "listens on every address: anyone who can reach the host can send to it");
        if (call.HasShort('z')) return Verdict.Read("nc.probe", "only checks that a port is open");
        var positionals = call.PositionalTexts("-p", "-s", "-w", "-i", "-q", "-X", "-x", "-I", "-O", "-T", "-V", "-W", "--source", "--source-port", "--wait", "--proxy", "--proxy-type");
        var port = positionals.Count > 1 && int.TryParse(positionals[1], out var p) ? p : (int?)null;
        return RawProtocol.Judge("nc", call.Stdin.Text, call.Stdin.Kind, port);
    }

    /// <summary>socat ADDRESS ADDRESS: EXEC/SYSTEM run commands; a listener accepts connections; otherwise what goes in is sent on.</summary>
    private static Verdict Socat(Invocation call)
    {
        var addresses = call.PositionalTexts();
        foreach (var address in addresses.OrderByDescending(a => a.StartsWith("EXEC:", StringComparison.OrdinalIgnoreCase) || a.StartsWith("SYSTEM:", StringComparison.OrdinalIgnoreCase)))
        {
            var upper = address.ToUpperInvariant();
            var colon = address.IndexOf(':');
            if (upper.StartsWith("EXEC:", StringComparison.Ordinal) || upper.StartsWith("SYSTEM:", StringComparison.Ordinal))
            {
                call.Session.Script(address[(colon + 1)..].Split(',')[0], [.. call.Via, "socat"]);
                return Verdict.Destructive("opaque.socat-exec", "runs a command for the connection; what the other side sends reaches it");
            }
            if (upper.Contains("LISTEN", StringComparison.Ordinal)) return Verdict.Service("socat.listen", $"listens for connections ({address})");
            if (upper.StartsWith("OPEN:", StringComparison.Ordinal) || upper.StartsWith("CREATE:", StringComparison.Ordinal) || upper.StartsWith("GOPEN:", StringComparison.Ordinal) || address.StartsWith('/'))
                return Targets.Write(Shell.ShellWord.Literal(colon > 0 && !address.StartsWith('/') ? address[(colon + 1)..].Split(',')[0] : address.Split(',')[0]), "socat", replaces: true);
        }
        var target = addresses.FirstOrDefault(a => a != "-" && !a.StartsWith("STDIO", StringComparison.OrdinalIgnoreCase) && !a.StartsWith("STDIN", StringComparison.OrdinalIgnoreCase));
        var stdin = addresses.Any(a => a == "-" || a.StartsWith("STDIO", StringComparison.OrdinalIgnoreCase) || a.StartsWith("STDIN", StringComparison.OrdinalIgnoreCase));
        if (!stdin) return Verdict.Unknown("socat.relay", "relays between two addresses; what passes is not known here");
        return RawProtocol.Judge("socat", call.Stdin.Text, call.Stdin.Kind, target is null ? null : RawProtocol.Port(target.Split(',')[0]));
    }

    [GeneratedRegex(@"dropDatabase\s*\(|\.drop\s*\(|deleteMany\s*\(|deleteOne\s*\(|\.remove\s*\(|updateMany\s*\(|updateOne\s*\(|\.update\s*\(|insertOne\s*\(|insertMany\s*\(|\.insert\s*\(|replaceOne\s*\(|findOneAnd(Delete|Update|Replace)\s*\(|bulkWrite\s*\(|renameCollection\s*\(|\$out\b|\$merge\b|\{\s*(drop|delete|update|insert|dropDatabase)\s*:|\.save\s*\(|mapReduce\s*\(")]
    private static partial Regex MongoDataWrite();

    [GeneratedRegex(@"killOp\s*\(|stepDown\s*\(|rs\.remove\s*\(|shutdownServer\s*\(|\{\s*shutdown\s*:|dropUser\s*\(|dropAllUsers\s*\(")]
    private static partial Regex MongoDestructive();

    [GeneratedRegex(@"createIndex\s*\(|createIndexes\s*\(|dropIndex(es)?\s*\(|createUser\s*\(|updateUser\s*\(|grantRolesToUser\s*\(|rs\.(reconfig|add|initiate|freeze)\s*\(|fsyncLock\s*\(|fsyncUnlock\s*\(|setParameter|setProfilingLevel\s*\(|createCollection\s*\(|compact")]
    private static partial Regex MongoService();

    [GeneratedRegex(@"\b(find|findOne|count|countDocuments|estimatedDocumentCount|aggregate|stats|serverStatus|status|getCollectionNames|getCollectionInfos|isMaster|hello|ping|currentOp|getIndexes|explain|distinct|printjson|version|hostInfo|getReplicationInfo|printReplicationInfo|printSecondaryReplicationInfo|getSiblingDB|listDatabases|listCollections|buildInfo|getName|dbStats|replSetGetStatus|getUsers|getRoles|show)\b")]
    private static partial Regex MongoRead();

}
