using Opsmith.Core.Agents;
using Opsmith.Llm.Tiers;

namespace Opsmith.Llm.Providers;

/// <summary>
/// A model ready to be called: its settings after flags and environment variables, and the key read from its
/// credential source. The key is never printed (<see cref="ToString"/> leaves it out) and never sent anywhere
/// but to the provider's own address.
/// </summary>
public sealed class ModelEndpoint(ModelSettings settings, string? apiKey)
{
    public ModelSettings Settings { get; } = settings;

    internal string? ApiKey { get; } = apiKey;

    /// <summary>For the secret masker: the key, so that no output path can show it.</summary>
    public IEnumerable<string> Secrets => ApiKey is { Length: >= 4 } key ? [key] : [];

    public override string ToString() => Settings.Describe();
}

/// <summary>
/// Turns configured tiers, flags and environment variables into a <see cref="ModelEndpoint"/>: the tier's model,
/// then <c>--provider/--model/--base-url</c>, then <c>OPENAI_BASE_URL</c>/<c>ANTHROPIC_BASE_URL</c> when no base
/// URL is configured, and the key from the tier's credential source or <c>OPENAI_API_KEY</c>/<c>ANTHROPIC_API_KEY</c>.
/// With no tier configured and no flag given, there is no model (null): every stage then says it falls back.
/// </summary>
public static class ModelResolver
{
    public static (ModelEndpoint? Endpoint, string? Problem) Resolve(ModelTiers tiers, ModelTier tier, ModelOverrides overrides,
        Func<string, string?> environment)
    {
        var configured = tiers.For(tier);
        if (configured is null && !overrides.Any) return (null, null);
        ModelSettings settings;
        if (configured is null)
        {
            var provider = overrides.Provider ?? (environment("ANTHROPIC_API_KEY") is { Length: > 0 } && environment("OPENAI_API_KEY") is not { Length: > 0 }
                ? ModelProvider.Anthropic : ModelProvider.OpenAI);
            if (overrides.Model is null)
                return (null, $"no model tier is configured and --model was not given; name a model (--model) or configure 'models:' (docs/llm.md)");
            settings = ModelSettings.For(provider, overrides.Model);
        }
        else
        {
            settings = configured;
            if (overrides.Provider is { } provider && provider != settings.Provider)
                settings = settings with { Provider = provider, Credential = null, BaseUrl = null };
        }
        if (overrides.Model is { } model) settings = settings with { Model = model };
        if (overrides.BaseUrl is { } url) settings = settings with { BaseUrl = url };
        if (settings.BaseUrl is null && environment(BaseUrlVariable(settings.Provider)) is { Length: > 0 } fromEnvironment)
        {
            if (!Uri.TryCreate(fromEnvironment, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
                return (null, $"{BaseUrlVariable(settings.Provider)} is '{fromEnvironment}', which is not an http:// or https:// address");
            settings = settings with { BaseUrl = parsed };
        }

        var source = settings.Credential ?? CredentialSource.FromVariable(KeyVariable(settings.Provider));
        var (key, keyProblem) = ReadKey(source, environment);
        if (keyProblem is not null && settings.Credential is not null) return (null, $"{settings.Describe()}: {keyProblem}");
        if (key is null && (settings.BaseUrl is null || settings.Provider == ModelProvider.Anthropic))
            return (null, $"{settings.Describe()} needs an API key: set {KeyVariable(settings.Provider)} or name api_key_env/api_key_file in the tier (docs/llm.md)");
        return (new ModelEndpoint(settings, key), null);
    }

    public static string KeyVariable(ModelProvider provider) => provider == ModelProvider.OpenAI ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY";

    public static string BaseUrlVariable(ModelProvider provider) => provider == ModelProvider.OpenAI ? "OPENAI_BASE_URL" : "ANTHROPIC_BASE_URL";

    private static (string? Key, string? Problem) ReadKey(CredentialSource source, Func<string, string?> environment)
    {
        if (source.EnvironmentVariable is { } variable)
            return environment(variable) is { Length: > 0 } value ? (value.Trim(), null) : (null, $"environment variable {variable} is not set");
        try
        {
            var text = File.ReadAllText(source.File!).Trim();
            return text.Length > 0 ? (text, null) : (null, $"the key file {source.File} is empty");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"the key file {source.File} cannot be read: {e.Message}");
        }
    }
}
