using System.Text.Json;
using System.Xml.Linq;
using Opsmith.Lab.Bench;

namespace Opsmith.Lab.Tests.Bench;

public class BenchReportTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    private static readonly BenchRunInfo Info = new(
        "smoke", "scripted", 2, Start, Start.AddSeconds(754), "opsmith bench run suites/smoke.yaml --agent scripted", "ci-runner (linux, 2 cores)");

    private static TrialResult Trial(
        string fault, BenchTaskType task, bool success, double? ttd = null, double? ttm = null, int steps = 3,
        int commands = 2, int unsafeAttempted = 0, int unsafeBlocked = 0, int? tokens = null, bool control = false,
        bool falseAlarm = false, string outcome = "", string? error = null) =>
        new($"{fault}-{task}".ToLowerInvariant(), 1, fault, "web1", task, "scripted",
            outcome.Length > 0 ? outcome : success ? "success" : "failed",
            success, control, falseAlarm, ttd, ttm, 42.5, steps, commands, unsafeAttempted, unsafeBlocked, tokens,
            Answer: null, error, SteadyStateRestored: success, Start);

    // Mitigation: 3 of 4 succeed, TTD over [1, 2, 4] (one null), TTM over [10, 20, 30] (one null), steps [4, 5, 6, 10].
    // Detection: 2 of 4 succeed, two controls (one false alarm), a false alarm on a real fault that must not count, one error.
    private static readonly IReadOnlyList<TrialResult> Results =
    [
        Trial("disk-full", BenchTaskType.Mitigation, true, ttd: 2, ttm: 10, steps: 4, commands: 5, unsafeAttempted: 1, unsafeBlocked: 1, tokens: 100),
        Trial("disk-full", BenchTaskType.Mitigation, true, ttd: 4, ttm: 20, steps: 6, commands: 3),
        Trial("disk-full", BenchTaskType.Mitigation, false, steps: 10, commands: 7, unsafeAttempted: 2, unsafeBlocked: 1, tokens: 50),
        Trial("partition", BenchTaskType.Mitigation, true, ttd: 1, ttm: 30, steps: 5),
        Trial("none", BenchTaskType.Detection, false, control: true, falseAlarm: true),
        Trial("none", BenchTaskType.Detection, true, control: true),
        Trial("partition", BenchTaskType.Detection, true, ttd: 3, falseAlarm: true),
        Trial("disk-full", BenchTaskType.Detection, false, ttd: 6, outcome: "error", error: "ssh: connection refused"),
    ];

    private static BenchGroupSummary TaskGroup(BenchSummary summary, BenchTaskType task) =>
        Assert.Single(summary.Tasks, g => g.Task == task);

    [Fact]
    public void Summarize_counts_trials_successes_and_percent_per_task_type()
    {
        var summary = BenchReport.Summarize(Info, Results);

        var mitigation = TaskGroup(summary, BenchTaskType.Mitigation);
        Assert.Equal((4, 3, 75.0), (mitigation.Trials, mitigation.Successes, mitigation.SuccessPercent));
        var detection = TaskGroup(summary, BenchTaskType.Detection);
        Assert.Equal((4, 2, 50.0), (detection.Trials, detection.Successes, detection.SuccessPercent));
        Assert.Equal((8, 5, 62.5), (summary.Overall.Trials, summary.Overall.Successes, summary.Overall.SuccessPercent));
    }

    [Fact]
    public void Summarize_lists_every_task_type_in_order_with_empty_ones_as_nulls()
    {
        var summary = BenchReport.Summarize(Info, Results);

        Assert.Equal(Enum.GetValues<BenchTaskType>().Cast<BenchTaskType?>(), summary.Tasks.Select(g => g.Task));
        var localization = TaskGroup(summary, BenchTaskType.Localization);
        Assert.Equal(0, localization.Trials);
        Assert.Null(localization.SuccessPercent);
        Assert.Null(localization.MedianTimeToDetectSeconds);
        Assert.Null(localization.MedianSteps);
        Assert.Null(localization.Tokens);
        Assert.Null(summary.Overall.Task);
    }

    [Fact]
    public void Medians_ignore_nulls_and_average_the_middle_two_of_an_even_count()
    {
        var summary = BenchReport.Summarize(Info, Results);

        var mitigation = TaskGroup(summary, BenchTaskType.Mitigation);
        Assert.Equal(2.0, mitigation.MedianTimeToDetectSeconds);   // [1, 2, 4]
        Assert.Equal(20.0, mitigation.MedianTimeToMitigateSeconds); // [10, 20, 30]
        Assert.Equal(5.5, mitigation.MedianSteps);                  // [4, 5, 6, 10]
        Assert.Equal(4.5, TaskGroup(summary, BenchTaskType.Detection).MedianTimeToDetectSeconds); // [3, 6]
        Assert.Null(TaskGroup(summary, BenchTaskType.Detection).MedianTimeToMitigateSeconds);
        Assert.Equal(3.5, summary.Overall.MedianSteps);             // [3, 3, 3, 3, 4, 5, 6, 10]
    }

    [Fact]
    public void False_alarms_are_counted_only_on_control_trials()
    {
        var summary = BenchReport.Summarize(Info, Results);

        var detection = TaskGroup(summary, BenchTaskType.Detection);
        Assert.Equal((1, 2), (detection.FalseAlarms, detection.Controls));
        Assert.Equal((1, 2), (summary.Overall.FalseAlarms, summary.Overall.Controls));
    }

    [Fact]
    public void Totals_sum_commands_unsafe_attempts_and_tokens_and_count_errors()
    {
        var summary = BenchReport.Summarize(Info, Results);

        var mitigation = TaskGroup(summary, BenchTaskType.Mitigation);
        Assert.Equal((17, 3, 2, 150L), (mitigation.CommandsRun, mitigation.UnsafeAttempted, mitigation.UnsafeBlocked, mitigation.Tokens));
        Assert.Null(TaskGroup(summary, BenchTaskType.Detection).Tokens);
        Assert.Equal(1, TaskGroup(summary, BenchTaskType.Detection).Errors);
        Assert.Equal(1, summary.Overall.Errors);
    }

    [Fact]
    public void Faults_are_ordered_by_name_with_success_percent_and_median_time_to_mitigate()
    {
        var summary = BenchReport.Summarize(Info, Results);

        Assert.Equal(
            [
                new BenchFaultSummary("disk-full", 4, 2, 50.0, 15.0),
                new BenchFaultSummary("none", 2, 1, 50.0, null),
                new BenchFaultSummary("partition", 2, 2, 100.0, 30.0),
            ],
            summary.Faults);
    }

    [Fact]
    public void Markdown_has_a_header_with_suite_agent_trials_date_and_command()
    {
        var md = BenchReport.MarkdownTable(BenchReport.Summarize(Info, Results));

        Assert.StartsWith("# Benchmark: smoke · agent scripted\n", md);
        Assert.Contains("- **Trials per instance:** 2\n", md);
        Assert.Contains("2025-03-14 09:26:53 UTC", md);
        Assert.Contains("(12 min 34 s)", md);
        Assert.Contains("`opsmith bench run suites/smoke.yaml --agent scripted`", md);
    }

    [Fact]
    public void Markdown_has_a_row_per_task_type_and_an_overall_row()
    {
        var md = BenchReport.MarkdownTable(BenchReport.Summarize(Info, Results));

        Assert.Contains("| task | trials | success | median TTD | median TTM | median steps | unsafe (attempted/blocked) | false alarms |\n", md);
        Assert.Contains("| detection | 4 | 50 % (2/4) | 4.5 s | — | 3 | 0/0 | 1/2 |\n", md);
        Assert.Contains("| localization | 0 | — | — | — | — | 0/0 | — |\n", md);
        Assert.Contains("| mitigation | 4 | 75 % (3/4) | 2.0 s | 20.0 s | 5.5 | 3/2 | — |\n", md);
        Assert.Contains("| **all** | 8 | 63 % (5/8) | 3.0 s | 20.0 s | 3.5 | 3/2 | 1/2 |\n", md);
    }

    [Fact]
    public void Markdown_has_a_row_per_fault_and_notes()
    {
        var md = BenchReport.MarkdownTable(BenchReport.Summarize(Info, Results));

        Assert.Contains("| disk-full | 4 | 50 % (2/4) | 15.0 s |\n", md);
        Assert.Contains("| none | 2 | 50 % (1/2) | — |\n", md);
        Assert.Contains("| partition | 2 | 100 % (2/2) | 30.0 s |\n", md);
        Assert.Contains("- Commands run: 25. Tokens: 150.\n", md);
        Assert.Contains("- Errors: 1 trial(s)", md);
    }

    [Fact]
    public void Markdown_keeps_a_pipe_in_a_fault_name_out_of_the_table_syntax()
    {
        var md = BenchReport.MarkdownTable(BenchReport.Summarize(Info, [Trial("a|b", BenchTaskType.Mitigation, true, ttm: 1)]));

        Assert.Contains("| a\\|b | 1 | 100 % (1/1) | 1.0 s |\n", md);
    }

    private static readonly IReadOnlyList<TrialResult> ChartResults =
    [
        Trial("disk-full", BenchTaskType.Mitigation, true, ttm: 12.34),
        Trial("disk-full", BenchTaskType.Mitigation, false),
        Trial("b<&>\"'", BenchTaskType.Mitigation, true, ttm: 5),
        Trial("stuck-proc", BenchTaskType.Mitigation, false),
        Trial("partition", BenchTaskType.Detection, true, ttd: 3, ttm: 99), // not a mitigation trial: no bar
    ];

    private static XNamespace Svg => "http://www.w3.org/2000/svg";

    private static IEnumerable<XElement> WithClass(XDocument doc, string name, string cls) =>
        doc.Descendants(Svg + name).Where(e => (string?)e.Attribute("class") == cls);

    [Fact]
    public void Chart_is_well_formed_svg_with_one_bar_per_mitigated_fault_sorted_by_name()
    {
        var doc = XDocument.Parse(BenchReport.TimeToMitigateSvg(ChartResults, "Time to mitigate"));

        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Equal("1.1", (string?)doc.Root.Attribute("version"));
        Assert.Equal(2, WithClass(doc, "rect", "bar").Count());
        var labels = doc.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "fault")
            .Select(g => g.Elements(Svg + "text").First().Value);
        Assert.Equal(["b<&>\"'", "disk-full", "stuck-proc"], labels);
        Assert.Contains(WithClass(doc, "text", "value"), t => t.Value == "12.3 s (1/2 mitigated)");
    }

    [Fact]
    public void Chart_marks_a_fault_with_no_successful_mitigation_as_not_mitigated()
    {
        var doc = XDocument.Parse(BenchReport.TimeToMitigateSvg(ChartResults, "Time to mitigate"));

        var marker = Assert.Single(WithClass(doc, "rect", "not-mitigated"));
        Assert.Equal("url(#not-mitigated-hatch)", (string?)marker.Attribute("fill"));
        Assert.Contains(WithClass(doc, "text", "value"), t => t.Value == "not mitigated (0/1)");
    }

    [Fact]
    public void Chart_escapes_fault_names_and_title()
    {
        var svg = BenchReport.TimeToMitigateSvg(ChartResults, "TTM <smoke> & \"friends\"");

        Assert.Contains(">b&lt;&amp;&gt;&quot;&apos;</text>", svg);
        Assert.Contains("TTM &lt;smoke&gt; &amp; &quot;friends&quot;", svg);
        Assert.DoesNotContain("b<&>", svg);
        Assert.Equal("TTM <smoke> & \"friends\"", XDocument.Parse(svg).Root!.Element(Svg + "title")!.Value);
    }

    [Fact]
    public void Chart_replaces_characters_xml_cannot_hold()
    {
        var svg = BenchReport.TimeToMitigateSvg([Trial("bell\u0007", BenchTaskType.Mitigation, true, ttm: 1)], "t");

        Assert.Contains("bell\uFFFD", XDocument.Parse(svg).Root!.Value);
    }

    [Fact]
    public void Chart_has_an_axis_with_ticks_in_seconds()
    {
        var doc = XDocument.Parse(BenchReport.TimeToMitigateSvg(ChartResults, "t"));

        var ticks = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "axis")
            .Elements(Svg + "text").Select(t => t.Value).ToList();
        Assert.Equal(["0 s", "5 s", "10 s", "15 s"], ticks[..^1]);
    }

    [Fact]
    public void Chart_is_deterministic_and_valid_without_mitigation_trials()
    {
        Assert.Equal(BenchReport.TimeToMitigateSvg(ChartResults, "t"), BenchReport.TimeToMitigateSvg(ChartResults, "t"));

        var empty = XDocument.Parse(BenchReport.TimeToMitigateSvg([], "t"));
        Assert.Empty(empty.Descendants(Svg + "rect"));
        Assert.Contains("no mitigation trials", empty.Root!.Value);
    }

    [Fact]
    public void Json_line_round_trips_every_field_including_nulls_and_the_offset()
    {
        var result = new TrialResult("disk-full-web1", 3, "disk-full", "web1", BenchTaskType.Mitigation, "claude", "success",
            true, false, false, 1.25, null, 61.0000001, 7, 9, 1, 1, null, "web1", null, true,
            new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.FromHours(2)).AddTicks(1234567));

        var line = TrialResultJson.ToJsonLine(result);
        var back = TrialResultJson.FromJsonLine(line);

        Assert.Equal(result, back);
        Assert.Equal(result.StartedAt.Offset, back.StartedAt.Offset);
        Assert.Equal(result.StartedAt.Ticks, back.StartedAt.Ticks);
    }

    [Fact]
    public void Json_line_is_one_snake_case_line_with_lower_case_enums_and_explicit_nulls()
    {
        var line = TrialResultJson.ToJsonLine(Trial("disk-full", BenchTaskType.Mitigation, false, error: "multi\nline"));

        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("{\"instance_id\":", line);
        Assert.Contains("\"task\":\"mitigation\"", line);
        Assert.Contains("\"time_to_mitigate_seconds\":null", line);
        Assert.Contains("\"steady_state_restored\":false", line);
        Assert.EndsWith("}", line);
    }

    [Fact]
    public void Json_line_missing_a_field_is_rejected()
    {
        var line = TrialResultJson.ToJsonLine(Trial("disk-full", BenchTaskType.Mitigation, true));
        using var doc = JsonDocument.Parse(line);
        var withoutFault = "{" + string.Join(",", doc.RootElement.EnumerateObject().Where(p => p.Name != "fault").Select(p => p.ToString())) + "}";

        Assert.ThrowsAny<JsonException>(() => TrialResultJson.FromJsonLine(withoutFault));
        Assert.ThrowsAny<JsonException>(() => TrialResultJson.FromJsonLine("null"));
    }

    [Fact]
    public void WriteAll_writes_summary_markdown_and_chart_but_not_results_jsonl()
    {
        var root = Directory.CreateTempSubdirectory("opsmith-bench-report-");
        try
        {
            var directory = Path.Combine(root.FullName, "run-1");

            BenchReport.WriteAll(directory, Info, Results);

            Assert.Equal(["results.md", "summary.json", "ttm.svg"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());
            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json")));
            Assert.Equal("smoke", summary.RootElement.GetProperty("run").GetProperty("suite").GetString());
            Assert.Equal("mitigation", summary.RootElement.GetProperty("tasks")[3].GetProperty("task").GetString());
            Assert.Equal(150, summary.RootElement.GetProperty("tasks")[3].GetProperty("tokens").GetInt64());
            Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("tasks")[1].GetProperty("success_percent").ValueKind);
            Assert.StartsWith("# Benchmark: smoke", File.ReadAllText(Path.Combine(directory, "results.md")));
            XDocument.Parse(File.ReadAllText(Path.Combine(directory, "ttm.svg")));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
