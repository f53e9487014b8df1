using Opsmith.Policy.Classification;
using Opsmith.Policy.Decisions;
using Opsmith.Llm.Tiers;

namespace Opsmith.Application.Configuration;

/// <summary>
/// Everything configurable about Opsmith, read once and validated once (<see cref="OptionsLoader"/>): from the
/// configuration file, then environment variables, then command-line flags, each overriding the one before.
/// docs/configuration.md lists every key.
/// </summary>
/// <param name="Paths">Where configuration, data and caches live.</param>
/// <param name="AuditPostgres">A PostgreSQL connection string for the audit trail and approvals; null keeps them in SQLite in the data folder.</param>
/// <param name="Policy">Autonomy, rate limits, run budget and approval expiry.</param>
/// <param name="ReadOnlyPrograms">Programs the classifier does not know that this environment declares read-only, each with its reason.</param>
/// <param name="ConfigFile">The configuration file that was read, or null when there is none.</param>
/// <param name="DataInventory">
/// Where this environment keeps data that cannot be recreated (<c>data_inventory:</c>): a write that names it is
/// <c>data-mutation</c> whatever the program.
/// </param>
/// <param name="StoreFolder">
/// A folder shared by a team (<c>store.folder</c>): the audit trail, approvals and kill switch live there instead of in
/// the user's data folder, so everyone on the machine sees one trail, one set of approvals and one switch.
/// </param>
public sealed record OpsmithOptions(
    OpsmithPaths Paths,
    string? AuditPostgres,
    PolicySettings Policy,
    IReadOnlyDictionary<string, string> ReadOnlyPrograms,
    string? ConfigFile,
    DataInventory? DataInventory = null,
    string? StoreFolder = null)
{
    /// <summary>The model tiers (<c>models:</c>, docs/llm.md); empty when no model is configured, and every stage then uses its deterministic path.</summary>
    public ModelTiers Models { get; init; } = ModelTiers.None;

    /// <summary>Where the audit trail (in SQLite), approvals and kill switch live: the shared store folder, else the user's data folder.</summary>
    public string StoreDirectory => StoreFolder ?? Paths.DataDirectory;

    public static OpsmithOptions Defaults(OpsmithPaths paths) =>
        new(paths, null, PolicySettings.Default, new Dictionary<string, string>(), null);

    /// <summary>What the classifier is told for a skill: its read_only_programs, this environment's, and the data inventory.</summary>
    public ClassifierOptions ClassifierFor(IReadOnlyDictionary<string, string> skillReadPrograms) =>
        new(skillReadPrograms)
        {
            ExtraReadOnlyPrograms = ReadOnlyPrograms,
            Inventory = DataInventory ?? DataInventory.Empty,
        };
}

/// <summary>One configuration problem, where it is (a file and line, or an environment variable or flag) and what is wrong.</summary>
public sealed record ConfigurationIssue(string Source, int? Line, string Field, string Message)
{
    public override string ToString() => Line is { } line ? $"{Source}:{line}: {Field}: {Message}" : $"{Source}: {Message}";
}

/// <summary>Flags that override configuration for one command (null: not given).</summary>
public sealed record OptionOverrides(AutonomyLevel? Autonomy = null, ModelOverrides? Model = null)
{
    public static readonly OptionOverrides None = new();
}
