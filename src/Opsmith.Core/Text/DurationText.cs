using System.Globalization;
using System.Text.RegularExpressions;

namespace Opsmith.Core.Text;

/// <summary>Durations as SREs write them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>.</summary>
public static partial class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (!Whole().IsMatch(text)) return false;
        foreach (Match part in Part().Matches(text))
        {
            var amount = long.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            if (amount > 1_000_000) return false;
            value += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }
        return true;
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
