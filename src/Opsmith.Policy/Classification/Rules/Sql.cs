using System.Text;
using System.Text.RegularExpressions;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// SQL text (psql -c, mysql -e, here-documents fed to a client): split into statements and judged one by one.
/// SELECT/SHOW/EXPLAIN read; DROP (of tables, databases, schemas), TRUNCATE, DELETE, UPDATE, INSERT, ALTER TABLE
/// change stored data; terminating sessions is destructive; CREATE, GRANT, VACUUM change the service.
/// A statement it does not recognise counts as data-mutation.
/// </summary>
internal static partial class Sql
{
    private static readonly HashSet<string> ReadStarts = ["SELECT", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "VALUES", "TABLE", "USE", "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "DISCARD", "DEALLOCATE", "LISTEN", "UNLISTEN", "FETCH", "CLOSE", "DECLARE", "PREPARE", "HELP", "STATUS", "CHECKSUM", "WAIT"];

    private static readonly HashSet<string> ServiceStarts = ["CREATE", "GRANT", "REVOKE", "VACUUM", "ANALYZE", "ANALYSE", "REINDEX", "CLUSTER", "CHECKPOINT", "OPTIMIZE", "FLUSH", "NOTIFY", "LOCK", "UNLOCK", "COMMENT", "SECURITY", "REFRESH", "INSTALL", "UNINSTALL", "CHANGE", "STOP", "RESET", "SHUTDOWN", "RESTART", "CACHE", "LOAD"];

    private static readonly string[] DataDropKinds = ["TABLE", "DATABASE", "SCHEMA", "MATERIALIZED", "TABLESPACE", "OWNED", "SEQUENCE", "COLLECTION", "KEYSPACE", "COLUMNFAMILY", "TEMPORARY", "TEMP", "UNLOGGED", "FOREIGN", "IF", "PARTITION", "DICTIONARY"];

    public static Verdict Judge(string sql)
    {
        var statements = Split(sql);
        return Targets.Worst(statements.Select(Statement), Verdict.Read("sql.empty", "no SQL statement"));
    }

    public static Verdict Statement(string statement)
    {
        var text = statement.Trim().TrimStart('(').Trim();
        if (text.Contains("\\gexec", StringComparison.Ordinal)) return Verdict.Data("sql.gexec", "runs the query's results as SQL; they are not known here");
        if (text.StartsWith('\\')) return Meta(text);
        if (text.StartsWith('.')) return SqliteDot(text);
        var words = Words().Matches(text).Select(m => m.Value.ToUpperInvariant()).ToList();
        if (words.Count == 0) return Verdict.Read("sql.empty", "no SQL statement");
        var first = words[0];
        var second = words.ElementAtOrDefault(1) ?? "";
        var upper = text.ToUpperInvariant();
        var shortText = text.Length <= 80 ? text : text[..77] + "...";
        switch (first)
        {
            case "SELECT" or "WITH" or "VALUES" or "TABLE" or "EXPLAIN":
                return Query(first, upper, shortText);
            case "DROP":
                if (second is "USER" or "ROLE" or "LOGIN") return Verdict.Destructive("sql.drop-user", $"{shortText}: removes an account");
                return DataDropKinds.Contains(second)
                    ? Verdict.Data("sql.drop", $"{shortText}: drops stored data")
                    : Verdict.Destructive("sql.drop-object", $"{shortText}: drops a database object (not the rows themselves)");
            case "TRUNCATE":
                return Verdict.Data("sql.truncate", $"{shortText}: deletes every row");
            case "DELETE":
                return Verdict.Data("sql.delete", $"{shortText}: deletes rows");
            case "UPDATE":
                return Verdict.Data("sql.update", $"{shortText}: changes rows");
            case "INSERT" or "REPLACE" or "UPSERT" or "MERGE" or "IMPORT":
                return Verdict.Data("sql.insert", $"{shortText}: writes rows");
            case "COPY":
                if (upper.Contains(" PROGRAM ")) return Verdict.Destructive("sql.copy-program", $"{shortText}: runs a shell command on the database server");
                return Regex.IsMatch(upper, @"\bFROM\b") ? Verdict.Data("sql.copy-in", $"{shortText}: loads rows into a table")
                    : upper.Contains("STDOUT") ? Verdict.Read("sql.copy-out", $"{shortText}: exports rows") : Verdict.Service("sql.copy-to-file", $"{shortText}: writes a file on the server");
            case "LOAD" when second is "DATA" or "XML":
                return Verdict.Data("sql.insert", $"{shortText}: loads rows into a table");
            case "ALTER":
                if (second is "SYSTEM" or "USER" or "ROLE" or "DATABASE" or "INDEX" or "SEQUENCE" or "EXTENSION" or "FUNCTION" or "VIEW" or "SERVER" or "EVENT" or "INSTANCE")
                    return Verdict.Service($"sql.alter-{second.ToLowerInvariant()}", $"{shortText}: changes settings or objects, not rows");
                return Verdict.Data("sql.alter", $"{shortText}: changes a table's structure, which can drop or rewrite data");
            case "KILL":
                return Verdict.Destructive("sql.kill", $"{shortText}: ends a session or query");
            case "PURGE" or "RESET" when second is "BINARY" or "MASTER" or "REPLICA" or "SLAVE" or "LOGS":
                return Verdict.Destructive("sql.purge-logs", $"{shortText}: deletes binary logs or replication state");
            case "REPAIR":
                return Verdict.Data("sql.repair", $"{shortText}: rebuilds a table; rows it cannot read are lost");
            case "CALL" or "DO" or "EXEC" or "EXECUTE":
                return Verdict.Data("sql.procedure", $"{shortText}: runs code that is not read here");
            case "SET":
                return second is "GLOBAL" or "PERSIST" or "PERSIST_ONLY" or "PASSWORD" || upper.Contains("@@GLOBAL")
                    ? Verdict.Service("sql.set-global", $"{shortText}: changes server settings")
                    : Verdict.Read("sql.set-session", $"{shortText}: changes this session only");
            case "PRAGMA":
                return text.Contains('=') ? Verdict.Service("sql.pragma-set", $"{shortText}: changes a database setting") : Verdict.Read("sql.pragma", $"{shortText}: reads a setting");
            case "CHECK" when second == "TABLE":
                return Verdict.Read("sql.check-table", $"{shortText}: checks a table");
        }
        if (ReadStarts.Contains(first)) return Verdict.Read($"sql.{first.ToLowerInvariant()}", $"{shortText}: only reads");
        if (ServiceStarts.Contains(first)) return Verdict.Service($"sql.{first.ToLowerInvariant()}", $"{shortText}: changes objects or settings, not rows");
        return Verdict.Data("sql.unrecognised", $"{shortText}: not a statement the classifier knows, so it counts as changing data");
    }

    private static Verdict Query(string first, string upper, string shortText)
    {
        if (first is "WITH" or "EXPLAIN" && DataModifying().IsMatch(upper) && (first == "WITH" || upper.Contains("ANALYZE") || upper.Contains("ANALYSE")))
            return Verdict.Data("sql.data-modifying-query", $"{shortText}: runs an INSERT/UPDATE/DELETE inside the query");
        if (upper.Contains("PG_TERMINATE_BACKEND") || upper.Contains("PG_CANCEL_BACKEND"))
            return Verdict.Destructive("sql.terminate-backend", $"{shortText}: ends database sessions or queries");
        if (upper.Contains("PG_DROP_REPLICATION_SLOT") || upper.Contains("PG_PROMOTE") || upper.Contains("PG_REPLICATION_ORIGIN_DROP"))
            return Verdict.Destructive("sql.replication-admin", $"{shortText}: drops a replication slot or promotes a replica");
        if (upper.Contains("DBLINK_EXEC") || upper.Contains("LO_UNLINK") || upper.Contains("SETVAL(") || upper.Contains("LO_IMPORT"))
            return Verdict.Data("sql.data-function", $"{shortText}: a function that changes stored data");
        if (upper.Contains("PG_RELOAD_CONF") || upper.Contains("PG_ROTATE_LOGFILE") || upper.Contains("PG_SWITCH_WAL") || upper.Contains("SET_CONFIG") || upper.Contains("PG_CREATE_RESTORE_POINT") || upper.Contains("PG_BACKUP_START") || upper.Contains("PG_START_BACKUP"))
            return Verdict.Service("sql.admin-function", $"{shortText}: an administrative function");
        if (upper.Contains("INTO OUTFILE") || upper.Contains("INTO DUMPFILE"))
            return Verdict.Service("sql.select-into-file", $"{shortText}: writes a file on the server");
        if (SelectInto().IsMatch(upper)) return Verdict.Service("sql.select-into-table", $"{shortText}: creates a table");
        return Verdict.Read($"sql.{first.ToLowerInvariant()}", $"{shortText}: only reads");
    }

    /// <summary>psql meta-commands: \d, \l, \x read; \! runs a shell command; \i runs a file; \copy FROM loads rows.</summary>
    private static Verdict Meta(string text)
    {
        var command = text.Split([' ', '\t', '\n'], 2)[0];
        return command switch
        {
            "\\!" => Verdict.Destructive("sql.shell-escape", $"{text}: runs a shell command from psql"),
            "\\i" or "\\ir" or "\\include" or "\\include_relative" => Verdict.Data("sql.script-file", $"{text}: runs SQL from a file that is not read here"),
            "\\gexec" => Verdict.Data("sql.gexec", "runs the query's results as SQL; they are not known here"),
            "\\copy" when Regex.IsMatch(text, @"\bfrom\b", RegexOptions.IgnoreCase) => Verdict.Data("sql.copy-in", $"{text}: loads rows into a table"),
            "\\o" or "\\out" or "\\w" or "\\write" => Verdict.Service("sql.write-file", $"{text}: writes query output to a file"),
            _ => Verdict.Read("sql.meta", $"{text}: a psql meta-command that only reads or sets display options"),
        };
    }

    private static Verdict SqliteDot(string text)
    {
        var command = text.Split([' ', '\t'], 2)[0];
        return command switch
        {
            ".shell" or ".system" => Verdict.Destructive("sql.shell-escape", $"{text}: runs a shell command from sqlite3"),
            ".read" or ".import" or ".restore" or ".load" => Verdict.Data("sql.script-file", $"{text}: loads data or SQL that is not read here"),
            ".output" or ".once" or ".backup" or ".save" or ".excel" => Verdict.Service("sql.write-file", $"{text}: writes a file"),
            _ => Verdict.Read("sql.meta", $"{text}: a sqlite3 dot-command that only reads"),
        };
    }

    /// <summary>Splits on semicolons outside quotes, dollar-quotes and comments; psql meta-commands end at a newline.</summary>
    public static IReadOnlyList<string> Split(string sql)
    {
        var statements = new List<string>();
        var current = new StringBuilder();
        var i = 0;
        void Finish()
        {
            if (current.ToString().Trim().Length > 0) statements.Add(current.ToString().Trim());
            current.Clear();
        }
        while (i < sql.Length)
        {
            var c = sql[i];
            if ((c == '\\' || c == '.') && current.ToString().Trim().Length == 0)
            {
                var end = sql.IndexOf('\n', i);
                current.Append(end < 0 ? sql[i..] : sql[i..end]);
                Finish();
                i = end < 0 ? sql.Length : end + 1;
                continue;
            }
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-' || c == '#')
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end;
                continue;
            }
            if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
                current.Append(' ');
                continue;
            }
            if (c is '\'' or '"' or '`')
            {
                var end = i + 1;
                while (end < sql.Length && sql[end] != c) end += sql[end] == '\\' ? 2 : 1;
                end = Math.Min(end + 1, sql.Length);
                current.Append(sql, i, end - i);
                i = end;
                continue;
            }
            if (c == '$' && DollarTag().Match(sql, i) is { Success: true, Index: var at } tag && at == i)
            {
                var close = sql.IndexOf(tag.Value, i + tag.Length, StringComparison.Ordinal);
                var end = close < 0 ? sql.Length : close + tag.Length;
                current.Append(sql, i, end - i);
                i = end;
                continue;
            }
            if (c == ';')
            {
                Finish();
                i++;
                continue;
            }
            current.Append(c);
            i++;
        }
        Finish();
        return statements;
    }

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_.]*")]
    private static partial Regex Words();

    [GeneratedRegex(@"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|DROP)\b")]
    private static partial Regex DataModifying();

    [GeneratedRegex(@"^SELECT\b(?:(?!\bFROM\b).)*\bINTO\s+(?!@|OUTFILE|DUMPFILE)[A-Z_]", RegexOptions.Singleline)]
    private static partial Regex SelectInto();

    [GeneratedRegex(@"\$[A-Za-z_]*\$")]
    private static partial Regex DollarTag();
}
