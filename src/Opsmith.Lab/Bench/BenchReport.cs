using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Opsmith.Lab.Bench;

/// <summary>
/// One <see cref="TrialResult"/> per line of results.jsonl: snake_case names, enums as lower-case strings,
/// nulls written out. Field names are the file's contract; renaming one breaks older result files.
/// </summary>
public static class TrialResultJson
{
    private static readonly JsonSerializerOptions LineOptions = BenchJson.Options(indented: false);

    /// <summary>The result as one line of JSON, without a trailing newline.</summary>
    public static string ToJsonLine(TrialResult result) => JsonSerializer.Serialize(result, LineOptions);

    /// <summary>Reads a line written by <see cref="ToJsonLine"/>; every field must be present.</summary>
    /// <exception cref="JsonException">The line is not a complete trial result.</exception>
    public static TrialResult FromJsonLine(string line) =>
        JsonSerializer.Deserialize<TrialResult>(line, LineOptions)
        ?? throw new JsonException("Expected a trial result object, found JSON null.");
}

/// <summary>The reports of a benchmark run: summary.json, results.md and ttm.svg. All but <see cref="WriteAll"/> are pure.</summary>
public static class BenchReport
{
    private const string None = "—";
    private static readonly JsonSerializerOptions SummaryOptions = BenchJson.Options(indented: true);

    /// <summary>Per task type, overall and per fault figures of the run.</summary>
    public static BenchSummary Summarize(BenchRunInfo info, IReadOnlyList<TrialResult> results) =>
        BenchSummarizer.Summarize(info, results);

    /// <summary>The content of summary.json: the summary, indented, ending with a newline.</summary>
    public static string SummaryJson(BenchSummary summary) =>
        JsonSerializer.Serialize(summary, SummaryOptions) + "\n";

    /// <summary>The content of results.md: a header, a table per task type, a table per fault and notes.</summary>
    public static string MarkdownTable(BenchSummary summary)
    {
        var run = summary.Run;
        var md = new StringBuilder();
        md.Append($"# Benchmark: {Inline(run.Suite)} · agent {Inline(run.Agent)}\n\n");
        md.Append($"- **Trials per instance:** {run.Trials}\n");
        md.Append($"- **Started:** {Date(run.StartedAt)} · **finished:** {Date(run.FinishedAt)} ({Duration(run.FinishedAt - run.StartedAt)})\n");
        md.Append($"- **Command:** {Code(run.Command)}\n");
        md.Append($"- **Machine:** {Inline(run.Machine)}\n\n");

        md.Append("## Per task type\n\n");
        md.Append("| task | trials | success | median TTD | median TTM | median steps | unsafe (attempted/blocked) | false alarms |\n");
        md.Append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var group in summary.Tasks)
            md.Append(TaskRow(group.Task!.Value.ToString().ToLowerInvariant(), group));
        md.Append(TaskRow("**all**", summary.Overall));

        md.Append("\n## Per fault\n\n");
        md.Append("| fault | trials | success | median TTM |\n");
        md.Append("|---|---:|---:|---:|\n");
        foreach (var fault in summary.Faults)
            md.Append($"| {Cell(fault.Fault)} | {fault.Trials} | {Success(fault.Successes, fault.Trials)} | {Seconds(fault.MedianTimeToMitigateSeconds)} |\n");
        if (summary.Faults.Count == 0)
            md.Append($"| {None} | 0 | {None} | {None} |\n");

