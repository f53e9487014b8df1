using Opsmith.Core.Agents;
using Opsmith.Core.Diagnostics;
using Opsmith.Llm.Providers;
using Opsmith.Llm.Tiers;

namespace Opsmith.Llm.Tests;

public sealed class TierTests
{
    private static (ModelTiers Tiers, DiagnosticBag Diagnostics) Read(string yaml)
    {
        var diagnostics = new DiagnosticBag("tiers.yaml");
        return (ModelTiersReader.ReadDocument(yaml, diagnostics), diagnostics);
    }

    [Fact]
    public void A_tiers_file_maps_each_tier_to_provider_model_url_credential_headers_cap_and_timeout()
    {
        var (tiers, diagnostics) = Read("""
            apiVersion: opsmith/v1
            kind: ModelTiers
            tiers:
              fast: {provider: openai, model: gpt-4.1-mini, base_url: "http://127.0.0.1:11434/v1"}
              reasoning:
                provider: anthropic
                model: claude-opus-4
                api_key_file: /run/secrets/anthropic
                headers: {anthropic-beta: tools-2024}
                max_output_tokens: 8000
                timeout: 3m
            """);

        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        Assert.Equal("gpt-4.1-mini", tiers.For(ModelTier.Fast)!.Model);
        var reasoning = tiers.For(ModelTier.Reasoning)!;
        Assert.Equal(ModelProvider.Anthropic, reasoning.Provider);
        Assert.Equal("/run/secrets/anthropic", reasoning.Credential!.File);
        Assert.Equal("tools-2024", reasoning.Headers["anthropic-beta"]);
        Assert.Equal(8000, reasoning.MaxOutputTokens);
        Assert.Equal(TimeSpan.FromMinutes(3), reasoning.Timeout);
        Assert.Equal("claude-opus-4", tiers.For(ModelTier.Standard)!.Model); // no standard: the more capable configured tier
    }

    [Fact]
    public void A_key_written_inline_is_refused_at_its_line_and_names_where_keys_go()
    {
        var (_, diagnostics) = Read("""
            apiVersion: opsmith/v1
            kind: ModelTiers
            tiers:
              standard:
                provider: openai
                model: gpt-4.1
                api_key: sk-live-abc
            """);

        var error = Assert.Single(diagnostics.Items, d => d.IsError);
        Assert.Equal(7, error.Position.Line);
        Assert.Contains("api_key_env", error.Message);
    }

    [Fact]
    public void A_misspelt_tier_or_provider_is_an_error_with_a_suggestion()
    {
        var (_, diagnostics) = Read("""
            apiVersion: opsmith/v1
            kind: ModelTiers
            tiers:
              standrd: {provider: openai, model: m}
              fast: {provider: antropic, model: m}
            """);

        Assert.Contains(diagnostics.Items, d => d.Position.Line == 4 && d.Suggestion == "standard");
        Assert.Contains(diagnostics.Items, d => d.Position.Line == 5 && d.Suggestion == "anthropic");
    }

    [Fact]
    public void Without_tiers_or_flags_there_is_no_model_and_no_problem()
    {
        var (endpoint, problem) = ModelResolver.Resolve(ModelTiers.None, ModelTier.Standard, ModelOverrides.None, _ => null);

        Assert.Null(endpoint);
        Assert.Null(problem);
    }

    [Fact]
    public void Flags_and_the_providers_environment_variables_work_as_users_expect()
    {
        var environment = new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-1234", ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9/" };

        var (endpoint, problem) = ModelResolver.Resolve(ModelTiers.None, ModelTier.Standard, new ModelOverrides(Model: "claude-sonnet-4"),
            environment.GetValueOrDefault);

        Assert.Null(problem);
        Assert.Equal(ModelProvider.Anthropic, endpoint!.Settings.Provider);
        Assert.Equal("http://127.0.0.1:9/", endpoint.Settings.BaseUrl!.ToString());
        Assert.Equal(["sk-ant-1234"], endpoint.Secrets);
        Assert.DoesNotContain("sk-ant", endpoint.ToString());
    }

    [Fact]
    public void A_configured_credential_that_is_missing_is_a_problem_naming_the_variable()
    {
        var tiers = new ModelTiers(new Dictionary<ModelTier, ModelSettings>
        {
            [ModelTier.Standard] = ModelSettings.For(ModelProvider.OpenAI, "gpt-4.1") with { Credential = CredentialSource.FromVariable("TEAM_OPENAI_KEY") },
        });

        var (endpoint, problem) = ModelResolver.Resolve(tiers, ModelTier.Standard, ModelOverrides.None, _ => null);

        Assert.Null(endpoint);
        Assert.Contains("TEAM_OPENAI_KEY", problem);
    }
}
