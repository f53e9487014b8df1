using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

public sealed class ValidateCommandTests
{
    private const string BrokenSkill = """
        apiVersion: opsmith/v1
        kind: Skill
        metadata:
          name: restart-nginx
          title: Restart nginx
          description: Restart nginx.
          stage: recovry
        spec:
          inputs:
            host: {type: host, required: true}
          targets: "{{ inputs.hots }}"
          risk: service-mutation
          actions:
            - name: restart
              run: systemctl restart nginx
              timeout: 30 seconds
        """;

    [Fact]
    public async Task Catalog_validates_strictly_and_lists_at_least_twenty_skills()
    {
        var result = await CliProcess.RunAsync("validate", "--strict", "skills/");

        Assert.True(result.ExitCode == 0, result.All);
        var skillLines = result.Stdout.Split('\n').Where(l => l.StartsWith("ok ") && l.Contains(".yaml")).ToList();
        Assert.True(skillLines.Count >= 20, $"only {skillLines.Count} skills listed:\n{result.Stdout}");
        Assert.DoesNotContain("shellcheck is not installed", result.All);
    }

    [Fact]
    public async Task Catalog_covers_all_four_stages()
    {
        var result = await CliProcess.RunAsync("validate", "--output", "json", "skills/");

        using var json = JsonDocument.Parse(result.Stdout);
        var stages = json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("stage").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "detection", "diagnosis", "recovery", "verification" }, stages);
    }

    [Fact]
    public async Task Broken_skill_reports_every_problem_with_file_line_and_column_and_exits_1()
    {
        using var temp = new TempFolder();
        var file = temp.Write("broken.yaml", BrokenSkill);

        var result = await CliProcess.RunAsync("validate", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}:7:10: error: 'stage' in metadata must be one of detection, diagnosis, recovery, verification, not 'recovry'; did you mean 'recovery'?", result.Stdout);
        Assert.Contains($"{file}:11:13: error: template refers to input 'hots', which is not declared in spec.inputs; did you mean 'inputs.host'?", result.Stdout);
        Assert.Contains($"{file}:12:9: error: a skill whose risk is 'service-mutation' must say how to tell it worked: add success_criteria", result.Stdout);
        Assert.Contains($"{file}:12:9: error: a skill whose risk is 'service-mutation' must have rollback steps", result.Stdout);
        Assert.Contains($"{file}:16:16: error: 'timeout' in action 'restart' is '30 seconds', which is not a duration", result.Stdout);
        Assert.Contains("1 invalid; 5 errors", result.Stdout);
    }

    [Fact]
    public async Task Json_output_is_one_document_with_stable_fields()
    {
        using var temp = new TempFolder();
        var file = temp.Write("broken.yaml", BrokenSkill);

        var result = await CliProcess.RunAsync("validate", "--output", "json", file);

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.False(root.GetProperty("valid").GetBoolean());
        Assert.Equal(5, root.GetProperty("summary").GetProperty("errors").GetInt32());
        var first = root.GetProperty("files")[0].GetProperty("diagnostics")[0];
        Assert.Equal("error", first.GetProperty("severity").GetString());
        Assert.Equal("bad-value", first.GetProperty("code").GetString());
        Assert.Equal(7, first.GetProperty("line").GetInt32());
        Assert.Equal(10, first.GetProperty("column").GetInt32());
        Assert.Equal("metadata.stage", first.GetProperty("path").GetString());
        Assert.Equal("recovery", first.GetProperty("suggestion").GetString());
    }

    [Fact]
    public async Task Shellcheck_findings_are_warnings_and_errors_with_strict()
    {
        using var temp = new TempFolder();
        var file = temp.Write("lint.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: list-logs, title: List logs, description: Lists logs., stage: diagnosis}
            spec:
              targets: web1
              risk: read
              actions:
                - name: list
                  run: |
                    cd /var/log
                    ls $DIR
            """);

        var relaxed = await CliProcess.RunAsync("validate", file);
        var strict = await CliProcess.RunAsync("validate", "--strict", file);

        Assert.Equal(0, relaxed.ExitCode);
        Assert.Contains($"{file}:11:12: warning: shellcheck SC2086 (info) in action 'list': Double quote to prevent globbing and word splitting.", relaxed.Stdout);
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains($"{file}:11:12: error: shellcheck SC2086", strict.Stdout);
    }

    [Fact]
    public async Task Folders_are_searched_recursively_for_yaml_and_yml()
    {
        using var temp = new TempFolder();
        var skill = File.ReadAllText(Path.Combine(CliProcess.RepositoryRoot, "examples", "task-cards", "nginx-down.yaml"));
        temp.Write("a/card.yaml", skill);
        temp.Write("a/b/card2.yml", skill.Replace("restart-nginx-web1", "restart-nginx-web2"));
        temp.Write("a/notes.txt", "not yaml");

        var result = await CliProcess.RunAsync("validate", temp.Path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("card.yaml", result.Stdout);
        Assert.Contains("card2.yml", result.Stdout);
        Assert.DoesNotContain("notes.txt", result.Stdout);
    }

    [Fact]
    public async Task Duplicate_skill_names_across_files_are_an_error()
    {
        using var temp = new TempFolder();
        var text = File.ReadAllText(Path.Combine(CliProcess.RepositoryRoot, "skills", "check-disk-usage.yaml"));
        temp.Write("one.yaml", text);
        temp.Write("two.yaml", text);

        var result = await CliProcess.RunAsync("validate", temp.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("skill name 'check-disk-usage' is already used by", result.Stdout);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("validate", "/no/such/path")]
    [InlineData("validate", "--output", "yaml", "skills/")]
    [InlineData("validate", "--no-such-flag", "skills/")]
    [InlineData("frobnicate")]
    public async Task Usage_errors_exit_2_with_a_one_line_reason(params string[] args)
    {
        var result = await CliProcess.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error: ", result.Stderr);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public async Task Hostile_files_get_clear_errors_and_never_a_stack_trace()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(Path.Combine(temp.Path, "binary.yaml"), [0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]);
        temp.Write("empty.yaml", "");
        temp.Write("bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
                                "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n");
        temp.Write("deep.yaml", "a: " + new string('[', 200) + new string(']', 200) + "\n");
        File.WriteAllBytes(Path.Combine(temp.Path, "huge.yaml"), new byte[10 * 1024 * 1024]);

        var result = await CliProcess.RunAsync("validate", temp.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("binary.yaml:1:5: error: file is binary (it contains a NUL byte); expected YAML text", result.Stdout);
        Assert.Contains("empty.yaml:1:1: error: file is empty; expected a YAML document", result.Stdout);
        Assert.Contains("bomb.yaml:", result.Stdout);
        Assert.Contains("YAML expands to more than 100000 nodes", result.Stdout);
        Assert.Contains("deep.yaml:1:", result.Stdout);
        Assert.Contains("YAML is nested deeper than 64 levels", result.Stdout);
        Assert.Contains("huge.yaml:1:1: error: file is 10.0 MiB (10485760 bytes); Opsmith reads YAML files of at most 1 MiB (1048576 bytes)", result.Stdout);
        Assert.DoesNotContain("   at ", result.All);
        Assert.DoesNotContain("Exception", result.All);
    }

    [Fact]
    public async Task A_huge_timeout_is_an_error_at_its_line_not_an_internal_error()
    {
        using var temp = new TempFolder();
        var file = temp.Write("huge.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: list-logs, title: List logs, description: Lists logs., stage: diagnosis}
            spec:
              targets: web1
              risk: read
              actions:
                - name: list
                  run: ls
                  timeout: 999999999999999999999d
            """);

        var result = await CliProcess.RunAsync("validate", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}:10:16: error: 'timeout' in action 'list' is '999999999999999999999d', longer than the longest allowed (24d)", result.Stdout);
        Assert.DoesNotContain("internal error", result.All);
    }

    [Fact]
    public async Task A_fifo_and_a_device_are_refused_without_reading_them()
    {
        using var temp = new TempFolder();
        var fifo = Path.Combine(temp.Path, "pipe.yaml");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();

        // Nobody ever writes to the FIFO: reading it would hang, and /dev/zero never ends.
        var result = await CliProcess.RunAsync("validate", fifo, "/dev/zero");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{fifo}:1:1: error: this is a named pipe (FIFO), not a regular file", result.Stdout);
        Assert.Contains("/dev/zero:1:1: error: this is a character device, not a regular file", result.Stdout);
    }

    [Fact]
    public async Task A_fifo_inside_a_searched_folder_is_refused_too()
    {
        using var temp = new TempFolder();
        temp.Write("ok.yaml", File.ReadAllText(Path.Combine(CliProcess.RepositoryRoot, "examples", "task-cards", "nginx-down.yaml")));
        var fifo = Path.Combine(temp.Path, "pipe.yml");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();

        var result = await CliProcess.RunAsync("validate", temp.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("pipe.yml:1:1: error: this is a named pipe (FIFO)", result.Stdout);
        Assert.Contains("1 valid", result.Stdout);
    }

    [Theory]
    [InlineData("valdate", "unknown command 'valdate'; did you mean 'validate'?")]
    [InlineData("genrate", "unknown command 'genrate'; did you mean 'generate'?")]
    public async Task A_misspelt_verb_gets_a_did_you_mean(string verb, string message)
    {
        var result = await CliProcess.RunAsync(verb, "skills/");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"Error: {message}", result.Stderr);
    }

    private const string OpsSkillCard = """
        name: redis-health-cache1
        intent: Tell whether redis on cache1 is healthy
        stage: detection
        target: cache1
        service: redis
        symptom: clients time out
        severity: medium
        expected_outcome: redis answers on port 6379
        """;

    [Fact]
    public async Task A_plain_opsskill_task_card_validates_with_a_note_naming_file_and_line()
    {
        using var temp = new TempFolder();
        var file = temp.Write("card.yaml", OpsSkillCard);

        var result = await CliProcess.RunAsync("validate", "--strict", file);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains($"{file}:1:1: note: no apiVersion/kind header: read as a task card", result.Stdout);
        Assert.Contains("1 valid", result.Stdout);
    }

    [Fact]
    public async Task A_plain_opsskill_skill_is_named_as_such_with_the_conversion_to_use()
    {
        using var temp = new TempFolder();
        var file = temp.Write("skill.yaml", """
            name: restart-nginx
            intent: Restart nginx
            namespace: web
            metadata: {risk_level: medium, stage: recovery, hidden_checks: []}
            steps:
              - command: systemctl restart nginx
                on_failure: rollback
                rollback: systemctl start nginx
            """);

        var result = await CliProcess.RunAsync("validate", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}:5:1: error: this is a skill in the plain format of OpsSkill", result.Stdout);
        Assert.Contains("`opsmith import opsskill FILE` converts it", result.Stdout);
        Assert.DoesNotContain("missing required field 'apiVersion'", result.Stdout);
    }

    private const string LintedSkill = """
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: list-logs, title: List logs, description: Lists logs., stage: diagnosis}
        spec:
          targets: web1
          risk: read
          actions:
            - name: list
              run: ls $DIR
        """;

    [Fact]
    public async Task Lint_results_are_cached_by_content_under_opsmith_home_and_reused()
    {
        using var temp = new TempFolder();
        var file = temp.Write("lint.yaml", LintedSkill);
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = Path.Combine(temp.Path, "home") };

        var first = await CliProcess.RunAsync(["validate", file], environment);
        // Proof that the second run reads the cache rather than shellcheck: it reports what the cache says.
        Assert.Equal(1, LintCacheRows(Path.Combine(temp.Path, "home", "cache"),
            "UPDATE findings SET findings = replace(findings, 'Double quote', 'Cached: double quote')"));
        var second = await CliProcess.RunAsync(["validate", file], environment);

        Assert.Contains("shellcheck SC2086 (info) in action 'list': Double quote to prevent globbing", first.Stdout);
        Assert.Contains("shellcheck SC2086 (info) in action 'list': Cached: double quote to prevent globbing", second.Stdout);
    }

    [Fact]
    public async Task Without_opsmith_home_the_lint_cache_lives_in_the_xdg_cache_folder()
    {
        using var temp = new TempFolder();
        var file = temp.Write("lint.yaml", LintedSkill);
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = "", ["XDG_CACHE_HOME"] = Path.Combine(temp.Path, "xdg") };

        var result = await CliProcess.RunAsync(["validate", file], environment);

        Assert.Contains("shellcheck SC2086", result.Stdout);
        Assert.Equal(1, LintCacheRows(Path.Combine(temp.Path, "xdg", "opsmith"), "SELECT count(*) FROM findings"));
    }

    /// <summary>Runs one SQL statement on the lint cache in <paramref name="folder"/>: a count, or the rows an update changed.</summary>
    private static long LintCacheRows(string folder, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "lint.db")};Mode=ReadWrite;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return sql.StartsWith("SELECT", StringComparison.Ordinal) ? (long)command.ExecuteScalar()! : command.ExecuteNonQuery();
    }

    [Fact]
    public async Task Many_skills_linted_in_parallel_batches_keep_every_finding_in_its_own_file()
    {
        using var temp = new TempFolder();
        for (var i = 0; i < 120; i++)
            temp.Write($"skills/s{i:000}.yaml", LintedSkill.Replace("list-logs", $"list-logs-{i}", StringComparison.Ordinal)
                .Replace("ls $DIR", $"ls $DIR{i}", StringComparison.Ordinal));

        var result = await CliProcess.RunAsync(["validate", Path.Combine(temp.Path, "skills")],
            new Dictionary<string, string> { ["OPSMITH_HOME"] = Path.Combine(temp.Path, "home") });

        Assert.Equal(0, result.ExitCode);
        for (var i = 0; i < 120; i++)
            Assert.Contains($"s{i:000}.yaml:9:15: warning: shellcheck SC2086", result.Stdout);
        Assert.Contains("120 warnings", result.Stdout);
        // The cache is one database, not a file per command: creating files is what made a cold run slow.
        Assert.Equal(120, LintCacheRows(Path.Combine(temp.Path, "home", "cache"), "SELECT count(*) FROM findings"));
        Assert.All(Directory.GetFiles(Path.Combine(temp.Path, "home", "cache"), "*", SearchOption.AllDirectories),
            file => Assert.StartsWith("lint.db", Path.GetFileName(file), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_is_a_failure_not_an_internal_error()
    {
        // Standard output is the full device: the shell redirects it before the tool starts.
        var info = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardError = true, WorkingDirectory = CliProcess.RepositoryRoot };
        foreach (var a in new[] { "-c", "exec dotnet \"$0\" validate skills/check-disk-usage.yaml >/dev/full", Path.Combine(AppContext.BaseDirectory, "opsmith.dll") })
            info.ArgumentList.Add(a);
        using var home = new TempFolder();
        info.Environment["OPSMITH_HOME"] = home.Path;
        using var process = System.Diagnostics.Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        Assert.StartsWith("Error: cannot write the report to standard output: No space left on device", stderr);
    }
}
