using Opsmith.Core.Runs;
using Opsmith.Core.Skills;

namespace Opsmith.Storage.Audit;

/// <summary>
/// Filters for <see cref="IAuditStore.ListAsync"/> (what <c>opsmith audit list</c> passes). Every filter is
/// optional and they combine with AND; text filters match exactly.
/// </summary>
/// <param name="Since">Records committed at or after this time.</param>
/// <param name="Skill">Records of this skill (by name).</param>
/// <param name="Host">Records about this inventory host.</param>
/// <param name="Decision">Decision records with this outcome.</param>
/// <param name="Kind">Records of this kind.</param>
/// <param name="RunId">Records of this run.</param>
/// <param name="Limit">At most this many records (1 to 100 000).</param>
/// <param name="NewestFirst">Order by sequence descending (the latest <paramref name="Limit"/> records) instead of ascending.</param>
/// <param name="Section">Records of steps in this section of their skill.</param>
/// <param name="Mode">Records of runs in this mode.</param>
/// <param name="MinTier">Records whose effective tier is at least this (records without a tier never match).</param>
public sealed record AuditQuery(
    DateTimeOffset? Since = null,
    string? Skill = null,
    string? Host = null,
    AuditDecision? Decision = null,
    AuditKind? Kind = null,
    string? RunId = null,
    int Limit = 100,
    bool NewestFirst = false,
    RunSection? Section = null,
    RunMode? Mode = null,
    RiskTier? MinTier = null)
{
    /// <summary>The tier column as its rank (read 0 … data-mutation 3, -1 when empty), the same SQL in both dialects.</summary>
    internal const string TierRankSql =
        "(CASE tier WHEN 'read' THEN 0 WHEN 'service-mutation' THEN 1 WHEN 'destructive' THEN 2 WHEN 'data-mutation' THEN 3 ELSE -1 END)";

    public const int MaxLimit = 100_000;

    public static AuditQuery All { get; } = new(Limit: MaxLimit);

    internal int CheckedLimit => Limit is >= 1 and <= MaxLimit
        ? Limit
        : throw new ArgumentOutOfRangeException(nameof(Limit), Limit, $"the limit must be between 1 and {MaxLimit}");
}
