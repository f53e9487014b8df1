using System.Text.Json;
using Opsmith.Cli.Tests.Support;
using Opsmith.Testing;

namespace Opsmith.Cli.Tests;

/// <summary>The model stages from the command line, against a local model server, and their fallbacks when there is none.</summary>
public sealed class LlmCommandTests
{
    private static readonly Dictionary<string, string> NoProviderEnvironment = new()
    {
        ["OPENAI_API_KEY"] = "", ["OPENAI_BASE_URL"] = "", ["ANTHROPIC_API_KEY"] = "", ["ANTHROPIC_BASE_URL"] = "",
    };

    private static string[] Model(FakeModelServer server) =>
        ["--provider", server.Protocol == FakeProtocol.OpenAI ? "openai" : "anthropic", "--model", "cli-model", "--base-url", server.BaseUrl.ToString()];

    private static Dictionary<string, string> Keyed(string home) => new(NoProviderEnvironment)
    {
        ["ANTHROPIC_API_KEY"] = "sk-cli-test-key", ["OPSMITH_HOME"] = home,
    };

    [Fact]
    public async Task Agent_run_with_the_tool_loop_blocks_a_destructive_command_and_records_the_session()
    {
        using var temp = new TempFolder();
        var inventory = temp.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var catalog = Path.Combine(temp.Path, "skills");
        Directory.CreateDirectory(catalog);
        File.Copy(Path.Combine(CliProcess.RepositoryRoot, "skills", "check-disk-usage.yaml"), Path.Combine(catalog, "check-disk-usage.yaml"));
        await using var server = await FakeModelServer.StartAsync(FakeProtocol.Anthropic);
        server.Script(
            ScriptedAnswer.Tool("run_command", new { host = "self", command = "redis-cli FLUSHALL" }),
            ScriptedAnswer.Tool("report", new { conclusion = "redis is full; a person should decide what to flush" }));

        var result = await CliProcess.RunAsync(["agent", "run", "-i", inventory, "--catalog", catalog, "--description", "redis on self refuses writes",
            "--planner", "llm-tools", "--output", "json", .. Model(server)], Keyed(temp.Path));

        Assert.True(result.ExitCode == 0, result.All);
        using var document = JsonDocument.Parse(result.Stdout);
        var root = document.RootElement;
        Assert.Equal("diagnosed", root.GetProperty("status").GetString());
        Assert.Equal(240, root.GetProperty("tokens").GetInt64());
        var call = root.GetProperty("calls")[0];
        Assert.True(call.GetProperty("refused").GetBoolean());
        Assert.Contains("may only read", call.GetProperty("result").GetString());
        var sessions = await CliProcess.RunAsync(["agent", "sessions", "list", "--output", "json"], Keyed(temp.Path));
        using var listed = JsonDocument.Parse(sessions.Stdout);
        var stored = Assert.Single(listed.RootElement.GetProperty("sessions").EnumerateArray());
        Assert.Equal(root.GetProperty("session").GetString(), stored.GetProperty("id").GetString());
        Assert.Equal(240, stored.GetProperty("tokens").GetInt64()); // the tokens are in the session record, not only in the output
    }

