using Opsmith.Core.Agents;
using System.CommandLine;
using Opsmith.Application;
using Opsmith.Application.Llm;
using Opsmith.Llm.Tiers;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>--provider</c>, <c>--model</c> and <c>--base-url</c>: on every verb that uses a model, overriding the
/// configured tier for one command (docs/llm.md). Keys never come from a flag: OPENAI_API_KEY, ANTHROPIC_API_KEY
/// or the tier's api_key_env/api_key_file.
/// </summary>
public sealed class ModelFlags
{
    public Option<string?> Provider { get; } = new("--provider") { Description = "openai | anthropic: the model provider for this command (overrides the configured tier).", HelpName = "openai|anthropic" };
    public Option<string?> Model { get; } = new("--model") { Description = "The model's name at the provider (overrides the configured tier)." };
    public Option<string?> BaseUrl { get; } = new("--base-url") { Description = "The provider's base URL: any OpenAI-compatible server (vLLM, Ollama, …) or an Anthropic endpoint." };

    public void AddTo(Command command)
    {
        command.Options.Add(Provider);
        command.Options.Add(Model);
        command.Options.Add(BaseUrl);
    }

    public ModelOverrides Read(ParseResult parse)
    {
        ModelProvider? provider = null;
        if (parse.GetValue(Provider) is { } text)
            provider = ModelSettings.ParseProvider(text) ?? throw new UsageException($"--provider must be openai or anthropic, not '{text}'");
        Uri? url = null;
        if (parse.GetValue(BaseUrl) is { } urlText && (!Uri.TryCreate(urlText, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https")))
            throw new UsageException($"--base-url must be an http:// or https:// address, not '{urlText}'");
        return new ModelOverrides(provider, parse.GetValue(Model), url);
    }

    /// <summary>The model for a stage, or why none; a configured model that cannot be used is a note, and the stage falls back.</summary>
    public static ModelChoice Choose(OpsmithServices services, ModelTier tier, ModelOverrides overrides) => ModelAccess.For(services, tier, overrides);
}
