namespace Opsmith.Policy.Decisions;

/// <summary>What happens to an approval request nobody answered in time.</summary>
public enum ExpiryOutcome { Cancel, Deny }

/// <summary>
/// The configurable part of the policy (<see cref="RunBudget"/>: mutating runs allowed per 24 hours) (from configuration and the command line). What is not configurable
/// lives in <see cref="PolicyEngine"/>: data protection and the kill switch cannot be turned off here.
/// </summary>
public sealed record PolicySettings(
    AutonomyLevel Autonomy,
    int? MaxRunsPerHourPerSkill,
    int? MaxRunsPerHour,
    int? RunBudget,
    TimeSpan ApprovalExpiry,
    ExpiryOutcome OnExpiry)
{
    public static readonly PolicySettings Default = new(AutonomyLevel.AutomateSafe, 6, 30, null, TimeSpan.FromHours(1), ExpiryOutcome.Cancel);
}
