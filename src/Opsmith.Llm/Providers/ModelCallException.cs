using System.Net;
using Opsmith.Llm.Tiers;

namespace Opsmith.Llm.Providers;

/// <summary>
/// A model call that did not give an answer, after retries: names the provider, the model and, when the server
/// answered, its HTTP status. Stages catch it and fall back to their deterministic path, saying why.
/// </summary>
public sealed class ModelCallException(ModelSettings model, HttpStatusCode? status, string reason, Exception? inner = null)
    : Exception(Describe(model, status, reason), inner)
{
    public ModelSettings Model { get; } = model;
    public HttpStatusCode? Status { get; } = status;

    private static string Describe(ModelSettings model, HttpStatusCode? status, string reason) =>
        $"{model.Describe()} " + (status is { } s ? $"answered HTTP {(int)s} ({s}): {reason}" : reason);
}
