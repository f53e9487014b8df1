using Opsmith.Core.Skills;
using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Database clients and tools: psql, mysql/mariadb, sqlite3, sqlcmd, clickhouse-client, cqlsh, and the
/// PostgreSQL/MySQL administration programs. SQL given with -c/-e (or on stdin) is judged by <see cref="Sql"/>;
/// SQL from a file, a pipe or an interactive session cannot be read and counts as data-mutation.
/// </summary>
internal static class SqlClients
{
    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = BuildRules();

    private static Dictionary<string, Func<Invocation, Verdict>> BuildRules()
    {
        var rules = new Dictionary<string, Func<Invocation, Verdict>>
        {
            ["psql"] = Psql,
            ["sqlite3"] = Sqlite,
            ["sqlcmd"] = call => Client(call, "sqlcmd", call.Values("-Q", "-q"), call.Values("-i"), call.Has("-?", "--version")),
            ["clickhouse-client"] = ClickHouse,
            ["clickhouse"] = call => call.Args.FirstOrDefault() is "client" or "local"
                ? ClickHouse(call.WithWords(call.Words.Skip(1)))
                : Verdict.Unknown("clickhouse.unknown-tool", $"clickhouse {call.Args.FirstOrDefault()} is not a ClickHouse tool the classifier knows"),
            ["duckdb"] = DuckDb,
            ["mysqlsh"] = MysqlShell,
            ["cqlsh"] = call => Client(call, "cqlsh", call.Values("-e", "--execute"), call.Values("-f", "--file"), call.Has("--version", "--help")),
            ["cockroach"] = call => call.Args.FirstOrDefault() == "sql"
                ? Client(call, "cockroach", call.Values("-e", "--execute"), call.Values("-f", "--file"), false)
                : Verdict.Service("cockroach.admin", $"cockroach {call.Args.FirstOrDefault()} administers the cluster"),
            ["dropdb"] = call => Verdict.Data("pg.dropdb", $"drops the database {call.PositionalTexts("-h", "-p", "-U", "--host", "--port", "--username", "--maintenance-db").LastOrDefault()} and all its data"),
            ["createdb"] = call => Verdict.Service("pg.createdb", "creates a database"),
            ["createuser"] = call => Verdict.Service("pg.createuser", "creates a role"),
            ["dropuser"] = call => Verdict.Destructive("pg.dropuser", "removes a role"),
            ["pg_restore"] = call => call.HasShort('l') || call.Has("--list") ? Verdict.Read("pg_restore.list", "lists an archive")
                : call.Has("-d", "--dbname") || call.Args.Any(a => a.StartsWith("-d", StringComparison.Ordinal) && a.Length > 2)
                    ? Verdict.Data("pg_restore.restore", "restores into a database; with --clean it drops existing objects first")
                    : DumpOutput(call, "pg_restore", call.Value("-f", "--file")),
            ["pg_dump"] = call => DumpOutput(call, "pg_dump", call.Value("-f", "--file")),
            ["pg_dumpall"] = call => DumpOutput(call, "pg_dumpall", call.Value("-f", "--file")),
            ["mysqldump"] = call => DumpOutput(call, "mysqldump", call.Value("-r", "--result-file")),
            ["mariadb-dump"] = call => DumpOutput(call, "mariadb-dump", call.Value("-r", "--result-file")),
            ["mongodump"] = call => DumpOutput(call, "mongodump", call.Value("-o", "--out")),
            ["mongoexport"] = call => DumpOutput(call, "mongoexport", call.Value("-o", "--out")),
            ["mongorestore"] = call => Verdict.Data("mongorestore.restore", "restores into a database; with --drop it drops collections first"),
            ["mongoimport"] = call => Verdict.Data("mongoimport.import", "writes documents into a collection"),
            ["pg_basebackup"] = call => DumpOutput(call, "pg_basebackup", call.Value("-D", "--pgdata")),
            ["pg_ctl"] = call => Control(call, "pg_ctl", call.PositionalTexts("-D", "-m", "-l", "-o", "-w", "-t", "--pgdata", "--mode", "--log", "--options", "--timeout").FirstOrDefault()),
            ["pg_ctlcluster"] = call => Control(call, "pg_ctlcluster", call.PositionalTexts("-m", "--mode", "-o", "--options").ElementAtOrDefault(2)),
            ["pg_dropcluster"] = call => Verdict.Data("pg.dropcluster", "deletes a cluster and its data directory"),
            ["pg_createcluster"] = call => Verdict.Service("pg.createcluster", "creates a cluster"),
            ["pg_resetwal"] = call => DryRunOr(call, "pg_resetwal", "resets the write-ahead log; committed data can be lost"),
            ["pg_resetxlog"] = call => DryRunOr(call, "pg_resetwal", "resets the write-ahead log; committed data can be lost"),
            ["pg_rewind"] = call => DryRunOr(call, "pg_rewind", "rewrites a data directory to match another server"),
            ["pg_archivecleanup"] = call => DryRunOr(call, "pg_archivecleanup", "deletes archived WAL files needed for point-in-time recovery"),
            ["pg_upgrade"] = call => call.HasShort('c') || call.Has("--check") ? Verdict.Read("pg_upgrade.check", "only checks") : Verdict.Data("pg_upgrade.upgrade", "rewrites the data directory for a new version"),
            ["pg_checksums"] = call => call.Has("--enable", "--disable", "-e", "-d") ? Verdict.Service("pg_checksums.change", "changes data checksums") : Verdict.Read("pg_checksums.check", "verifies checksums"),
            ["mysqladmin"] = MysqlAdmin,
            ["mysqlcheck"] = call => call.HasShort('r') || call.Has("--repair") ? Verdict.Data("mysqlcheck.repair", "repairs tables; rows it cannot read are lost")
                : call.HasShort('o') || call.HasShort('a') || call.Has("--optimize", "--analyze", "--auto-repair") ? Verdict.Service("mysqlcheck.optimize", "optimizes or analyzes tables") : Verdict.Read("mysqlcheck.check", "checks tables"),
            ["myisamchk"] = call => call.HasShort('r') || call.HasShort('o') || call.Has("--recover", "--safe-recover") ? Verdict.Data("myisamchk.recover", "rebuilds table files") : Verdict.Read("myisamchk.check", "checks table files"),
            ["mysql_upgrade"] = call => Verdict.Service("mysql_upgrade.upgrade", "upgrades system tables"),
            ["vacuumdb"] = call => Verdict.Service("pg.vacuumdb", "vacuums databases"),
            ["reindexdb"] = call => Verdict.Service("pg.reindexdb", "rebuilds indexes"),
            ["clusterdb"] = call => Verdict.Service("pg.clusterdb", "reorders tables"),
        };
        foreach (var name in new[] { "mysql", "mariadb" }) rules[name] = Mysql;
        foreach (var name in new[] { "pg_isready", "pg_controldata", "pg_lsclusters", "pg_config", "pg_waldump", "pg_amcheck", "pg_test_fsync", "mysqlbinlog", "mysqlshow", "pg_test_timing" })
            rules[name] = call => Verdict.Read($"{call.Program}.read", $"{call.Program} only reads");
        return rules;
    }

