using System.Text.Json;
using Microsoft.Data.Sqlite;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>Every command a run sends is in the audit trail before it runs, and tampering is detected.</summary>
public sealed class AuditCommandTests
{
    private static async Task<(TempFolder Home, Dictionary<string, string> Environment)> RunSomethingAsync(string secret)
    {
        var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path, ["OPSMITH_ACTOR"] = "alice", ["OPSMITH_SECRET_TOKEN"] = secret };
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var skill = home.Write("skill.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: say-hello, title: Say hello, description: Says hello with a token., stage: diagnosis}
            spec:
              inputs:
                token: {type: string, secret: true, required: true}
              targets: self
              risk: read
              actions:
                - name: hello
                  run: echo hello {{ inputs.token }}
                - name: bye
                  run: echo bye
            """);
        var run = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);
        Assert.True(run.ExitCode == 0, run.All);
        return (home, environment);
    }

    [Fact]
    public async Task A_run_records_its_start_each_command_masked_and_its_end()
    {
        var (home, environment) = await RunSomethingAsync("s3cr3t-value");
        using var _ = home;

        var list = await CliProcess.RunAsync(["audit", "list", "--output", "json"], environment);

        Assert.True(list.ExitCode == 0, list.All);
        using var json = JsonDocument.Parse(list.Stdout);
        var records = json.RootElement.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(["run-started", "decision", "command", "decision", "command", "run-finished"], records.Select(r => r.GetProperty("kind").GetString()));
        Assert.Equal("allowed", records[1].GetProperty("decision").GetString());
        Assert.StartsWith("actions/hello [read]: echo hello *** — autonomy:", records[1].GetProperty("detail").GetString());
        Assert.Equal("actions/hello: echo hello ***", records[2].GetProperty("detail").GetString());
        Assert.All(records, r => Assert.Equal("agent:alice", r.GetProperty("actor").GetString()));
        Assert.DoesNotContain("s3cr3t-value", list.Stdout);
        Assert.StartsWith("succeeded", records[5].GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Verify_passes_on_an_untouched_trail_and_names_the_record_whose_byte_was_edited()
    {
        var (home, environment) = await RunSomethingAsync("another-secret");
        using var _ = home;
        var intact = await CliProcess.RunAsync(["audit", "verify"], environment);
        Assert.True(intact.ExitCode == 0, intact.All);
        Assert.Contains("The audit trail is intact: 6 records", intact.Stdout);

        // An attacker with the database file: drop the guard triggers, change one byte of record 3.
        var database = Path.Combine(home.Path, "data", "audit.db");
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            var triggers = new List<string>();
            await using (var find = connection.CreateCommand())
            {
                find.CommandText = "SELECT name FROM sqlite_master WHERE type = 'trigger'";
                await using var reader = await find.ExecuteReaderAsync();
                while (await reader.ReadAsync()) triggers.Add(reader.GetString(0));
            }
            foreach (var trigger in triggers)
            {
                await using var drop = connection.CreateCommand();
                drop.CommandText = $"DROP TRIGGER \"{trigger}\"";
                await drop.ExecuteNonQueryAsync();
            }
            await using var edit = connection.CreateCommand();
            edit.CommandText = "UPDATE audit_records SET detail = replace(detail, 'bye', 'bye!') WHERE sequence = 5";
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        }

        var broken = await CliProcess.RunAsync(["audit", "verify"], environment);

        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("The audit trail is BROKEN at record 5 (edited)", broken.Stdout);
    }

    [Fact]
    public async Task Show_prints_one_record_with_its_hashes_and_export_writes_json_lines()
    {
        var (home, environment) = await RunSomethingAsync("x-secret");
        using var _ = home;

        var show = await CliProcess.RunAsync(["audit", "show", "3"], environment);
        var export = await CliProcess.RunAsync(["audit", "export", "--format", "jsonl"], environment);
        var missing = await CliProcess.RunAsync(["audit", "show", "99"], environment);

        Assert.True(show.ExitCode == 0, show.All);
        Assert.Contains("previous hash", show.Stdout);
        Assert.Contains("actions/hello: echo hello ***", show.Stdout);
        Assert.Equal(6, export.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(export.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => JsonDocument.Parse(line).Dispose());
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("there is no audit record 99", missing.Stderr);
    }

    [Theory]
    [InlineData("1000000d")]
    [InlineData("999999999999999999999999d")]
    public async Task A_since_further_back_than_time_itself_is_a_usage_error(string since)
    {
        using var home = new TempFolder();

        var result = await CliProcess.RunAsync(["audit", "list", "--since", since], new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path });

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"Error: --since {since} reaches back further than Opsmith can count", result.Stderr);
        Assert.DoesNotContain("internal error", result.All);
    }

    [Fact]
    public async Task Show_with_an_id_that_is_not_a_number_says_what_an_id_is()
    {
        using var home = new TempFolder();

        var result = await CliProcess.RunAsync(["audit", "show", "abc"], new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path });

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error: ID must be a record number such as 42 (the first column of 'opsmith audit list'), not 'abc'", result.Stderr);
        Assert.DoesNotContain("System.", result.All);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_truncated_or_overwritten_trail_is_reported_as_damaged_not_as_a_bug(bool truncate)
    {
        using var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path };
        await CliProcess.RunAsync(["kill-switch", "on", "--reason", "fill the trail"], environment);
        await CliProcess.RunAsync(["kill-switch", "off"], environment);
        var database = Path.Combine(home.Path, "data", "audit.db");
        var bytes = File.ReadAllBytes(database);
        File.WriteAllBytes(database, truncate ? bytes[..3000] : "not a database at all"u8.ToArray());
        foreach (var side in new[] { "-wal", "-shm" }) File.Delete(database + side);

        var verify = await CliProcess.RunAsync(["audit", "verify"], environment);
        var list = await CliProcess.RunAsync(["audit", "list"], environment);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("The audit trail is DAMAGED", verify.Stdout);
        Assert.Equal(1, list.ExitCode);
        Assert.Contains("Error: the audit trail cannot be used", list.Stderr);
        Assert.DoesNotContain("internal error", verify.All + list.All);
    }
}
