using System.Text.Json;
using Opsmith.Cli.Tests.Support;
using Opsmith.Testing;

namespace Opsmith.Cli.Tests.Lab;

/// <summary>
/// <c>opsmith bench run --agent llm-tools --base-url …</c> on the real lab against a local OpenAI-compatible server: the
/// model's tool calls reach the lab through the guardrails, and the tokens it used are in the results.
/// </summary>
[Collection("lab")]
public sealed class LlmBenchLabTests(LabFixture lab) : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Bench_with_the_tool_loop_records_the_models_tokens_in_the_results()
    {
        lab.RequireUp();
        var suite = _home.Write("suite.yaml", """
            apiVersion: opsmith/v1
            kind: BenchSuite
            name: llm-smoke
            defaults: {time_limit: 60s}
            instances:
              - {id: control, fault: none, host: node2, task: detection, expected: {anomaly: false}}
            """);
        await using var server = await FakeModelServer.StartAsync(FakeProtocol.OpenAI);
        server.Script(
            ScriptedAnswer.Tool("run_command", new { host = "node2", command = "systemctl is-active nginx" }),
            ScriptedAnswer.Tool("report", new { conclusion = "node2 is healthy: nginx is active", hypothesis = "none" }));
        var output = Path.Combine(_home.Path, "results");

        var run = await CliProcess.RunAsync(["bench", "run", "--suite", suite, "--agent", "llm-tools", "--provider", "openai", "--model", "bench-model",
            "--base-url", server.BaseUrl.ToString(), "--output", output, "--name", lab.Name],
            new Dictionary<string, string> { ["OPSMITH_HOME"] = _home.Path, ["OPENAI_API_KEY"] = "", ["OPENAI_BASE_URL"] = "" });

        Assert.True(run.ExitCode == 0, run.All);
        var result = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(Path.Combine(output, "results.jsonl")))).RootElement;
        Assert.Equal(240, result.GetProperty("tokens").GetInt32());   // two answers of 100 input and 20 output tokens each
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        Assert.Equal(2, server.Requests.Count);
        // The model was shown what the command printed on the lab node.
        Assert.Contains("active", server.Requests[1]["messages"]!.AsArray().Last()!["content"]!.ToString());
    }
}
