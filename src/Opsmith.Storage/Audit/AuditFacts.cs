using Opsmith.Core.Runs;
using Opsmith.Core.Skills;

namespace Opsmith.Storage.Audit;

/// <summary>
/// The structured part of an audit record: what code reads back (cooldowns, rate limits, the benchmark's
/// unsafe count) instead of parsing <see cref="AuditRecord.Detail"/>. Every field may be empty.
/// </summary>
/// <param name="Section">The part of the skill a decision or command belongs to.</param>
/// <param name="Step">The step's name in its skill.</param>
/// <param name="Tier">The step's effective tier: the higher of its declared risk and what the classifier reads in the command.</param>
/// <param name="Mode">What the run does: dry run, execute, or a recorded rollback (run-started and every record of the run).</param>
/// <param name="Outcome">
/// run-finished: the run's verdict (<see cref="RunVerdict"/> wire name); decision: the rule that decided
/// (<c>kill-switch</c>, <c>autonomy</c>, <c>cooldown</c>, …); otherwise empty.
/// </param>
public sealed record AuditFacts(RunSection? Section = null, string Step = "", RiskTier? Tier = null, RunMode? Mode = null, string Outcome = "")
{
    public static readonly AuditFacts None = new();

    internal string SectionText => Section?.Wire() ?? "";
    internal string TierText => Tier is { } t ? YamlNames.Of(t) : "";
    internal string ModeText => Mode?.Wire() ?? "";

    /// <summary>Reads the stored text back; false names the field that is not a value Opsmith writes.</summary>
    internal static bool TryParse(string? section, string? step, string? tier, string? mode, string? outcome, out AuditFacts facts, out string problem)
    {
        facts = None;
        RunSection? s = null;
        RiskTier? t = null;
        RunMode? m = null;
        if (!string.IsNullOrEmpty(section))
        {
            if (!WireNames.TryParse<RunSection>(section, out var parsed)) { problem = $"its section '{section}' is not one Opsmith writes"; return false; }
            s = parsed;
        }
        if (!string.IsNullOrEmpty(tier))
        {
            if (!YamlNames.TryParse<RiskTier>(tier, out var parsed)) { problem = $"its tier '{tier}' is not one Opsmith writes"; return false; }
            t = parsed;
        }
        if (!string.IsNullOrEmpty(mode))
        {
            if (!WireNames.TryParse<RunMode>(mode, out var parsed)) { problem = $"its mode '{mode}' is not one Opsmith writes"; return false; }
            m = parsed;
        }
        facts = new AuditFacts(s, step ?? "", t, m, outcome ?? "");
        problem = "";
        return true;
    }
}
