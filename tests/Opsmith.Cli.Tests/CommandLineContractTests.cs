using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>Small promises of the command line: hints that name the right help, reports usable from any folder.</summary>
public sealed class CommandLineContractTests
{
    [Fact]
    public async Task A_parse_error_in_a_sub_command_names_its_full_help_command()
    {
        var result = await CliProcess.RunAsync("audit", "show", "x");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Run 'opsmith audit show --help' for usage.", result.Stderr);
    }

    [Fact]
    public async Task A_report_written_with_relative_paths_can_be_rolled_back_from_another_folder()
    {
        // Given a run started with paths relative to its folder, whose success check fails, so it rolls back
        using var temp = new TempFolder();
        var marker = Path.Combine(temp.Path, "marker");
        temp.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        temp.Write("skill.yaml", $$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: break-then-check, title: Break then check, description: Creates a marker that makes the host unhealthy., stage: recovery}
            spec:
              targets: self
              risk: destructive
              actions:
                - {name: create-marker, run: "echo broken > {{marker}}", risk: destructive, on_failure: rollback}
              success_criteria:
                - {name: no-marker, run: "test ! -e {{marker}}"}
              rollback:
                - {name: remove-marker, run: "rm -f -- {{marker}}"}
            """);
        var run = await CliProcess.RunAsync(["run", "skill.yaml", "-i", "inventory.yaml", "--execute", "--report-out", "report.json"], null, temp.Path);
        Assert.True(run.ExitCode == 3, run.All);
        File.WriteAllText(marker, "broken again");

        // When its rollback is run from another folder
        var rollback = await CliProcess.RunAsync(["rollback", Path.Combine(temp.Path, "report.json"), "--execute"], null);

        // Then it finds the skill and inventory and undoes the change
        Assert.True(rollback.ExitCode == 0, rollback.All);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Text_output_shows_each_steps_output_under_it_capped()
    {
        // Given a diagnosis step that prints its evidence and then many more lines
        using var temp = new TempFolder();
        var inventory = temp.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var skill = temp.Write("skill.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: look, title: Look, description: Prints evidence., stage: diagnosis}
            spec:
              targets: self
              risk: read
              actions:
                - {name: gather, run: "echo evidence-42; seq 1 20", risk: read}
            """);

        // When it runs in text mode
        var result = await CliProcess.RunAsync("run", skill, "-i", inventory, "--execute");

        // Then the evidence is shown under the step, and the rest is counted
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("       evidence-42\n", result.Stdout);
        Assert.Contains("       9\n", result.Stdout);
        Assert.DoesNotContain("       10\n", result.Stdout);
        Assert.Contains("… 11 more lines", result.Stdout);
    }

    [Fact]
    public async Task A_skills_outputs_appear_in_the_console_and_in_the_report()
    {
        // Given a skill that declares an output taken from a step's stdout
        using var temp = new TempFolder();
        var inventory = temp.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var skill = temp.Write("skill.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: look, title: Look, description: Reads a value., stage: diagnosis}
            spec:
              targets: self
              risk: read
              actions:
                - {name: gather, run: "echo value-7031", risk: read}
              outputs:
                found:
                  from: actions.gather.stdout
            """);

        // When it runs, in text and with a JSON report
        var text = await CliProcess.RunAsync("run", skill, "-i", inventory, "--execute");
        var json = await CliProcess.RunAsync("run", skill, "-i", inventory, "--execute", "--output", "json");

        // Then both show the output by name
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Contains("  outputs:\n", text.Stdout);
        Assert.Contains("    found: value-7031", text.Stdout);
        Assert.True(json.ExitCode == 0, json.All);
        using var report = System.Text.Json.JsonDocument.Parse(json.Stdout);
        var host = report.RootElement.GetProperty("hosts").EnumerateArray().Single();
        Assert.Equal("value-7031", host.GetProperty("outputs").GetProperty("found").GetString()?.Trim());
    }

    [Fact]
    public async Task A_dry_run_on_a_host_that_cannot_be_reached_says_unreachable()
    {
        // Given a skill without preconditions and a host on a closed loopback port
        using var temp = new TempFolder();
        var inventory = temp.Write("inventory.yaml",
            "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  gone: {address: 127.0.0.1, port: 1, user: nobody}\n");
        var skill = temp.Write("skill.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: look, title: Look, description: Looks., stage: diagnosis}
            spec:
              targets: gone
              risk: read
              actions:
                - {name: gather, run: "uptime", risk: read}
            """);

        // When it is dry-run
        var result = await CliProcess.RunAsync("run", skill, "-i", inventory);

        // Then the host is unreachable, not planned
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("gone (127.0.0.1): unreachable", result.Stdout);
    }

    [Theory]
    [InlineData("run", "missing-skill.yaml", "-i", "missing-inventory.yaml")]
    [InlineData("rollback", "missing-report.json")]
    public async Task With_json_output_a_failure_prints_one_json_error_document_and_keeps_its_exit_code(params string[] args)
    {
        var result = await CliProcess.RunAsync([.. args, "--output", "json"]);

        Assert.Equal(2, result.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("not-found", error.GetProperty("kind").GetString());
        Assert.Contains("does not exist", error.GetProperty("message").GetString());
    }
}
