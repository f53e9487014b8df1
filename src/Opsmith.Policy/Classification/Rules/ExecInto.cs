using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// <c>kubectl exec POD -- CMD</c>, <c>docker exec CONTAINER CMD</c>: CMD is judged like any other command.
/// An interactive shell inside something that looks like a database is data-mutation: whoever types
/// into it can change the data, and nothing on the command line says what they will do.
/// </summary>
internal static class ExecInto
{
    private static readonly string[] DatabaseHints =
        ["postgres", "pg", "mysql", "maria", "redis", "valkey", "mongo", "db", "cassandra", "scylla", "elastic", "opensearch", "etcd", "kafka",
         "clickhouse", "rabbit", "zookeeper", "zk", "cockroach", "crdb", "timescale", "influx", "minio", "couch", "neo4j", "sql", "patroni", "vitess", "tidb"];

    public static bool LooksLikeDatabase(string target) =>
        target.ToLowerInvariant().Split(['-', '_', '.', '/', ':'], StringSplitOptions.RemoveEmptyEntries)
            .Any(token => DatabaseHints.Any(hint => token.StartsWith(hint, StringComparison.Ordinal) || token.EndsWith(hint, StringComparison.Ordinal)));

    public static Verdict Judge(Invocation call, string target, IReadOnlyList<ShellWord> inner, bool passesStdin, string family)
    {
        if (inner.Count == 0) return Verdict.Read($"{family}.exec-nothing", "no command given");
        var stdin = passesStdin ? call.Stdin : Stdin.None;
        call.Session.Run(inner, [], stdin, [.. call.Via, $"{family} exec {target}"]);
        var program = ClassificationSession.ProgramName(inner[0].Text);
        var shellWithoutScript = Shells.Names.Contains(program) && !inner.Skip(1).Any(w => w.Text.StartsWith('-') && w.Text.Contains('c')) && inner.Count <= 2;
        if (shellWithoutScript && LooksLikeDatabase(target) && stdin.Kind is StdinKind.None or StdinKind.Pipe)
            return Verdict.Data($"{family}.exec-database-shell", $"opens a shell inside {target}, which looks like a database; what is typed there can change its data");
        return Verdict.Read($"{family}.exec", $"runs a command inside {target} (judged on its own)");
    }
}
