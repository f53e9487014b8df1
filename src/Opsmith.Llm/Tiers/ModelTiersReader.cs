using Opsmith.Core.Agents;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Yaml;

namespace Opsmith.Llm.Tiers;

/// <summary>
/// Reads model tiers — the <c>models:</c> section of <c>opsmith.yaml</c>, or a whole <c>kind: ModelTiers</c>
/// document — into <see cref="ModelTiers"/>, every problem a diagnostic with its line and field. A key written
/// inline (<c>api_key:</c>) is refused: keys come from an environment variable or a file.
/// </summary>
public static class ModelTiersReader
{
    public const string Kind = "ModelTiers";

    private static readonly string[] Keys = ["provider", "model", "base_url", "api_key_env", "api_key_file", "headers", "max_output_tokens", "timeout"];

    /// <summary>A <c>kind: ModelTiers</c> document: <c>apiVersion</c>, <c>kind</c>, and <c>tiers:</c>.</summary>
    public static ModelTiers ReadDocument(string text, DiagnosticBag diagnostics)
    {
        var root = YamlDocumentReader.Read(text, diagnostics);
        if (root is null) return ModelTiers.None;
        var read = new NodeReader(diagnostics);
        if (read.Mapping(root, "the model tiers") is not { } top) return ModelTiers.None;
        read.AllowOnly(top, "the model tiers", "apiVersion", "kind", "tiers");
        if (read.String(top, "apiVersion", "the model tiers", required: true) is { } api && api != "opsmith/v1")
            diagnostics.Error("bad-api-version", top["apiVersion"]!.Position, $"apiVersion is '{api}'; this Opsmith reads 'opsmith/v1'", "apiVersion");
        if (read.String(top, "kind", "the model tiers", required: true) is { } kind && kind != Kind)
            diagnostics.Error("bad-kind", top["kind"]!.Position, $"kind is '{kind}', but a model tiers file has kind '{Kind}'", "kind");
        return read.Required(top, "tiers", "the model tiers") is { } tiers ? ReadTiers(read, tiers, "tiers") : ModelTiers.None;
    }

    /// <summary>A mapping of tier name → model, as under <c>models:</c> in the configuration file.</summary>
    public static ModelTiers ReadTiers(NodeReader read, YamlNode node, string context)
    {
        if (read.Mapping(node, $"'{context}'") is not { } mapping) return ModelTiers.None;
        var tiers = new Dictionary<ModelTier, ModelSettings>();
        foreach (var entry in mapping.Entries)
        {
            if (ModelSettings.ParseTier(entry.Key.Value) is not { } tier)
            {
                read.Diagnostics.Error("unknown-field", entry.Key.Position,
                    $"'{entry.Key.Value}' in '{context}' is not a model tier; the tiers are fast, standard and reasoning", entry.Key.Path,
                    Core.Text.Suggestions.Closest(entry.Key.Value, ["fast", "standard", "reasoning"]));
                continue;
            }
            if (ReadModel(read, entry.Value, $"{context}.{entry.Key.Value}") is { } settings) tiers[tier] = settings;
        }
        return new ModelTiers(tiers);
    }

    private static ModelSettings? ReadModel(NodeReader read, YamlNode node, string context)
    {
        if (read.Mapping(node, $"'{context}'") is not { } model) return null;
        var diagnostics = read.Diagnostics;
        foreach (var inline in model.Entries.Where(e => e.Key.Value is "api_key" or "key" or "token" or "password"))
            diagnostics.Error("inline-secret", inline.Key.Position,
                $"'{inline.Key.Value}' in '{context}' would put a credential in the configuration; name where it is instead: api_key_env: VARIABLE or api_key_file: /path",
                inline.Key.Path);
        read.AllowOnly(model, $"'{context}'", [.. Keys, "api_key", "key", "token", "password"]);
        var errorsBefore = diagnostics.Items.Count(d => d.IsError);

        ModelProvider? provider = null;
        if (read.String(model, "provider", $"'{context}'", required: true) is { } providerText)
        {
            provider = ModelSettings.ParseProvider(providerText);
            if (provider is null)
                diagnostics.Error("bad-value", model["provider"]!.Position, $"'provider' in '{context}' must be openai or anthropic, not '{providerText}'",
                    model["provider"]!.Path, Core.Text.Suggestions.Closest(providerText, ["openai", "anthropic"]));
        }
        var name = read.String(model, "model", $"'{context}'", required: true);
        Uri? baseUrl = null;
        if (read.String(model, "base_url", $"'{context}'") is { } urlText)
        {
            if (!Uri.TryCreate(urlText, UriKind.Absolute, out baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                diagnostics.Error("bad-value", model["base_url"]!.Position, $"'base_url' in '{context}' must be an http:// or https:// address, not '{urlText}'", model["base_url"]!.Path);
                baseUrl = null;
            }
        }
        var env = read.String(model, "api_key_env", $"'{context}'");
        var file = read.String(model, "api_key_file", $"'{context}'");
        if (env is not null && file is not null)
            diagnostics.Error("conflict", model.Find("api_key_file")!.Key.Position, $"'{context}' names both api_key_env and api_key_file; keep one", model.Find("api_key_file")!.Key.Path);
        if (env is not null && !System.Text.RegularExpressions.Regex.IsMatch(env, "^[A-Za-z_][A-Za-z0-9_]*$"))
            diagnostics.Error("bad-value", model["api_key_env"]!.Position, $"'api_key_env' in '{context}' must be the name of an environment variable, not '{NodeReader.Truncate(env)}'", model["api_key_env"]!.Path);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (model["headers"] is { } headerNode && read.Mapping(headerNode, $"'{context}.headers'") is { } headerMap)
            foreach (var header in headerMap.Entries)
            {
                if (header.Key.Value.Equals("authorization", StringComparison.OrdinalIgnoreCase) || header.Key.Value.Equals("x-api-key", StringComparison.OrdinalIgnoreCase))
                    diagnostics.Error("inline-secret", header.Key.Position,
                        $"header '{header.Key.Value}' in '{context}.headers' would put a credential in the configuration; use api_key_env or api_key_file", header.Key.Path);
                else if (read.String(header.Value, $"header '{header.Key.Value}'") is { } value) headers[header.Key.Value] = value;
            }
        var maxTokens = read.Int(model, "max_output_tokens", $"'{context}'", min: 1, max: 1_000_000) ?? ModelSettings.DefaultMaxOutputTokens;
        var timeout = read.Duration(model, "timeout", $"'{context}'") ?? ModelSettings.DefaultTimeout;
        if (diagnostics.Items.Count(d => d.IsError) > errorsBefore || provider is null || name is null) return null;
        var credential = env is not null ? CredentialSource.FromVariable(env) : file is not null ? new CredentialSource(null, file) : null;
        return new ModelSettings(provider.Value, name, baseUrl, credential, headers, maxTokens, timeout);
    }
}
