using Opsmith.Policy.Decisions;

namespace Opsmith.Policy.Tests.Decisions;

/// <summary>Settings from outside are refused when unsafe, with a reason; "no limit" is never what a typo gives.</summary>
public sealed class PolicySettingsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(PolicySettings.Default.Validate());
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("6", 6)]
    [InlineData(" 30 ", 30)]
    [InlineData("10000", 10_000)]
    public void A_run_limit_reads_as_a_count(string text, int expected)
    {
        Assert.True(PolicySettings.TryParseRunLimit(text, out var runs, out var problem), problem);
        Assert.Equal(expected, runs);
    }

    [Fact]
    public void A_run_limit_of_zero_is_an_error_not_no_limit()
    {
        Assert.False(PolicySettings.TryParseRunLimit("0", out _, out var problem));
        Assert.Contains("at least 1", problem);
        Assert.Contains("not 'no limit'", problem);
    }

    [Theory]
    [InlineData("-1", "whole number")]
    [InlineData("six", "whole number")]
    [InlineData("1.5", "whole number")]
    [InlineData("", "whole number")]
    [InlineData("10001", "at most 10000")]
    [InlineData("99999999999999999999", "at most 10000")]
    public void A_run_limit_that_is_not_a_sensible_count_is_an_error(string text, string why)
    {
        Assert.False(PolicySettings.TryParseRunLimit(text, out _, out var problem));
        Assert.Contains(why, problem);
    }

    [Fact]
    public void A_run_budget_of_zero_is_no_budget_as_documented()
    {
        Assert.True(PolicySettings.TryParseRunBudget("0", out var runs, out _));
        Assert.Null(runs);
        Assert.True(PolicySettings.TryParseRunBudget("3", out runs, out _));
        Assert.Equal(3, runs);
        Assert.False(PolicySettings.TryParseRunBudget("-3", out _, out _));
    }

    [Theory]
    [InlineData("30m", 30)]
    [InlineData("1h", 60)]
    [InlineData("24h", 24 * 60)]
    [InlineData("1h30m", 90)]
    public void An_approval_expiry_reads_as_a_duration(string text, int minutes)
    {
        Assert.True(PolicySettings.TryParseApprovalExpiry(text, out var expiry, out var problem), problem);
        Assert.Equal(TimeSpan.FromMinutes(minutes), expiry);
    }

    [Theory]
    [InlineData("25h", "at most 1d")]
    [InlineData("1000000d", "at most 1d")]
    [InlineData("9999999999999999999999d", "at most 1d")]
    [InlineData("1000000d1000000d1000000d1000000d1000000d1000000d1000000d1000000d1000000d1000000d1000000d", "at most 1d")]
    [InlineData("0s", "longer than zero")]
    [InlineData("soon", "a duration such as 30m")]
    [InlineData("-5m", "a duration such as 30m")]
    public void An_approval_expiry_that_is_huge_zero_or_not_a_duration_is_a_clear_error(string text, string why)
    {
        Assert.False(PolicySettings.TryParseApprovalExpiry(text, out _, out var problem));
        Assert.Contains(why, problem);
        Assert.Contains(text, problem);
    }

    [Fact]
    public void Validate_names_every_unsafe_setting()
    {
        var settings = PolicySettings.Default with
        {
            MaxRunsPerHourPerSkill = 0,
            MaxRunsPerHour = -5,
            RunBudget = 1_000_000,
            ApprovalExpiry = TimeSpan.FromDays(3650),
            OnExpiry = (ExpiryOutcome)7,
            Autonomy = (AutonomyLevel)42,
        };

        var problems = settings.Validate();

        Assert.Equal(6, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("max runs per hour per skill must be from 1 to 10000, not 0"));
        Assert.Contains(problems, p => p.StartsWith("max runs per hour must be from 1"));
        Assert.Contains(problems, p => p.StartsWith("run budget must be from 1"));
        Assert.Contains(problems, p => p.StartsWith("approval expiry must be at most 1d"));
        Assert.Contains(problems, p => p.StartsWith("on-expiry outcome"));
        Assert.Contains(problems, p => p.StartsWith("autonomy"));
    }

    [Fact]
    public void Validate_refuses_an_approval_expiry_of_zero()
    {
        Assert.Contains("longer than zero", Assert.Single((PolicySettings.Default with { ApprovalExpiry = TimeSpan.Zero }).Validate()));
    }

    [Fact]
    public void Validate_allows_no_limit_set_in_code()
    {
        Assert.Empty((PolicySettings.Default with { MaxRunsPerHour = null, MaxRunsPerHourPerSkill = null }).Validate());
    }
}
