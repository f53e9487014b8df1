using System.Text.RegularExpressions;

namespace Opsmith.Core.Text;

/// <summary>Why a text is not a usable duration.</summary>
public enum DurationProblem
{
    None,
    /// <summary>Not written like <c>30s</c> or <c>1h30m</c> at all.</summary>
    NotADuration,
    /// <summary>Written correctly, but longer than <see cref="DurationText.Longest"/> (or than any number can hold).</summary>
    TooLong,
}

/// <summary>Durations as SREs write them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>.</summary>
public static partial class DurationText
{
    /// <summary>
    /// No duration Opsmith reads is meaningful beyond a century; capping here keeps every later sum or
    /// subtraction (now - since, start + timeout) inside what a <see cref="DateTimeOffset"/> can hold.
    /// </summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(36_500);

    public static bool TryParse(string text, out TimeSpan value) => Parse(text, out value) == DurationProblem.None;

    /// <summary>Parses <paramref name="text"/>; never throws, whatever its length or digits.</summary>
    public static DurationProblem Parse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.Length > 200 || !Whole().IsMatch(text)) return DurationProblem.NotADuration;
        long ticks = 0;
        foreach (Match part in Part().Matches(text))
        {
            var digits = part.Groups[1].Value.TrimStart('0');
            var unit = part.Groups[2].Value switch
            {
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => TimeSpan.TicksPerDay,
            };
            // Twelve digits of days already exceed Longest; anything longer cannot be a sensible amount.
            if (digits.Length > 12) return DurationProblem.TooLong;
            var amount = digits.Length == 0 ? 0 : long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
            if (amount > Longest.Ticks / unit) return DurationProblem.TooLong;
            ticks += amount * unit;
            if (ticks > Longest.Ticks) return DurationProblem.TooLong;
        }
        value = TimeSpan.FromTicks(ticks);
        return DurationProblem.None;
    }

    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        if (value.TotalSeconds < 1 || value.Milliseconds != 0) return $"{(long)value.TotalMilliseconds}ms";
        var parts = new List<string>();
        if (value.Days > 0) parts.Add($"{value.Days}d");
        if (value.Hours > 0) parts.Add($"{value.Hours}h");
        if (value.Minutes > 0) parts.Add($"{value.Minutes}m");
        if (value.Seconds > 0) parts.Add($"{value.Seconds}s");
        return string.Concat(parts);
    }

    [GeneratedRegex("^([0-9]+(ms|s|m|h|d))+$")]
    private static partial Regex Whole();

    [GeneratedRegex("([0-9]+)(ms|s|m|h|d)")]
    private static partial Regex Part();
}