    private static Verdict Psql(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "cdfhpUvoLPFRT",
            ["--command", "--file", "--dbname", "--host", "--port", "--username", "--set", "--variable", "--output", "--log-file", "--pset", "--field-separator", "--record-separator", "--table-attr"], stopAtPositional: false);
        var verdict = Client(call, "psql", options.Values("-c", "--command"), options.Values("-f", "--file"), options.Has("-l", "--list", "-V", "--version", "--help", "-?"));
        return options.Value("-o", "--output") is { } output ? Verdict.Max(verdict, Targets.Write(ShellWord.Literal(output), "psql-output", replaces: true)) : verdict;
    }

    private static Verdict Mysql(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "ehPuDS",
            ["--execute", "--host", "--port", "--user", "--database", "--socket", "--defaults-file", "--defaults-extra-file", "--init-command", "--tee", "--login-path", "--default-character-set"], stopAtPositional: false);
        var statements = options.Values("-e", "--execute").Concat(options.Values("--init-command")).ToList();
        return Client(call, call.Program, statements, [], options.Has("-V", "--version", "--help", "-?"));
    }

    private static Verdict ClickHouse(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "qhudp", ["--query", "--host", "--user", "--database", "--port", "--password", "--queries-file"], stopAtPositional: false);
        return Client(call, "clickhouse-client", options.Values("-q", "--query"), options.Values("--queries-file"), options.Has("--version", "-V", "--help"));
    }

    /// <summary>sqlite3 [OPTIONS] FILE [SQL]...: options are single-dash words (-cmd, -readonly, -json).</summary>
    private static Verdict Sqlite(Invocation call)
    {
        var statements = new List<string>();
        var positionals = new List<string>();
        var readOnly = false;
        for (var i = 0; i < call.Args.Count; i++)
        {
            var arg = call.Args[i];
            if (arg is "-cmd" && i + 1 < call.Args.Count) statements.Add(call.Args[++i]);
            else if (arg is "-init" && i + 1 < call.Args.Count) statements.Add(".read " + call.Args[++i]);
            else if (arg is "-separator" or "-newline" or "-nullvalue" or "-vfs" or "-maxsize" or "-mmap" or "-pagecache" or "-lookaside" or "-heap") i++;
            else if (arg is "-readonly" or "--readonly") readOnly = true;
            else if (arg is "-version" or "--version" or "-help" or "--help") return Verdict.Read("sqlite3.version", "prints the version");
            else if (!arg.StartsWith('-')) positionals.Add(arg);
        }
        statements.AddRange(positionals.Skip(1));
        if (!readOnly) return Client(call, "sqlite3", statements, [], false);
        // -readonly stops writes to the database, not dot-commands: .shell, .output and -init files still act.
        var verdicts = statements.Select(s => Sql.Judge(s, call)).Select(v => v.Tier == RiskTier.DataMutation && v.Rule is not "sql.script-file" and not "sql.shell-escape"
            ? Verdict.Read("sqlite3.readonly", "opens the database read-only, so the statement cannot change it") : v).ToList();
        if (statements.Count == 0 && call.Stdin.Kind != StdinKind.None) verdicts.Add(call.Stdin.Text is { } text ? Sql.Judge(text, call) : Verdict.Unknown("sqlite3.piped-input", "reads commands another program prints; dot-commands among them can run programs"));
        return Targets.Worst(verdicts, Verdict.Read("sqlite3.readonly", "opens the database read-only"));
    }

    /// <summary>duckdb [OPTIONS] [FILE [SQL]]: -c/-s run SQL; -readonly stops writes to the file but not dot-commands or COPY TO.</summary>
    private static Verdict DuckDb(Invocation call)
    {
        if (call.Has("-version", "--version", "-help", "--help")) return Verdict.Read("duckdb.version", "prints the version");
        var statements = call.Values("-c", "-s", "-cmd").ToList();
        var positionals = call.PositionalTexts("-c", "-s", "-cmd", "-init", "-separator", "-nullvalue");
        statements.AddRange(positionals.Skip(1));
        if (call.Value("-init") is { } init) statements.Add(".read " + init);
        var readOnly = call.Has("-readonly", "--readonly");
        var verdict = Client(call, "duckdb", statements, [], false);
        return readOnly && verdict.Tier == RiskTier.DataMutation && verdict.Rule is not "sql.script-file" and not "sql.shell-escape" and not "sql.piped-input" and not "sql.interactive-session"
            ? Verdict.Read("duckdb.readonly", "opens the database read-only, so the statement cannot change it") : verdict;
    }

    /// <summary>mysqlsh --sql -e SQL is SQL; its default modes run JavaScript or Python, which are not read here.</summary>
    private static Verdict MysqlShell(Invocation call)
    {
        if (call.Has("--version", "-V", "--help")) return Verdict.Read("mysqlsh.version", "prints the version");
        var sql = call.Has("--sql", "--sqlc", "--sqlx");
        var code = call.Values("-e", "--execute");
        if (sql) return Client(call, "mysqlsh", code, call.Values("-f", "--file"), false);
        return Verdict.Data("mysqlsh.script", "runs JavaScript or Python (or an interactive shell) against the database; it is not read here (use --sql -e to have SQL judged)").With(ClassificationFlags.Uncertain);
    }

    private static Verdict Client(Invocation call, string program, IReadOnlyList<string> statements, IReadOnlyList<string> files, bool onlyLists)
    {
        if (onlyLists) return Verdict.Read($"{program}.list", "lists databases or prints the version");
        var verdicts = statements.Select(s => Sql.Judge(s, call)).ToList();
        verdicts.AddRange(files.Where(f => f != "-").Select(f => Verdict.Data("sql.script-file", $"runs SQL from {f}, which is not read here")));
        if (statements.Count == 0 && files.All(f => f == "-")) verdicts.Add(FromStdin(call));
        return Targets.Worst(verdicts, Verdict.Read("sql.empty", "no SQL"));
    }

    private static Verdict FromStdin(Invocation call) => call.Stdin switch
    {
        { Text: { } text } => Sql.Judge(text, call),
        { Kind: StdinKind.File } => Verdict.Data("sql.script-file", $"runs SQL from {call.Stdin.File?.Text}, which is not read here"),
        { Kind: StdinKind.Pipe } => Verdict.Data("sql.piped-input", "runs SQL that another program prints; it is not known here"),
        _ => Verdict.Data("sql.interactive-session", "opens an interactive database session; what is typed there can change data"),
    };

    /// <summary>Dumps read the database; where they write is judged like any file (temporary paths are free).</summary>
    private static Verdict DumpOutput(Invocation call, string program, string? output)
    {
        if (output is null or "-") return Verdict.Read($"{program}.stdout", $"{program} reads the database and writes to standard output");
        var kind = Paths.Kind(output, exact: true);
        return kind is PathKind.Safe or PathKind.TempRoot
            ? Verdict.PrivateTmp($"{program}.temp-path", $"writes a dump to {output}")
            : Verdict.Service($"{program}.write-dump", $"writes a dump to {output}");
    }

    private static Verdict Control(Invocation call, string program, string? action)
    {
        var mode = call.Value("-m", "--mode") ?? "";
        return action switch
        {
            null or "status" => Verdict.Read($"{program}.status", "shows the server's state"),
            "stop" or "restart" when mode.StartsWith('i') => Verdict.Destructive($"{program}.stop-immediate", "stops the server without a clean shutdown; sessions are cut off"),
            "promote" => Verdict.Destructive($"{program}.promote", "promotes a standby; the old primary can no longer rejoin as it was"),
            "kill" => Verdict.Destructive($"{program}.kill", "kills a server process"),
            _ => Verdict.Service($"{program}.{action}", $"{program} {action} starts, stops or reloads the server"),
        };
    }

    private static Verdict DryRunOr(Invocation call, string program, string reason) =>
        call.HasShort('n') || call.Has("--dry-run") ? Verdict.Read($"{program}.dry-run", "only shows what it would do") : Verdict.Data($"{program}.rewrite", reason);

    private static Verdict MysqlAdmin(Invocation call)
    {
        var commands = call.PositionalTexts("-h", "-u", "-P", "-S", "-c", "-i", "-w", "--host", "--user", "--port", "--socket", "--count", "--sleep", "--wait", "--defaults-file");
        var verdicts = commands.Select((command, index) => command switch
        {
            "status" or "ping" or "processlist" or "variables" or "extended-status" or "version" or "proc" => Verdict.Read($"mysqladmin.{command}", $"mysqladmin {command} only reads"),
            "drop" => Verdict.Data("mysqladmin.drop", $"drops the database {commands.ElementAtOrDefault(index + 1)}"),
            "kill" => Verdict.Destructive("mysqladmin.kill", "kills sessions"),
            _ => Verdict.Service($"mysqladmin.{command}", $"mysqladmin {command} changes the server"),
        });
        return Targets.Worst(verdicts, Verdict.Read("mysqladmin.help", "prints help"));
    }
}
