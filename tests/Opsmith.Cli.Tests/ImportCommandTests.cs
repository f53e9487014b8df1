using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>
/// `opsmith import` as a user runs it: a Legator agent, its environment, its skill and its model tiers become files that
/// `opsmith validate` accepts, the agent starts, the summary says so, and a second import leaves the files alone unless --force.
/// </summary>
public sealed class ImportCommandTests
{
    internal const string LegatorAgent = """
        apiVersion: legator.io/v1alpha1
        kind: LegatorAgent
        metadata:
          name: host-health
          namespace: agents
        spec:
          description: "Checks load and disk of this machine every 10 minutes"
          environmentRef: local-lab
          schedule:
            cron: "*/10 * * * *"
          model:
            tier: fast
            tokenBudget: 12000
          skills:
            - source: "configmap://skill-host-health"
          guardrails:
            autonomy: observe
            maxIterations: 4
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: skill-host-health
        data:
          SKILL.md: |
            # Host health
            1. **Load**: `uptime`
            2. **Disk**: `df -P /`
        """;

    private const string Environment = """
        apiVersion: legator.io/v1alpha1
        kind: LegatorEnvironment
        metadata:
          name: local-lab
        spec:
          connection:
            kind: in-cluster
          channels:
            alerts:
              type: webhook
              target: https://hooks.example.com/T0/secret-token
        """;

    private const string Tiers = """
        apiVersion: legator.io/v1alpha1
        kind: ModelTierConfig
        metadata:
          name: default
        spec:
          defaultAuth: {type: apiKey, secretRef: llm-api-key, secretKey: api-key}
          tiers:
            - {tier: fast, provider: openai, model: gpt-4.1-mini, maxTokens: 2048}
        """;

    [Fact]
    public async Task Imported_Legator_files_pass_validate_and_are_not_overwritten_without_force()
    {
        using var temp = new TempFolder();
        temp.Write("legator/agent.yaml", LegatorAgent);
        temp.Write("legator/environment.yaml", Environment);
        temp.Write("legator/tiers.yaml", Tiers);

        var import = await CliProcess.RunAsync(["import", "legator", "legator", "-o", "out"], null, temp.Path);

        Assert.True(import.ExitCode == 0, import.All);
        Assert.Contains("SOURCE", import.Stdout);
        Assert.Matches(@"out/host-health\.agent\.yaml\s+valid", import.Stdout);
        Assert.Matches(@"out/local-lab\.environment\.yaml\s+valid", import.Stdout);
        Assert.Matches(@"out/default\.model-tiers\.yaml\s+valid", import.Stdout);
        Assert.Matches(@"out/skills/host-health\.yaml\s+valid", import.Stdout);
        Assert.DoesNotContain("secret-token", File.ReadAllText(Path.Combine(temp.Path, "out/local-lab.environment.yaml")));
        var validate = await CliProcess.RunAsync(["validate", "out"], null, temp.Path);
        Assert.True(validate.ExitCode == 0, validate.All);
        // The imported agent starts: its environment's inventory is this machine (Legator ran in the cluster).
        var session = await CliProcess.RunAsync(["agent", "run", "out/host-health.agent.yaml", "--description", "this machine is slow", "--stages", "detect,localize"], null, temp.Path);
        Assert.True(session.ExitCode == 0, session.All);
        Assert.Contains("Session ", session.Stdout);

        var again = await CliProcess.RunAsync(["import", "legator", "legator", "-o", "out", "--output", "json"], null, temp.Path);
        Assert.Equal(1, again.ExitCode);
        using var json = JsonDocument.Parse(again.Stdout);
        Assert.All(json.RootElement.GetProperty("files").EnumerateArray(), f => Assert.Equal("exists", f.GetProperty("result").GetString()));

        var forced = await CliProcess.RunAsync(["import", "legator", "legator", "-o", "out", "--force"], null, temp.Path);
        Assert.True(forced.ExitCode == 0, forced.All);
    }

    [Fact]
    public async Task A_missing_source_is_a_clear_error_in_text_and_in_json()
    {
        using var temp = new TempFolder();

        var text = await CliProcess.RunAsync(["import", "opsskill", "nowhere"], null, temp.Path);
        var json = await CliProcess.RunAsync(["import", "opsskill", "nowhere", "--output", "json"], null, temp.Path);

        Assert.NotEqual(0, text.ExitCode);
        Assert.Contains("'nowhere' does not exist", text.Stderr);
        Assert.Equal(text.ExitCode, json.ExitCode);
        Assert.Contains("'nowhere' does not exist", JsonDocument.Parse(json.Stdout).RootElement.GetProperty("error").GetProperty("message").GetString());
    }
}