    [Fact]
    public async Task Review_reads_an_agent_session_and_proposes_a_patch_for_its_failed_run()
    {
        using var temp = new TempFolder();
        var inventory = temp.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        temp.Write("skills/check-marker.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: check-marker, title: Look for the marker, description: Fails while the marker is missing., stage: diagnosis, version: 1}
            spec:
              inputs:
                host: {type: host, required: true, description: Where.}
              targets: "{{ inputs.host }}"
              risk: read
              actions:
                - {name: look, run: "true", risk: read}
              success_criteria:
                - name: marker-there
                  run: test -e /nonexistent/opsmith-review-marker
              findings:
                - {name: marker-missing, summary: "the marker is gone", when: {check: marker-there, outcome: failed}, hypotheses: [marker-gone], severity: warning}
            """);
        var env = Keyed(temp.Path);
        var run = await CliProcess.RunAsync(["agent", "run", "-i", inventory, "--catalog", Path.Combine(temp.Path, "skills"), "--description", "self is slow",
            "--stages", "detect,localize,diagnose", "--output", "json"], env);
        using var session = JsonDocument.Parse(run.Stdout);
        var id = session.RootElement.GetProperty("session_id").GetString()!;

        var review = await CliProcess.RunAsync(["review", id, "--output", "json"], env);
        var missing = await CliProcess.RunAsync(["review", "as-zzzzz"], env);

        Assert.True(review.ExitCode == 0, review.All);
        using var json = JsonDocument.Parse(review.Stdout);
        var reviewed = Assert.Single(json.RootElement.GetProperty("reviews").EnumerateArray());
        Assert.EndsWith("check-marker.yaml", reviewed.GetProperty("skill_file").GetString());
        Assert.Equal("flaky-check", reviewed.GetProperty("signatures")[0].GetProperty("kind").GetString());
        Assert.Contains("+      retry: {attempts: 3, interval: 5s}", reviewed.GetProperty("patch").GetString());
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("neither a report file nor an agent session", missing.Stderr);
    }

    [Fact]
    public async Task Agent_run_with_the_tool_loop_falls_back_to_the_heuristic_planner_when_the_server_is_down()
    {
        using var temp = new TempFolder();
        var inventory = temp.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var catalog = Path.Combine(temp.Path, "skills");
        Directory.CreateDirectory(catalog);
        var server = await FakeModelServer.StartAsync(FakeProtocol.OpenAI);
        var flags = Model(server);
        await server.DisposeAsync();

        var result = await CliProcess.RunAsync(["agent", "run", "-i", inventory, "--catalog", catalog, "--description", "something is slow",
            "--planner", "llm-tools", .. flags], Keyed(temp.Path));

        Assert.Contains("falling back to the heuristic planner", result.Stderr);
        Assert.Contains("cannot be reached", result.Stderr);
        Assert.DoesNotContain("internal error", result.All);
    }

    [Fact]
    public async Task Generate_with_llm_and_no_model_configured_writes_the_template_skill_and_says_it_fell_back()
    {
        using var temp = new TempFolder();

        var result = await CliProcess.RunAsync(["generate", "examples/task-cards/nginx-down.yaml", "--generator", "llm", "-o", temp.Path + "/"],
            new Dictionary<string, string>(NoProviderEnvironment) { ["OPSMITH_HOME"] = temp.Path });

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("note: generate: falling back to the template generator: no model is configured", result.Stderr);
        Assert.Contains("generator template", result.Stdout);
    }

    [Fact]
    public async Task Generate_with_llm_keeps_the_models_draft_when_it_passes_validate_strict()
    {
        using var temp = new TempFolder();
        var template = await CliProcess.RunAsync("generate", "examples/task-cards/nginx-down.yaml");
        await using var server = await FakeModelServer.StartAsync(FakeProtocol.OpenAI);
        server.Script(ScriptedAnswer.Text("```yaml\n" + template.Stdout.Replace("template generator", "a model") + "```"));

        var result = await CliProcess.RunAsync(["generate", "examples/task-cards/nginx-down.yaml", "--generator", "llm", "--output", "json", .. Model(server)],
            Keyed(temp.Path));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal("llm", JsonDocument.Parse(result.Stdout).RootElement.GetProperty("generator").GetString());
        Assert.Contains("passes validate --strict", result.Stderr);
    }

    [Fact]
    public async Task A_bad_provider_flag_is_a_usage_error()
    {
        var result = await CliProcess.RunAsync("generate", "examples/task-cards/nginx-down.yaml", "--generator", "llm", "--provider", "openia");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--provider must be openai or anthropic, not 'openia'", result.Stderr);
    }
}
