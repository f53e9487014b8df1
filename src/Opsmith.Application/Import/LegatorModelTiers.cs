using Opsmith.Core.Yaml;

namespace Opsmith.Application.Import;

/// <summary>
/// A <c>ModelTierConfig</c> as Opsmith model tiers (<c>kind: ModelTiers</c>, docs/llm.md): each tier's provider, model,
/// endpoint and output limit; the API key by reference (<c>api_key_env</c>), named after the Kubernetes Secret it was in.
/// </summary>
public static class LegatorModelTiers
{
    /// <summary>Providers that speak OpenAI's chat-completions protocol (given an endpoint where they need one).</summary>
    private static readonly string[] OpenAICompatible = ["openai", "azure", "azure-openai", "ollama", "vllm", "openai-compatible", "kimi", "deepseek", "mistral", "groq", "together", "openrouter"];

    public static Conversion Convert(SourceDocument doc, string file, ImportContext context, ImportNotes notes)
    {
        var sourceName = SourceYaml.Str(SourceYaml.Map(doc.Root, "metadata"), "name") ?? "default";
        var spec = SourceYaml.Map(doc.Root, "spec");
        var tiers = SourceYaml.Seq(spec, "tiers");
        if (tiers.Count == 0)
        {
            notes.CannotImport(SourceYaml.LineOf(doc.Root, "spec"), "spec.tiers", $"ModelTierConfig '{sourceName}' maps no tier to a model{(spec is null || spec.Entries.Count == 0 ? " (an empty scaffold)" : "")}; there is nothing to carry over");
            return Conversion.Empty;
        }
        var defaultAuth = SourceYaml.Map(spec, "defaultAuth");
        var w = new YamlWriter();
        w.Comment($"Imported by `opsmith import legator` from {Path.GetFileName(file)} (ModelTierConfig {sourceName}). API keys come from the environment variables named here.");
        w.Field("apiVersion", "opsmith/v1").Field("kind", "ModelTiers");
        var written = 0;
        var seen = new HashSet<string>();
        w.Section("tiers", t =>
        {
            foreach (var item in tiers.OfType<YamlMapping>())
            {
                var tier = SourceYaml.Str(item, "tier");
                var line = item.Position.Line;
                if (tier is not ("fast" or "standard" or "reasoning") || !seen.Add(tier))
                {
                    notes.NotCarried(line, "tiers", tier is null ? "a tier without a name" : $"tier '{tier}' is {(seen.Contains(tier) ? "mapped twice; the first is kept" : "not fast, standard or reasoning")}");
                    continue;
                }
                var provider = SourceYaml.Str(item, "provider")?.ToLowerInvariant();
                var endpoint = SourceYaml.Str(item, "endpoint");
                var wire = provider == "anthropic" ? "anthropic" : provider is not null && OpenAICompatible.Contains(provider) ? "openai" : null;
                if (wire is null || SourceYaml.Str(item, "model") is not { } model)
                {
                    notes.NotCarried(line, $"tiers.{tier}", wire is null
                        ? $"provider '{provider}' speaks neither OpenAI's nor Anthropic's protocol, the two Opsmith talks; put an OpenAI-compatible gateway in front of it and name its base_url"
                        : "the tier names no model");
                    continue;
                }
                if (wire == "openai" && provider != "openai" && endpoint is null)
                    notes.Review(line, $"tiers.{tier}.endpoint", $"provider '{provider}' is spoken to as OpenAI-compatible; add its base_url");
                var auth = SourceYaml.Map(item, "auth") ?? defaultAuth;
                var keyEnv = KeyVariable(auth, tier, line, notes);
                written++;
                t.Section(tier, x =>
                {
                    x.Field("provider", wire).Field("model", model).Field("base_url", endpoint).Field("api_key_env", keyEnv);
                    if (long.TryParse(SourceYaml.Str(item, "maxTokens"), out var max) && max > 0) x.Field("max_output_tokens", max);
                });
                foreach (var cost in item.Entries.Where(e => e.Key.Value.StartsWith("costPer", StringComparison.Ordinal)))
                    notes.NotCarried(cost.Key.Position.Line, $"tiers.{tier}.{cost.Key.Value}", "Opsmith counts tokens against budgets, not money");
            }
        });
        if (written == 0)
        {
            notes.CannotImport(doc.Line, "spec.tiers", $"no tier of ModelTierConfig '{sourceName}' could be carried over (see the notes above)");
            return Conversion.Empty;
        }
        var name = context.Claim(ImportedKind.ModelTiers, SourceYaml.Kebab(sourceName), file, doc.Line, notes);
        return new Conversion([new ConvertedFile(file, doc.Line, ImportedKind.ModelTiers, name, $"{name}.model-tiers.yaml", w.ToString())], []);
    }

    /// <summary>The variable the key is read from: named after its Secret, with the command that fills it from the cluster.</summary>
    private static string? KeyVariable(YamlMapping? auth, string tier, int line, ImportNotes notes)
    {
        var type = SourceYaml.Str(auth, "type") ?? "apiKey";
        if (auth is null || type == "none") return null;
        if (type != "apiKey")
        {
            notes.NotCarried(SourceYaml.LineOf(auth, "type"), $"tiers.{tier}.auth", $"{type} authentication has no counterpart; Opsmith sends an API key (api_key_env or api_key_file)");
            return null;
        }
        var secret = SourceYaml.Str(auth, "secretRef") ?? "llm-api-key";
        var key = SourceYaml.Str(auth, "secretKey") ?? "api-key";
        var variable = SourceYaml.EnvName(secret);
        notes.Review(line, $"tiers.{tier}.auth", $"the {tier} tier reads its key from ${variable}: export {variable}=\"$(kubectl get secret {secret} -o jsonpath='{{.data.{key}}}' | base64 -d)\" (the key stays out of the file)");
        return variable;
    }
}
