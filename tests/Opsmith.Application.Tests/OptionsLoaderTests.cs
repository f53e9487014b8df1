using Opsmith.Application.Configuration;
using Opsmith.Policy.Decisions;

namespace Opsmith.Application.Tests;

/// <summary>Configuration comes from the file, then the environment, then flags; every problem is reported with where it came from.</summary>
public sealed class OptionsLoaderTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("opsmith-config-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private (OpsmithOptions? Options, IReadOnlyList<ConfigurationIssue> Issues) Load(string? file, Dictionary<string, string>? environment = null,
        OptionOverrides? flags = null)
    {
        if (file is not null)
        {
            Directory.CreateDirectory(Path.Combine(_home, "config"));
            File.WriteAllText(Path.Combine(_home, "config", "opsmith.yaml"), file);
        }
        var variables = new Dictionary<string, string>(environment ?? []) { ["OPSMITH_HOME"] = _home };
        return OptionsLoader.Load(name => variables.GetValueOrDefault(name), flags ?? OptionOverrides.None);
    }

    [Fact]
    public void Without_a_file_the_defaults_apply()
    {
        var (options, issues) = Load(null);

        Assert.Empty(issues);
        Assert.Equal(PolicySettings.Default, options!.Policy);
        Assert.Null(options.ConfigFile);
        Assert.Equal(Path.Combine(_home, "data"), options.Paths.DataDirectory);
    }

    [Fact]
    public void The_environment_overrides_the_file_and_flags_override_both()
    {
        const string file = "apiVersion: opsmith/v1\nkind: Configuration\npolicy:\n  autonomy: observe\n  max_runs_per_hour: 5\n  run_budget: none\nclassifier:\n  read_only_programs:\n    acme-status: prints state\n";

        var fileOnly = Load(file).Options!;
        var withEnvironment = Load(file, new() { ["OPSMITH_AUTONOMY"] = "recommend", ["OPSMITH_MAX_RUNS_PER_HOUR"] = "7" }).Options!;
        var withFlag = Load(file, new() { ["OPSMITH_AUTONOMY"] = "recommend" }, new OptionOverrides(AutonomyLevel.AutomateDestructive)).Options!;

        Assert.Equal((AutonomyLevel.Observe, 5), (fileOnly.Policy.Autonomy, fileOnly.Policy.MaxRunsPerHour!.Value));
        Assert.Equal("prints state", fileOnly.ReadOnlyPrograms["acme-status"]);
        Assert.Equal((AutonomyLevel.Recommend, 7), (withEnvironment.Policy.Autonomy, withEnvironment.Policy.MaxRunsPerHour!.Value));
        Assert.Equal(AutonomyLevel.AutomateDestructive, withFlag.Policy.Autonomy);
    }

    [Fact]
    public void Every_problem_in_every_source_is_reported_at_once_with_where_it_is()
    {
        var (options, issues) = Load("apiVersion: opsmith/v1\nkind: Configuration\npolicy:\n  autonomy: observ\n  max_run_per_hour: 3\n  approval_expiry: 999999999999999999999d\n",
            new() { ["OPSMITH_MAX_RUNS_PER_HOUR_PER_SKILL"] = "0" });

        Assert.Null(options);
        var lines = issues.Select(i => i.ToString()).ToList();
        Assert.Contains(lines, l => l.EndsWith("opsmith.yaml:4: policy.autonomy: autonomy must be observe, recommend, automate-safe or automate-destructive, not 'observ'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("opsmith.yaml:5: ", StringComparison.Ordinal) && l.Contains("unknown key 'max_run_per_hour'", StringComparison.Ordinal)
                                    && l.Contains("did you mean 'max_runs_per_hour'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("opsmith.yaml:6: policy.approval_expiry:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("environment variable OPSMITH_MAX_RUNS_PER_HOUR_PER_SKILL: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("kind: Configuration\n", "missing required field 'apiVersion'")]
    [InlineData("apiVersion: opsmith/v1\nkind: Skill\n", "kind is 'Skill', but a configuration file has kind 'Configuration'")]
    [InlineData("apiVersion: opsmith/v1\nkind: Configuration\npolicy: [1, 2]\n", "a mapping")]
    [InlineData("apiVersion: opsmith/v1\nkind: Configuration\nclassifier:\n  read_only_programs:\n    acme: \"\"\n", "needs a reason")]
    [InlineData("\t- broken", "")]
    public void A_broken_file_is_refused_with_a_reason(string text, string reason)
    {
        var (options, issues) = Load(text);

        Assert.Null(options);
        Assert.Contains(issues, i => i.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_folder_where_the_file_should_be_is_reported_not_read()
    {
        Directory.CreateDirectory(Path.Combine(_home, "config", "opsmith.yaml"));

        var (options, issues) = Load(null);

        Assert.Null(options);
        Assert.Contains("is a folder", Assert.Single(issues).Message);
    }

    [Fact]
    public void Model_tiers_come_inline_or_from_a_model_tiers_file_and_an_inline_key_is_refused_at_its_line()
    {
        var (inline, _) = Load("""
            apiVersion: opsmith/v1
            kind: Configuration
            models:
              fast: {provider: openai, model: gpt-4.1-mini, api_key_env: TEAM_KEY}
            """);
        File.WriteAllText(Path.Combine(_home, "tiers.yaml"), "apiVersion: opsmith/v1\nkind: ModelTiers\ntiers:\n  reasoning: {provider: anthropic, model: claude-opus-4}\n");
        var (fromFile, _) = Load(null, new Dictionary<string, string> { ["OPSMITH_MODEL_TIERS"] = Path.Combine(_home, "tiers.yaml") });
        var (_, issues) = Load("""
            apiVersion: opsmith/v1
            kind: Configuration
            models:
              standard:
                provider: openai
                model: gpt-4.1
                api_key: sk-live-123
            """);

        Assert.Equal("TEAM_KEY", inline!.Models.For(Opsmith.Core.Agents.ModelTier.Fast)!.Credential!.EnvironmentVariable);
        Assert.Equal("claude-opus-4", fromFile!.Models.For(Opsmith.Core.Agents.ModelTier.Reasoning)!.Model);
        var issue = Assert.Single(issues);
        Assert.Equal(7, issue.Line);
        Assert.Contains("api_key_env", issue.Message);
    }
}
