using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenAI;
using Opsmith.Llm.Tiers;

namespace Opsmith.Llm.Providers;

/// <summary>How often and how patiently a failed call is tried again (429 and 5xx, a dropped connection, a time-out).</summary>
public sealed record RetrySettings(int Attempts, TimeSpan FirstDelay)
{
    public static readonly RetrySettings Default = new(3, TimeSpan.FromSeconds(1));
}

/// <summary>
/// Builds an <see cref="IChatClient"/> for a <see cref="ModelEndpoint"/>: the official OpenAI SDK (any
/// OpenAI-compatible base URL) or the official Anthropic SDK, each on an HTTP client that adds the tier's extra
/// headers and records the status of every answer, with the SDKs' own retries off and Opsmith's
/// (<see cref="ResilientChatClient"/>) on top, so both providers retry and fail the same way.
/// </summary>
public static class ChatClientFactory
{
    public static IChatClient Create(ModelEndpoint endpoint, RetrySettings? retry = null)
    {
        var settings = endpoint.Settings;
        var http = new HttpClient(new ProviderHttpHandler(settings.Headers) { InnerHandler = new SocketsHttpHandler() })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // the per-call timeout is ResilientChatClient's
        };
        IChatClient inner = settings.Provider switch
        {
            ModelProvider.OpenAI => new OpenAIClient(new ApiKeyCredential(endpoint.ApiKey ?? "unused"), new OpenAIClientOptions
            {
                Endpoint = settings.BaseUrl,
                RetryPolicy = new ClientRetryPolicy(0),
                Transport = new HttpClientPipelineTransport(http),
                NetworkTimeout = System.Threading.Timeout.InfiniteTimeSpan,
            }).GetChatClient(settings.Model).AsIChatClient(),
            _ => new AnthropicClient(new Anthropic.Core.ClientOptions
            {
                ApiKey = endpoint.ApiKey,
                BaseUrl = settings.BaseUrl?.ToString().TrimEnd('/') ?? "https://api.anthropic.com",
                HttpClient = http,
                MaxRetries = 0,
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            }).AsIChatClient(settings.Model, settings.MaxOutputTokens),
        };
        return new ResilientChatClient(inner, settings, retry ?? RetrySettings.Default);
    }
}
