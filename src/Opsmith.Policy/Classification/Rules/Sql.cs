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

    /// <summary>
    /// Judges SQL text the way both common dialects would split it (MySQL: # comments and backslash escapes;
    /// PostgreSQL: neither) and keeps the worse reading, so that text hidden from one reading cannot slip through.
    /// Escape hatches (psql <c>\!</c>, <c>\g |cmd</c>, sqlite3 <c>.shell</c>, <c>COPY ... PROGRAM</c>) are judged as shell text
    /// through <paramref name="call"/>'s session when one is given.
    /// </summary>
    public static Verdict Judge(string sql, Invocation? call = null)
    {
        var mysql = Split(sql, mysql: true);
        var postgres = Split(sql, mysql: false);
        var statements = mysql.SequenceEqual(postgres) ? mysql : mysql.Concat(postgres).Distinct().ToList();
        return Targets.Worst(statements.Select(s => Statement(s, call)), Verdict.Read("sql.empty", "no SQL statement"));
    }

    public static Verdict Statement(string statement) => Statement(statement, null);

    public static Verdict Statement(string statement, Invocation? call)
    {
        var text = statement.Trim().TrimStart('(').Trim();
        if (text.Contains("\\gexec", StringComparison.Ordinal)) return Verdict.Data("sql.gexec", "runs the query's results as SQL; they are not known here");
        if (text.StartsWith('\\')) return Meta(text, call);
        if (text.StartsWith('.')) return SqliteDot(text, call);
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
                if (Regex.IsMatch(upper, @"\bCASCADE\b")) return Verdict.Data("sql.drop-cascade", $"{shortText}: CASCADE also drops every table column and object that depends on it");
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
                return Copy(text, upper, shortText, call, client: false);
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

    /// <summary>
    /// COPY (query) TO STDOUT only reads (the query is judged); COPY t FROM loads rows; TO a file writes on the server;
    /// PROGRAM runs a shell command there. \copy does the same on the client.
    /// </summary>
    private static Verdict Copy(string text, string upper, string shortText, Invocation? call, bool client)
    {
        var rest = text[(text.IndexOf(client ? "copy" : "COPY", StringComparison.OrdinalIgnoreCase) + 4)..].TrimStart();
        var verdicts = new List<Verdict>();
        if (rest.StartsWith('('))
        {
            var depth = 0;
            var end = 0;
            for (; end < rest.Length; end++)
            {
                if (rest[end] == '(') depth++;
                else if (rest[end] == ')' && --depth == 0) break;
            }
            var inner = rest[1..Math.Min(end, rest.Length)];
            verdicts.Add(Judge(inner, call));
            rest = end < rest.Length ? rest[(end + 1)..] : "";
        }
        var tail = rest.ToUpperInvariant();
        var program = Regex.Match(rest, @"\bPROGRAM\s+'((?:[^']|'')*)'", RegexOptions.IgnoreCase);
        if (program.Success)
        {
            var command = program.Groups[1].Value.Replace("''", "'");
            call?.Session.Script(command, [.. call.Via, client ? "psql \\copy program" : "COPY PROGRAM"]);
            verdicts.Add(Paths.MentionsData(command) ? Verdict.Data("sql.copy-program", $"{shortText}: runs a shell command that names a data path")
                : Verdict.Destructive("sql.copy-program", $"{shortText}: runs a shell command on the {(client ? "client" : "database server")}"));
        }
        else if (Regex.IsMatch(tail, @"\bFROM\b")) verdicts.Add(Verdict.Data("sql.copy-in", $"{shortText}: loads rows into a table"));
        else if (Regex.IsMatch(tail, @"\bTO\s+(STDOUT|PSTDOUT)\b")) verdicts.Add(Verdict.Read("sql.copy-out", $"{shortText}: prints rows"));
        else if (Regex.Match(rest, @"\bTO\s+'?([^'\s]+)", RegexOptions.IgnoreCase) is { Success: true } file)
            verdicts.Add(Targets.Write(Shell.ShellWord.Literal(file.Groups[1].Value), client ? "psql-copy" : "sql-copy-to-file", replaces: true));
        else verdicts.Add(Verdict.Unknown("sql.copy-unknown", $"{shortText}: a COPY the classifier cannot read"));
        return Targets.Worst(verdicts, Verdict.Read("sql.copy-out", "prints rows"));
    }

    /// <summary>Functions a query may call and still only read (aggregates, formatting, size and state functions).</summary>
    private static readonly HashSet<string> ReadFunctions =
    [
        "COUNT", "SUM", "AVG", "MIN", "MAX", "COALESCE", "NULLIF", "GREATEST", "LEAST", "NOW", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP",
        "VERSION", "ROUND", "FLOOR", "CEIL", "CEILING", "ABS", "LENGTH", "CHAR_LENGTH", "OCTET_LENGTH", "LOWER", "UPPER", "SUBSTR", "SUBSTRING", "TRIM", "LTRIM", "RTRIM",
        "REPLACE", "CONCAT", "CONCAT_WS", "FORMAT", "CAST", "CONVERT", "EXTRACT", "AGE", "INTERVAL", "UNNEST", "GENERATE_SERIES", "SPLIT_PART", "LEFT", "RIGHT", "POSITION",
        "STRPOS", "MD5", "ENCODE", "DECODE", "EXISTS", "IN", "ANY", "ALL", "SOME", "OVER", "FILTER", "WITHIN", "ROW_NUMBER", "RANK", "DENSE_RANK", "LAG", "LEAD", "NTILE",
        "FIRST_VALUE", "LAST_VALUE", "PERCENTILE_CONT", "PERCENTILE_DISC", "STDDEV", "VARIANCE", "BOOL_AND", "BOOL_OR", "EVERY", "CURRENT_SETTING", "CURRENT_USER",
        "SESSION_USER", "CURRENT_DATABASE", "CURRENT_SCHEMA", "CURRENT_SCHEMAS", "INET_SERVER_ADDR", "INET_CLIENT_ADDR", "TXID_CURRENT_SNAPSHOT", "QUOTE_IDENT",
        "QUOTE_LITERAL", "QUOTE_NULLABLE", "OBJ_DESCRIPTION", "COL_DESCRIPTION", "SHOBJ_DESCRIPTION", "FORMAT_TYPE", "DATABASE", "USER", "SCHEMA", "UUID", "IFNULL", "IF",
        "UNIX_TIMESTAMP", "FROM_UNIXTIME", "DATE_FORMAT", "DATE_SUB", "DATE_ADD", "TIMESTAMPDIFF", "DATEDIFF", "GROUP_CONCAT", "FOUND_ROWS", "ROW_COUNT", "CONNECTION_ID",
        "DATETIME", "JULIANDAY", "STRFTIME", "TYPEOF", "TOTAL", "PRINTF", "INSTR", "HEX", "UNHEX", "RANDOM", "RAND", "SQRT", "POWER", "POW", "LN", "LOG", "EXP", "MOD",
        "SIGN", "TRUNC", "TRUNCATE", "WIDTH_BUCKET", "DATE", "TIME", "TIMESTAMP", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "TIMEZONE", "CHR", "ASCII", "REPEAT",
        "LPAD", "RPAD", "REVERSE", "INITCAP", "TRANSLATE", "ARRAY", "ROW", "VALUES", "CASE", "NOT", "AND", "OR", "AS", "FROM", "JOIN", "ON", "USING", "WHERE", "SELECT",
        "DECIMAL", "NUMERIC", "VARCHAR", "CHAR", "CHARACTER", "FLOAT", "DOUBLE", "INT", "INTEGER", "BIGINT", "SMALLINT", "BOOLEAN", "TEXT", "PARTITION", "OF", "BY",
        "LIMIT", "OFFSET", "HAVING", "UNION", "INTERSECT", "EXCEPT", "LATERAL", "WITH", "RECURSIVE", "MATERIALIZED", "ZEROIFNULL", "NVL", "ISNULL", "DATALENGTH", "GETDATE",
        "SYSDATETIME", "SERVERPROPERTY", "DB_NAME", "DB_ID", "OBJECT_NAME", "OBJECT_ID", "SUSER_NAME", "HOST_NAME", "UPTIME", "HASPROFILE", "TOSTARTOFHOUR", "TODATE",
        "TOSTARTOFDAY", "TOSTARTOFMINUTE", "FORMATREADABLESIZE", "FORMATREADABLEQUANTITY", "UNIQ", "UNIQEXACT", "QUANTILE", "QUANTILES", "ANYLAST", "ARGMAX", "ARGMIN",
        "TXID_CURRENT", "SET_CONFIG", "LOCALTIME", "CLOCK_TIMESTAMP", "STATEMENT_TIMESTAMP", "TRANSACTION_TIMESTAMP", "TO_CHAR", "TO_DATE", "TO_TIMESTAMP", "TO_NUMBER",
    ];

    private static readonly string[] ReadFunctionPrefixes =
    [
        "PG_STAT_", "PG_GET_", "PG_IS_", "PG_LAST_", "PG_CURRENT_", "PG_SIZE_", "PG_DATABASE_SIZE", "PG_RELATION_SIZE", "PG_TOTAL_RELATION_SIZE", "PG_TABLE_SIZE",
        "PG_INDEXES_SIZE", "PG_WAL_LSN_DIFF", "PG_POSTMASTER_START_TIME", "PG_BACKEND_PID", "PG_BLOCKING_PIDS", "PG_CONF_LOAD_TIME", "PG_TYPEOF", "PG_HAS_ROLE",
        "PG_DESCRIBE_OBJECT", "PG_TABLESPACE_SIZE", "PG_COLUMN_SIZE", "PG_XACT_COMMIT_TIMESTAMP", "PG_WALFILE_NAME", "PG_CONTROL_", "PG_SETTINGS_", "PG_LISTENING_CHANNELS",
        "PG_TRIGGER_DEPTH", "PG_JIT_AVAILABLE", "PG_TABLE_IS_VISIBLE", "PG_FUNCTION_IS_VISIBLE", "PG_TYPE_IS_VISIBLE", "PG_ENCODING_TO_CHAR", "PG_CLIENT_ENCODING", "PG_SNAPSHOT_",
        "PG_VISIBLE_IN_SNAPSHOT", "PG_XACT_STATUS", "PG_RELATION_FILENODE", "PG_INDEX_", "PG_COLLATION_IS_VISIBLE", "PG_OPCLASS_IS_VISIBLE", "PG_OPERATOR_IS_VISIBLE",
        "HAS_", "JSON", "ARRAY_", "REGEXP_", "TO_", "DATE_", "DATE", "ST_", "STRING_", "TIME", "INET_", "HOST", "NETMASK", "MASKLEN", "NETWORK", "BIT_", "BTRIM", "ENUM_",
        "CARDINALITY", "CURRVAL", "LASTVAL", "TXID_", "XMIN", "AGE", "MAKE_", "JUSTIFY_", "ISFINITE", "OVERLAY", "SHA", "STARTS_WITH", "STDDEV_", "VAR_", "COVAR_",
        "CORR", "REGR_", "PERCENT_", "CUME_", "NTH_", "JSONB_", "ROW_TO_JSON", "UNIX_", "FROM_", "GTID_", "IS_", "BIN_", "JSON_", "COUNT", "SUM", "AVG", "TO", "STR",
    ];

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
        // A query is read only when every function it calls is known to read: SELECT some_function() can do anything.
        var unknown = FunctionCall().Matches(StripStrings(upper)).Select(m => m.Groups["name"].Value)
            .FirstOrDefault(name => !ReadFunctions.Contains(name.Split('.')[^1]) && !ReadFunctionPrefixes.Any(p => name.Split('.')[^1].StartsWith(p, StringComparison.Ordinal)));
        if (unknown is not null)
            return Verdict.Unknown("sql.unknown-function", $"{shortText}: calls {unknown.ToLowerInvariant()}(), a function not known to only read (functions can change data or run programs)");
        return Verdict.Read($"sql.{first.ToLowerInvariant()}", $"{shortText}: only reads");
    }

    /// <summary>
    /// psql (and mysql client) meta-commands: \d, \l, \x read; \! runs a shell command; \g, \o and \w send output to a
    /// file or, with |, to a command; \i runs a file; \copy loads or writes; \lo_unlink deletes a large object.
    /// </summary>
    private static Verdict Meta(string text, Invocation? call)
    {
        var parts = text.Split([' ', '\t', '\n'], 2);
        var command = parts[0];
        var argument = parts.Length > 1 ? parts[1].Trim() : "";
        switch (command)
        {
            case "\\!" or "\\system":
                if (argument.Length > 0) call?.Session.Script(argument, [.. call.Via, "psql \\!"]);
                return Paths.MentionsData(argument) ? Verdict.Data("sql.shell-escape", $"{text}: runs a shell command that names a data path")
                    : Verdict.Destructive("sql.shell-escape", $"{text}: runs a shell command from the client");
            case "\\g" or "\\gx" or "\\o" or "\\out" or "\\w" or "\\write" or "\\T" or "\\tee":
                if (argument.StartsWith('|'))
                {
                    call?.Session.Script(argument[1..], [.. call.Via, $"psql {command} |"]);
                    return Verdict.Destructive("sql.pipe-to-command", $"{text}: sends query output to a shell command");
                }
                return argument.Length == 0 ? Verdict.Read("sql.meta", $"{text}: runs the query") : Targets.Write(Shell.ShellWord.Literal(argument.Split(' ')[0]), "sql-output", replaces: command is not "\\T" and not "\\tee");
            case "\\i" or "\\ir" or "\\include" or "\\include_relative" or "\\.":
                return Verdict.Data("sql.script-file", $"{text}: runs SQL from a file that is not read here");
            case "\\gexec":
                return Verdict.Data("sql.gexec", "runs the query's results as SQL; they are not known here");
            case "\\copy":
                return Copy(text, text.ToUpperInvariant(), text.Length <= 80 ? text : text[..77] + "...", call, client: true);
            case "\\lo_unlink" or "\\lo_import":
                return Verdict.Data($"sql.{command.TrimStart('\\')}", $"{text}: deletes or writes a large object");
            case "\\lo_export":
                return Targets.Write(Shell.ShellWord.Literal(argument.Split(' ').LastOrDefault() ?? ""), "sql-lo-export", replaces: true);
            case "\\e" or "\\edit" or "\\ef" or "\\ev":
                return Verdict.Unknown("sql.editor", $"{text}: opens an editor; what is written there runs");
            case "\\password" or "\\setenv":
                return Verdict.Service($"sql.{command.TrimStart('\\')}", $"{text}: changes a password or the client's environment");
            default:
                return Verdict.Read("sql.meta", $"{text}: a client meta-command that only reads or sets display options");
        }
    }

    private static Verdict SqliteDot(string text, Invocation? call)
    {
        var parts = text.Split([' ', '\t'], 2);
        var command = parts[0];
        var argument = parts.Length > 1 ? parts[1].Trim() : "";
        switch (command)
        {
            case ".shell" or ".system":
                if (argument.Length > 0) call?.Session.Script(argument, [.. call.Via, $"sqlite3 {command}"]);
                return Paths.MentionsData(argument) ? Verdict.Data("sql.shell-escape", $"{text}: runs a shell command that names a data path")
                    : Verdict.Destructive("sql.shell-escape", $"{text}: runs a shell command from sqlite3");
            case ".output" or ".once" or ".read" when argument.StartsWith('|'):
                call?.Session.Script(argument[1..], [.. call.Via, $"sqlite3 {command} |"]);
                return Verdict.Destructive("sql.pipe-to-command", $"{text}: runs a shell command");
            case ".read" or ".import" or ".restore":
                return Verdict.Data("sql.script-file", $"{text}: loads data or SQL that is not read here");
            case ".load":
                return Verdict.Unknown("sql.load-extension", $"{text}: loads native code into sqlite3");
            case ".output" or ".once" or ".backup" or ".save" or ".excel":
                return argument.Length == 0 ? Verdict.Read("sql.meta", "output back to the screen")
                    : Targets.Write(Shell.ShellWord.Literal(argument.Split(' ')[^1].Trim('\'', '"')), "sqlite-output", replaces: true);
            default:
                return Verdict.Read("sql.meta", $"{text}: a sqlite3 dot-command that only reads");
        }
    }

    /// <summary>Splits on semicolons outside quotes, dollar-quotes and comments; psql meta-commands end at a newline.</summary>
    public static IReadOnlyList<string> Split(string sql) => Split(sql, mysql: true);

    /// <param name="mysql">MySQL reading: # starts a comment and a backslash escapes inside quotes; otherwise neither.</param>
    public static IReadOnlyList<string> Split(string sql, bool mysql)
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
            // A client meta-command (\g, \!, \copy, ...) ends the statement before it and runs to the end of its line.
            if (c == '\\' && current.ToString().Trim().Length > 0 && i + 1 < sql.Length && char.IsAsciiLetter(sql[i + 1]) | sql[i + 1] is '!' or '.')
                Finish();
            if ((c == '\\' || c == '.') && current.ToString().Trim().Length == 0)
            {
                var end = sql.IndexOf('\n', i);
                current.Append(end < 0 ? sql[i..] : sql[i..end]);
                Finish();
                i = end < 0 ? sql.Length : end + 1;
                continue;
            }
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-' || c == '#' && mysql)
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end;
                continue;
            }
            // MySQL runs the text of /*! ... */ and /*+ ... */ comments: it is code, not a comment.
            if (c == '/' && i + 2 < sql.Length && sql[i + 1] == '*' && sql[i + 2] is '!' or '+')
            {
                var skip = i + 3;
                while (skip < sql.Length && char.IsAsciiDigit(sql[skip])) skip++;
                var end = sql.IndexOf("*/", skip, StringComparison.Ordinal);
                var inner = end < 0 ? sql[skip..] : sql[skip..end];
                sql = sql[..i] + " " + inner + " " + (end < 0 ? "" : sql[(end + 2)..]);
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
                while (end < sql.Length && sql[end] != c) end += sql[end] == '\\' && mysql ? 2 : 1;
                end = Math.Min(end + 1, sql.Length);
                current.Append(sql, i, end - i);
                i = end;
                continue;
            }
            // $tag$ opens a dollar-quoted string unless the $ continues an identifier (a$$b).
            if (c == '$' && (i == 0 || !(char.IsAsciiLetterOrDigit(sql[i - 1]) || sql[i - 1] is '_' or '$')) && DollarTag().Match(sql, i) is { Success: true, Index: var at } tag && at == i)
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

    [GeneratedRegex(@"(?<name>[A-Z_][A-Z0-9_$]*(?:\.[A-Z_][A-Z0-9_$]*)*)\s*\(")]
    private static partial Regex FunctionCall();

    [GeneratedRegex(@"'(?:[^']|'')*'")]
    private static partial Regex StringLiteral();

    private static string StripStrings(string text) => StringLiteral().Replace(text, "''");
}
