using System.Text.Json.Serialization;
using Opsmith.Core.Agents;

namespace Opsmith.Llm.Tiers;

/// <summary>Which wire protocol a model speaks.</summary>
public enum ModelProvider
{
    /// <summary>OpenAI chat completions: OpenAI itself and every compatible server (vLLM, Ollama, Kimi, …).</summary>
    [JsonStringEnumMemberName("openai")] OpenAI,
    /// <summary>Anthropic messages.</summary>
    [JsonStringEnumMemberName("anthropic")] Anthropic,
}

/// <summary>
/// Where an API key comes from: an environment variable or a file, never the configuration itself (a
/// configuration file is shared and committed; a key in it is a leaked key).
/// </summary>
public sealed record CredentialSource(string? EnvironmentVariable, string? File)
{
    public static CredentialSource FromVariable(string name) => new(name, null);

    public override string ToString() => EnvironmentVariable is { } v ? $"environment variable {v}" : $"file {File}";
}

/// <summary>One tier's model: who serves it, how to reach it, and the limits of one call.</summary>
/// <param name="MaxOutputTokens">The most tokens one answer may have (the per-call cap sent to the provider).</param>
/// <param name="Timeout">How long one call may take, retries excluded.</param>
public sealed record ModelSettings(
    ModelProvider Provider,
    string Model,
    Uri? BaseUrl,
    CredentialSource? Credential,
    IReadOnlyDictionary<string, string> Headers,
    int MaxOutputTokens,
    TimeSpan Timeout)
{
    public const int DefaultMaxOutputTokens = 4096;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    public static ModelSettings For(ModelProvider provider, string model) =>
        new(provider, model, null, null, new Dictionary<string, string>(), DefaultMaxOutputTokens, DefaultTimeout);

    /// <summary>"openai model gpt-4.1 at http://…": how errors and notes name the model.</summary>
    public string Describe() => $"{ProviderName(Provider)} model {Model}" + (BaseUrl is { } url ? $" at {url}" : "");

    public static string ProviderName(ModelProvider provider) => provider == ModelProvider.OpenAI ? "openai" : "anthropic";

    public static ModelProvider? ParseProvider(string text) => text switch
    {
        "openai" => ModelProvider.OpenAI,
        "anthropic" => ModelProvider.Anthropic,
        _ => null,
    };

    public static ModelTier? ParseTier(string text) => text switch
    {
        "fast" => ModelTier.Fast,
        "standard" => ModelTier.Standard,
        "reasoning" => ModelTier.Reasoning,
        _ => null,
    };

    public static string TierName(ModelTier tier) => tier switch
    {
        ModelTier.Fast => "fast",
        ModelTier.Standard => "standard",
        ModelTier.Reasoning => "reasoning",
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "unknown model tier"),
    };
}

/// <summary>The configured tiers; a tier that is not configured falls back to the nearest one that is.</summary>
public sealed record ModelTiers(IReadOnlyDictionary<ModelTier, ModelSettings> Tiers)
{
    public static readonly ModelTiers None = new(new Dictionary<ModelTier, ModelSettings>());

    public bool IsEmpty => Tiers.Count == 0;

    /// <summary>The tier itself, else standard, else any configured one (fast before reasoning for a fast task).</summary>
    public ModelSettings? For(ModelTier tier)
    {
        if (Tiers.TryGetValue(tier, out var exact)) return exact;
        if (Tiers.TryGetValue(ModelTier.Standard, out var standard)) return standard;
        var order = tier == ModelTier.Fast ? new[] { ModelTier.Fast, ModelTier.Reasoning } : [ModelTier.Reasoning, ModelTier.Fast];
        return order.Select(t => Tiers.GetValueOrDefault(t)).FirstOrDefault(s => s is not null);
    }
}

/// <summary>Flags that override a tier's model for one command: <c>--provider</c>, <c>--model</c>, <c>--base-url</c> (null: not given).</summary>
public sealed record ModelOverrides(ModelProvider? Provider = null, string? Model = null, Uri? BaseUrl = null)
{
    public static readonly ModelOverrides None = new();

    public bool Any => Provider is not null || Model is not null || BaseUrl is not null;
}