        var overall = summary.Overall;
        md.Append("\n## Notes\n\n");
        md.Append("- TTD and TTM are the times to detect and to mitigate, in seconds from fault injection; each median is over the trials where it happened. ");
        md.Append($"{None} means no value.\n");
        md.Append("- Unsafe: commands the agent attempted that policy classified as unsafe / of those, the ones blocked.\n");
        md.Append("- False alarms: control trials (no fault injected) where the agent reported an anomaly or changed something / control trials.\n");
        md.Append($"- Commands run: {overall.CommandsRun}. Tokens: {(overall.Tokens is { } tokens ? tokens.ToString(CultureInfo.InvariantCulture) : "not reported by the agent")}.\n");
        md.Append(overall.Errors == 0
            ? "- Errors: none.\n"
            : $"- Errors: {overall.Errors} trial(s) ended in an error instead of an answer; see `error` in results.jsonl.\n");
        return md.ToString();
    }

    /// <summary>The content of ttm.svg: median time to mitigate per fault, from the mitigation trials.</summary>
    public static string TimeToMitigateSvg(IReadOnlyList<TrialResult> results, string title) =>
        TtmChart.Render(results, title);

    /// <summary>
    /// Writes summary.json, results.md and ttm.svg into <paramref name="directory"/> (created if missing).
    /// results.jsonl is not written here: the harness appends it trial by trial so a crash loses nothing.
    /// </summary>
    public static void WriteAll(string directory, BenchRunInfo info, IReadOnlyList<TrialResult> results)
    {
        var summary = Summarize(info, results);
        Directory.CreateDirectory(directory);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        File.WriteAllText(Path.Combine(directory, "summary.json"), SummaryJson(summary), utf8);
        File.WriteAllText(Path.Combine(directory, "results.md"), MarkdownTable(summary), utf8);
        File.WriteAllText(Path.Combine(directory, "ttm.svg"), TimeToMitigateSvg(results, $"Time to mitigate · {info.Suite} · {info.Agent}"), utf8);
    }

    private static string TaskRow(string name, BenchGroupSummary g) =>
        $"| {name} | {g.Trials} | {Success(g.Successes, g.Trials)} | {Seconds(g.MedianTimeToDetectSeconds)} | " +
        $"{Seconds(g.MedianTimeToMitigateSeconds)} | {Steps(g.MedianSteps)} | {g.UnsafeAttempted}/{g.UnsafeBlocked} | " +
        $"{(g.Controls == 0 ? None : $"{g.FalseAlarms}/{g.Controls}")} |\n";

    private static string Success(int successes, int trials) => trials == 0
        ? None
        : $"{Math.Round(100.0 * successes / trials, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture)} % ({successes}/{trials})";

    private static string Seconds(double? seconds) =>
        seconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) + " s" : None;

    private static string Steps(double? steps) =>
        steps is { } s ? s.ToString("0.#", CultureInfo.InvariantCulture) : None;

    private static string Date(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    private static string Duration(TimeSpan span)
    {
        var seconds = (long)Math.Round(Math.Max(0, span.TotalSeconds));
        return seconds switch
        {
            < 60 => $"{seconds} s",
            < 3600 => $"{seconds / 60} min {seconds % 60:00} s",
            _ => $"{seconds / 3600} h {seconds / 60 % 60:00} min {seconds % 60:00} s",
        };
    }

    // Suite, agent, fault and machine names are user input: keep them on one line and out of the table syntax.
    private static string Inline(string text) => text.ReplaceLineEndings(" ");

    private static string Cell(string text) => Inline(text).Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>A code span whose fence is longer than any run of backticks inside, as CommonMark requires.</summary>
    private static string Code(string text)
    {
        var inline = Inline(text);
        var longestRun = 0;
        var run = 0;
        foreach (var c in inline)
        {
            run = c == '`' ? run + 1 : 0;
            longestRun = Math.Max(longestRun, run);
        }
        var fence = new string('`', longestRun + 1);
        var pad = inline.StartsWith('`') || inline.EndsWith('`') ? " " : "";
        return $"{fence}{pad}{inline}{pad}{fence}";
    }
}

/// <summary>The JSON conventions of the benchmark files, shared by results.jsonl and summary.json.</summary>
internal static class BenchJson
{
    public static JsonSerializerOptions Options(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = indented,
        NewLine = "\n",
        // These files are read by people and scripts, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };
}
