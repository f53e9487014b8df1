using Opsmith.Application.Catalog;
using Opsmith.Application.Configuration;
using Opsmith.Application.Validation;
using Opsmith.Core.Agents;
using Opsmith.Core.Documents;
using Opsmith.Core.Skills;

namespace Opsmith.Application.Agents;

/// <summary>
/// Reads an agent file and its environment, the inventory and the catalog, and checks that they fit together: every
/// invariant's skill is in the catalog, allowed by the agent and can run on a host. Problems name file, line and field.
/// </summary>
public sealed class AgentLoader(OpsmithServices services)
{
    /// <param name="agentFile">The agent file, or null for the default agent over <paramref name="inventory"/> and the catalog.</param>
    /// <param name="inventory">Overrides the environment's inventory (or is the only one, with no agent file).</param>
    /// <param name="prometheus">Overrides the environment's Prometheus URL.</param>
    /// <param name="catalogFolder">The skill catalog; null finds <c>skills/</c> above the working folder or this program.</param>
    public async Task<Result<LoadedAgent>> LoadAsync(string? agentFile, string? inventory, string? prometheus, string? catalogFolder, CancellationToken ct)
    {
        var catalogPath = catalogFolder ?? CatalogLocator.Find();
        if (catalogPath is null || !Directory.Exists(catalogPath))
            return OpsmithError.NotFound(catalogFolder is null ? "cannot find the skill catalog (a skills/ folder above the working folder); give --catalog" : $"catalog folder '{catalogFolder}' does not exist");
        var catalog = await SkillCatalog.LoadAsync(catalogPath, services.Linter, ct);

        AgentDefinition definition;
        EnvironmentDefinition? environment = null;
        if (agentFile is null)
        {
            if (inventory is null) return OpsmithError.BadRequest("give an agent file, or an inventory (-i) for the default agent");
            definition = DefaultAgent(catalog, services.Options.Policy.Autonomy);
        }
        else
        {
            var loaded = await LoadDocumentAsync(agentFile, DocumentKind.Agent, ct);
            if (loaded.Error is { } error) return error;
            definition = loaded.Value!.Agent!;
            if (definition.EnvironmentFile is { } environmentFile)
            {
                var env = await LoadDocumentAsync(environmentFile, DocumentKind.Environment, ct);
                if (env.Error is { } envError) return envError with { Message = $"{agentFile}: environment: {envError.Message}" };
                environment = env.Value!.Environment!;
            }
        }

        var inventoryFile = inventory ?? environment?.Inventory;
        if (inventoryFile is null)
            return OpsmithError.BadRequest($"{definition.SourceFile}: agent '{definition.Name}' names no environment, so it has no inventory; give -i INVENTORY");
        var inventoryResult = await services.Runs.LoadInventoryAsync(inventoryFile, ct);
        if (inventoryResult.Error is { } inventoryError) return inventoryError;

        var allowed = catalog.Skills.Where(s => definition.Allows(s.Name)).ToList();
        foreach (var invariant in definition.Invariants)
        {
            var where = $"{definition.SourceFile}:{invariant.Line}: invariant '{invariant.Name}'";
            if (invariant.Hosts is { } hosts && inventoryResult.Value!.Resolve(hosts) is null)
                return OpsmithError.BadRequest($"{where}: hosts: '{hosts}' names no host or group in {inventoryFile}");
            if (invariant.Kind == InvariantKind.Skill)
            {
                var entry = catalog.Find(invariant.Skill!);
                if (entry is null)
                    return OpsmithError.BadRequest($"{where}: skill: there is no skill '{invariant.Skill}' in {catalogPath}" +
                        (Core.Text.Suggestions.Closest(invariant.Skill!, catalog.Skills.Select(s => s.Name)) is { } close ? $"; did you mean '{close}'?" : ""));
                if (!definition.Allows(entry.Name))
                    return OpsmithError.BadRequest($"{where}: skill: '{entry.Name}' is not in the agent's skills allowlist; add it (or a glob that matches it)");
                if (entry.Skill.Metadata.Stage != Stage.Detection)
                    return OpsmithError.BadRequest($"{where}: skill: '{entry.Name}' is a {YamlNames.Of(entry.Skill.Metadata.Stage)} skill; an invariant runs a detection skill");
                if (entry.Skill.Spec.FindInput("host") is not { Type: InputType.Host })
                    return OpsmithError.BadRequest($"{where}: skill: '{entry.Name}' has no input 'host' of type host, so the agent cannot point it at a host");
                var unknown = invariant.Inputs.Keys.FirstOrDefault(k => entry.Skill.Spec.FindInput(k) is null);
                if (unknown is not null)
                    return OpsmithError.BadRequest($"{where}: inputs: skill '{entry.Name}' has no input '{unknown}'" +
                        (Core.Text.Suggestions.Closest(unknown, entry.Skill.Spec.Inputs.Select(i => i.Name)) is { } input ? $"; did you mean '{input}'?" : ""));
            }
            if (invariant.Kind is InvariantKind.Http or InvariantKind.Tcp && invariant.Hosts is not null)
                return OpsmithError.BadRequest($"{where}: hosts: an {(invariant.Kind == InvariantKind.Http ? "http" : "tcp")} invariant is one check from this machine; " +
                    "to check from each host (behind a bastion too), make it a detection skill whose check runs from the target, and name that skill");
            if (invariant.Kind == InvariantKind.Promql && (prometheus ?? environment?.Prometheus) is null)
                return OpsmithError.BadRequest($"{where}: promql: the environment names no prometheus URL to ask");
        }
        var instructions = await ReadInstructionsAsync(definition.Instructions, $"{definition.SourceFile}: instructions", ct);
        if (instructions.Error is { } instructionsError) return instructionsError;
        var autonomy = OptionsLoader.ParseAutonomy(definition.Autonomy) ?? services.Options.Policy.Autonomy;
        return new LoadedAgent(definition, environment, inventoryResult.Value!, allowed, autonomy, prometheus ?? environment?.Prometheus)
        {
            Instructions = instructions.Value!,
        };
    }

