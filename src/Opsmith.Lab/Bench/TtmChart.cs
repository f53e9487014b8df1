using System.Globalization;
using System.Text;

namespace Opsmith.Lab.Bench;

/// <summary>One row of the time-to-mitigate chart.</summary>
/// <param name="MedianSeconds">Median time to mitigate over the trials that mitigated; null when none did.</param>
/// <param name="Mitigated">Mitigation trials of this fault that succeeded with a time to mitigate.</param>
/// <param name="Trials">Mitigation trials of this fault.</param>
internal sealed record TtmBar(string Fault, double? MedianSeconds, int Mitigated, int Trials);

/// <summary>
/// Renders the median time to mitigate per fault as a self-contained SVG 1.1 horizontal bar chart.
/// Output is deterministic (invariant culture, fixed decimals) so charts of two runs can be diffed.
/// </summary>
internal static class TtmChart
{
    private const int Width = 760;
    private const int Top = 56;
    private const int RowHeight = 28;
    private const int BarHeight = 18;
    private const int RightMargin = 170;
    private const int BottomMargin = 56;
    private const int MaxLabelChars = 32;
    private const double CharWidth = 7.0;

    /// <summary>Mitigation trials of real faults (controls have nothing to mitigate), one row per fault, by name.</summary>
    public static IReadOnlyList<TtmBar> Bars(IReadOnlyList<TrialResult> results) =>
        results
            .Where(r => r.Task == BenchTaskType.Mitigation && !r.Control)
            .GroupBy(r => r.Fault, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var mitigated = g.Where(r => r.Success && r.TimeToMitigateSeconds is not null).ToList();
                return new TtmBar(
                    g.Key,
                    BenchSummarizer.Median(mitigated.Select(r => r.TimeToMitigateSeconds)),
                    mitigated.Count,
                    g.Count());
            })
            .ToList();

    public static string Render(IReadOnlyList<TrialResult> results, string title)
    {
        var bars = Bars(results);
        var longest = bars.Count == 0 ? 0 : bars.Max(b => Math.Min(b.Fault.Length, MaxLabelChars));
        var left = Math.Max(96, 24 + (int)Math.Ceiling(longest * CharWidth));
        var plotWidth = Width - left - RightMargin;
        var rows = Math.Max(bars.Count, 1);
        var axisY = Top + rows * RowHeight;
        var height = axisY + BottomMargin;

        var max = bars.Select(b => b.MedianSeconds ?? 0).DefaultIfEmpty(0).Max();
        var step = NiceStep(max > 0 ? max : 1);
        var axisMax = Math.Max(step, Math.Ceiling(max / step) * step);
        double X(double seconds) => left + seconds / axisMax * plotWidth;

        var svg = new StringBuilder();
        svg.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append($"  <title>{Escape(title)}</title>\n");
        svg.Append("  <defs>\n");
        svg.Append("    <pattern id=\"not-mitigated-hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\">\n");
        svg.Append("      <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#999999\" stroke-width=\"2\"/>\n");
        svg.Append("    </pattern>\n");
        svg.Append("  </defs>\n");
        svg.Append($"  <text x=\"16\" y=\"28\" font-size=\"16\" font-weight=\"bold\">{Escape(title)}</text>\n");

        // Grid and ticks first, so bars are drawn over them.
        svg.Append("  <g class=\"axis\">\n");
        for (var tick = 0; tick * step <= axisMax + step / 1000; tick++)
        {
            var seconds = tick * step;
            var x = Num(X(seconds));
            svg.Append($"    <line x1=\"{x}\" y1=\"{Top - 6}\" x2=\"{x}\" y2=\"{axisY}\" stroke=\"#e0e0e0\"/>\n");
            svg.Append($"    <line x1=\"{x}\" y1=\"{axisY}\" x2=\"{x}\" y2=\"{axisY + 5}\" stroke=\"#333333\"/>\n");
            svg.Append($"    <text x=\"{x}\" y=\"{axisY + 18}\" text-anchor=\"middle\">{Seconds(seconds)}</text>\n");
        }
        svg.Append($"    <line x1=\"{left}\" y1=\"{axisY}\" x2=\"{Num(X(axisMax))}\" y2=\"{axisY}\" stroke=\"#333333\"/>\n");
        svg.Append($"    <text x=\"{Num(left + plotWidth / 2.0)}\" y=\"{axisY + 40}\" text-anchor=\"middle\">median time to mitigate (seconds from fault injection)</text>\n");
        svg.Append("  </g>\n");

        if (bars.Count == 0)
            svg.Append($"  <text x=\"{left + 8}\" y=\"{Top + RowHeight / 2 + 4}\" fill=\"#666666\">no mitigation trials in this run</text>\n");

        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var rowTop = Top + i * RowHeight;
            var barY = rowTop + (RowHeight - BarHeight) / 2;
            var textY = rowTop + RowHeight / 2 + 4;
            svg.Append("  <g class=\"fault\">\n");
            svg.Append($"    <title>{Escape(bar.Fault)}: {Escape(Caption(bar))}</title>\n");
            svg.Append($"    <text x=\"{left - 8}\" y=\"{textY}\" text-anchor=\"end\">{Escape(Truncate(bar.Fault))}</text>\n");
            if (bar.MedianSeconds is { } median)
            {
                var width = Math.Max(1.0, X(median) - left);
                svg.Append($"    <rect class=\"bar\" x=\"{left}\" y=\"{barY}\" width=\"{Num(width)}\" height=\"{BarHeight}\" fill=\"#4c78a8\"/>\n");
                svg.Append($"    <text class=\"value\" x=\"{Num(left + width + 6)}\" y=\"{textY}\">{Escape(Caption(bar))}</text>\n");
            }
            else
            {
                const int markerWidth = 36;
                svg.Append($"    <rect class=\"not-mitigated\" x=\"{left}\" y=\"{barY}\" width=\"{markerWidth}\" height=\"{BarHeight}\" fill=\"url(#not-mitigated-hatch)\" stroke=\"#999999\"/>\n");
                svg.Append($"    <text class=\"value\" x=\"{left + markerWidth + 6}\" y=\"{textY}\" fill=\"#666666\">{Escape(Caption(bar))}</text>\n");
            }
            svg.Append("  </g>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Caption(TtmBar bar) => bar.MedianSeconds is { } median
        ? $"{median.ToString("0.0", CultureInfo.InvariantCulture)} s ({bar.Mitigated}/{bar.Trials} mitigated)"
        : $"not mitigated (0/{bar.Trials})";

    /// <summary>A step of 1, 2 or 5 times a power of ten giving about five ticks up to <paramref name="max"/>.</summary>
    private static double NiceStep(double max)
    {
        var raw = max / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var normalized = raw / magnitude;
        var nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string Num(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Truncate(string fault) =>
        fault.Length <= MaxLabelChars ? fault : fault[..(MaxLabelChars - 1)] + "…";

    /// <summary>
    /// Escapes text for XML content and attributes. Fault names and titles are user input, so characters XML 1.0
    /// cannot hold at all (most control characters, lone surrogates) become U+FFFD rather than breaking the file.
    /// </summary>
    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': escaped.Append("&amp;"); break;
                case '<': escaped.Append("&lt;"); break;
                case '>': escaped.Append("&gt;"); break;
                case '"': escaped.Append("&quot;"); break;
                case '\'': escaped.Append("&apos;"); break;
                case '\t' or '\n' or '\r': escaped.Append(c); break;
                case < ' ' or '\uFFFE' or '\uFFFF': escaped.Append('\uFFFD'); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        escaped.Append(c).Append(text[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        escaped.Append('\uFFFD');
                    }
                    else
                    {
                        escaped.Append(c);
                    }
                    break;
            }
        }
        return escaped.ToString();
    }
}
