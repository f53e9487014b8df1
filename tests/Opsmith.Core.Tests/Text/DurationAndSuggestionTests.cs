using Opsmith.Core.Text;

namespace Opsmith.Core.Tests.Text;

public sealed class DurationAndSuggestionTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    public void Durations_parse(string text, long milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(milliseconds, (long)value.TotalMilliseconds);
        Assert.True(DurationText.TryParse(DurationText.Format(value), out var again));
        Assert.Equal(value, again);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("30 seconds")]
    [InlineData("1.5h")]
    [InlineData("-5m")]
    [InlineData("")]
    [InlineData("99999999999s")]
    public void Non_durations_are_rejected(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Theory]
    [InlineData("999999999999999999999d")]
    [InlineData("99999999999999999999999999999999999999999ms")]
    [InlineData("1000000d")]
    [InlineData("36500d1ms")]
    [InlineData("9223372036854775807ms")]
    [InlineData("36499d36499d")]
    public void Durations_too_long_to_mean_anything_are_a_problem_and_never_an_overflow(string text)
    {
        Assert.Equal(DurationProblem.TooLong, DurationText.Parse(text, out _));
        Assert.False(DurationText.TryParse(text, out _));
    }

    [Fact]
    public void The_longest_duration_itself_parses() =>
        Assert.Equal(DurationProblem.None, DurationText.Parse("36500d", out _));

    [Theory]
    [InlineData("acions", "actions")]
    [InlineData("sucess_criteria", "success_criteria")]
    [InlineData("rollbak", "rollback")]
    [InlineData("Actions", "actions")]
    public void Close_misspellings_get_a_suggestion(string given, string expected) =>
        Assert.Equal(expected, Suggestions.Closest(given, ["actions", "success_criteria", "rollback", "preconditions"]));

    [Fact]
    public void Unrelated_words_get_no_suggestion() =>
        Assert.Null(Suggestions.Closest("banana", ["actions", "success_criteria", "rollback"]));
}