    /// <summary>The most of one instructions file the model is given; a longer procedure is refused rather than cut.</summary>
    public const int MaxInstructionsChars = 32_000;

    /// <summary>Reads instructions files (an Agent Skill's SKILL.md); <paramref name="origin"/> says who named them in errors.</summary>
    public static async Task<Result<IReadOnlyList<AgentInstructions>>> ReadInstructionsAsync(IEnumerable<string> files, string origin, CancellationToken ct)
    {
        var read = new List<AgentInstructions>();
        // A folder is an Agent Skill: its SKILL.md.
        foreach (var file in files.Select(f => Directory.Exists(f) ? Path.Combine(f, "SKILL.md") : f))
        {
            if (!File.Exists(file)) return OpsmithError.NotFound($"{origin}: instructions file '{file}' does not exist");
            string text;
            try
            {
                text = await File.ReadAllTextAsync(file, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return OpsmithError.BadRequest($"{origin}: instructions file '{file}' cannot be read: {e.Message}");
            }
            if (text.Length > MaxInstructionsChars)
                return OpsmithError.BadRequest($"{origin}: instructions file '{file}' has {text.Length} characters; at most {MaxInstructionsChars} are given to a model");
            read.Add(new AgentInstructions(file, text));
        }
        return read;
    }

    /// <summary>
    /// With only an inventory: every catalog skill is allowed, autonomy is the configuration's, and the invariants are
    /// the catalog's detection skills that need nothing but a host, on every host.
    /// </summary>
    private static AgentDefinition DefaultAgent(SkillCatalog catalog, Policy.Decisions.AutonomyLevel autonomy)
    {
        var invariants = catalog.Query(new CatalogQuery(Stage: Stage.Detection))
            .Where(s => s.Skill.Spec.FindInput("host") is { Type: InputType.Host } && s.Skill.Spec.Inputs.All(i => i.Name == "host" || !i.Required || i.Default is not null))
            .Select(s => new Invariant(s.Name, InvariantKind.Skill, s.Name, new Dictionary<string, string>(), null, null, null, null, null, 0))
            .ToList();
        return new AgentDefinition("default", "Every catalog skill; the catalog's detection skills as invariants", null, YamlNames.Of(autonomy), ["*"],
            AgentDefinition.DefaultInterval, invariants, AgentBudgets.None, null, ModelTier.Standard, [], "(default agent)");
    }

    private static async Task<Result<LoadedDocument>> LoadDocumentAsync(string path, DocumentKind kind, CancellationToken ct)
    {
        var what = kind == DocumentKind.Agent ? "agent file" : "environment file";
        if (Directory.Exists(path)) return OpsmithError.BadRequest($"{what} '{path}' is a folder; give the file");
        if (!File.Exists(path)) return OpsmithError.NotFound($"{what} '{path}' does not exist");
        var document = await DocumentValidation.LoadFileAsync(path, ct);
        if (document.IsValid && document.Kind == kind) return document;
        if (document.IsValid) return OpsmithError.BadRequest($"{path} is not an {(kind == DocumentKind.Agent ? "agent" : "environment")} (its kind is {document.Kind})");
        return OpsmithError.Invalid($"{path} is not a valid {what}", document);
    }
}

/// <summary>Where the skill catalog is when nobody says: a <c>skills/</c> folder above the working folder, or above this program.</summary>
public static class CatalogLocator
{
    public static string? Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "skills");
                if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, "*.yaml").Any()) return candidate;
            }
        return null;
    }
}
