using Opsmith.Core.Agents;
using Microsoft.Extensions.AI;
using Opsmith.Llm.Providers;
using Opsmith.Llm.Tiers;

namespace Opsmith.Application.Llm;

/// <summary>
/// The model a stage may use, or why there is none. With no model configured (no tier, no flag), every stage runs
/// its deterministic path and says so; a configured model whose key is missing is a problem the stage names too.
/// </summary>
public sealed record ModelChoice(IChatClient? Client, ModelEndpoint? Endpoint, string? WhyNone)
{
    public bool Available => Client is not null;

    /// <summary>"no model is configured" or the resolver's problem, as the fallback note says it.</summary>
    public string FallbackReason => WhyNone ?? "no model is configured";
}

/// <summary>Resolves a tier (with <c>--provider/--model/--base-url</c>) to a chat client; the key joins the process's secrets at once.</summary>
public static class ModelAccess
{
    public static ModelChoice For(OpsmithServices services, ModelTier tier, ModelOverrides? overrides, Func<string, string?>? environment = null)
    {
        var (endpoint, problem) = ModelResolver.Resolve(services.Options.Models, tier, overrides ?? ModelOverrides.None,
            environment ?? Environment.GetEnvironmentVariable);
        if (endpoint is null) return new ModelChoice(null, null, problem);
        foreach (var secret in endpoint.Secrets) services.RegisterSecret(secret);
        return new ModelChoice(ChatClientFactory.Create(endpoint, services.ModelRetry), endpoint, null);
    }

    /// <summary>The note a stage prints when it falls back: what it wanted, why it could not, what it does instead.</summary>
    public static string FallbackNote(string stage, string reason, string instead) => $"{stage}: falling back to {instead}: {reason}";
}
