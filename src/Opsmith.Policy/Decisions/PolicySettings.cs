using Opsmith.Core.Text;

namespace Opsmith.Policy.Decisions;

/// <summary>What happens to an approval request nobody answered in time.</summary>
public enum ExpiryOutcome { Cancel, Deny }

/// <summary>
/// The configurable part of the policy (<see cref="RunBudget"/>: mutating runs allowed per 24 hours) (from configuration and the command line). What is not configurable
/// lives in <see cref="PolicyEngine"/>: data protection and the kill switch cannot be turned off here.
/// <para>
/// Settings that come from outside (environment, a configuration file) are read with <see cref="TryParseRunLimit"/>,
/// <see cref="TryParseRunBudget"/> and <see cref="TryParseApprovalExpiry"/> and checked as a whole with
/// <see cref="Validate"/>: an unsafe value is an error that says why, never quietly "no limit".
/// </para>
/// </summary>
public sealed partial record PolicySettings(
    AutonomyLevel Autonomy,
    int? MaxRunsPerHourPerSkill,
    int? MaxRunsPerHour,
    int? RunBudget,
    TimeSpan ApprovalExpiry,
    ExpiryOutcome OnExpiry)
{
    public static readonly PolicySettings Default = new(AutonomyLevel.AutomateSafe, 6, 30, null, TimeSpan.FromHours(1), ExpiryOutcome.Cancel);

    /// <summary>
    /// For one run: why a person lets it run inside a skill's cooldown (<c>run --override-cooldown REASON</c>); null
    /// keeps cooldowns. Only a person can override, the reason is audited, and rate limits and the budget still hold.
    /// </summary>
    public string? CooldownOverride { get; init; }

    /// <summary>The largest run count a limit or budget may be: beyond it a limit no longer limits anything.</summary>
    public const int MaxRuns = 10_000;

    /// <summary>
    /// The longest an approval request may wait: an approval given a day later no longer describes the system it
    /// was asked about, and a run waiting for it holds its hosts' sessions meanwhile.
    /// </summary>
    public static readonly TimeSpan MaxApprovalExpiry = TimeSpan.FromHours(24);

    /// <summary>Every problem with these settings (empty when they are safe to use), each naming the setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Autonomy)) problems.Add($"autonomy {(int)Autonomy} is not a level Opsmith knows");
        RunCount("max runs per hour per skill", MaxRunsPerHourPerSkill);
        RunCount("max runs per hour", MaxRunsPerHour);
        RunCount("run budget", RunBudget);
        if (ApprovalExpiry <= TimeSpan.Zero)
            problems.Add($"approval expiry must be longer than zero, not {DurationText.Format(ApprovalExpiry.Duration())}{(ApprovalExpiry < TimeSpan.Zero ? " ago" : "")}");
        else if (ApprovalExpiry > MaxApprovalExpiry)
            problems.Add($"approval expiry must be at most {DurationText.Format(MaxApprovalExpiry)}, not {DurationText.Format(ApprovalExpiry)}");
        if (!Enum.IsDefined(OnExpiry)) problems.Add($"on-expiry outcome {(int)OnExpiry} is not cancel or deny");
        return problems;

        void RunCount(string name, int? value)
        {
            if (value is { } n && (n < 1 || n > MaxRuns)) problems.Add($"{name} must be from 1 to {MaxRuns}, not {n}");
        }
    }

    /// <summary>
    /// A rate limit as text: a whole number of runs from 1 to <see cref="MaxRuns"/>. Zero is refused: it reads as
    /// "stop everything" to some and "no limit" to others, and "no limit" must never be an accident.
    /// </summary>
    public static bool TryParseRunLimit(string text, out int runs, out string problem)
    {
        runs = 0;
        problem = "";
        var trimmed = text.Trim();
        if (!int.TryParse(trimmed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            problem = trimmed.Length > 0 && trimmed.All(char.IsAsciiDigit)
                ? $"must be at most {MaxRuns}, not {trimmed}"
                : $"must be a whole number of runs from 1 to {MaxRuns}, not '{text}'";
            return false;
        }
        if (n == 0)
        {
            problem = $"must be at least 1; 0 is not 'no limit' (leave it unset for the default)";
            return false;
        }
        if (n > MaxRuns)
        {
            problem = $"must be at most {MaxRuns}, not {n}";
            return false;
        }
        runs = n;
        return true;
    }

    /// <summary>The run budget as text: like a limit, except that 0 means no budget, as documented (none is the default).</summary>
    public static bool TryParseRunBudget(string text, out int? runs, out string problem)
    {
        runs = null;
        if (text.Trim() == "0")
        {
            problem = "";
            return true;
        }
        var ok = TryParseRunLimit(text, out var n, out problem);
        if (ok) runs = n;
        return ok;
    }

    /// <summary>An approval expiry as text (<c>30m</c>, <c>2h</c>): longer than zero and at most <see cref="MaxApprovalExpiry"/>.</summary>
    public static bool TryParseApprovalExpiry(string text, out TimeSpan expiry, out string problem)
    {
        expiry = TimeSpan.Zero;
        problem = "";
        var trimmed = text.Trim();
        bool parsed;
        try { parsed = DurationText.TryParse(trimmed, out expiry); }
        catch (OverflowException) { parsed = false; }
        if (!parsed)
        {
            expiry = TimeSpan.Zero;
            // Written like a duration but too large for one: the answer is the limit, not "not a duration".
            problem = DurationShape().IsMatch(trimmed)
                ? $"must be at most {DurationText.Format(MaxApprovalExpiry)}, not '{text}'"
                : $"must be a duration such as 30m or 2h, not '{text}'";
            return false;
        }
        if (expiry > MaxApprovalExpiry)
        {
            problem = $"must be at most {DurationText.Format(MaxApprovalExpiry)}, not '{text}'";
            expiry = TimeSpan.Zero;
            return false;
        }
        if (expiry <= TimeSpan.Zero)
        {
            problem = $"must be longer than zero, not '{text}'";
            return false;
        }
        return true;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^([0-9]+(ms|s|m|h|d))+$")]
    private static partial System.Text.RegularExpressions.Regex DurationShape();
}
