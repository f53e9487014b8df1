using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Runs;

namespace Opsmith.Cli.Output;

/// <summary>
/// The text form of a run report: per host, each step with its result, then the outcome. Everything in a report
/// came from outside (hosts, skills, inventories), so every value is printed through <see cref="TerminalText"/>.
/// </summary>
public static class ReportPrinter
{
    private static string S(string? text) => TerminalText.Sanitize(text);

    public static void Print(Terminal t, RunReport report)
    {
        foreach (var host in report.Hosts)
        {
            t.Writer.WriteLine($"{t.Bold(S(host.Host))} ({S(host.Address)}): {Paint(t, host.Verdict)}");
            foreach (var step in host.Steps) PrintStep(t, step);
            if (host.Outputs.Count > 0)
            {
                t.Writer.WriteLine("  outputs:");
                foreach (var (name, value) in host.Outputs) t.Writer.WriteLine($"    {S(name)}: {S(value)}");
            }
            foreach (var finding in host.Findings)
            {
                var said = $"  finding {S(finding.Name)} [{YamlNames.Of(finding.Severity)}]: {S(finding.Summary)} (hypotheses: {S(string.Join(", ", finding.Hypotheses))})";
                t.Writer.WriteLine(finding.Severity == FindingSeverity.Info ? said : t.Yellow(said));
                foreach (var (name, value) in finding.Facts) t.Writer.WriteLine($"    {S(name)}: {S(value)}");
            }
            if (host.Plan.Count > 0)
            {
                t.Writer.WriteLine("  with --execute it would run:");
                foreach (var planned in host.Plan)
                    t.Writer.WriteLine($"    {(planned.Section == RunSection.Rollback ? "rollback" : "action  ")} {S(planned.Name)} [{YamlNames.Of(planned.Risk)}]: {S(planned.Command)}");
            }
            if (host.Rollback is { } rollback)
            {
                t.Writer.WriteLine($"  rollback ({S(rollback.Reason)}):");
                foreach (var step in rollback.Steps) PrintStep(t, step, "    ");
                foreach (var step in rollback.Verification) PrintStep(t, step, "    ");
                t.Writer.WriteLine(rollback.Restored
                    ? "    " + t.Green("the host is back to its steady state (what held before the run holds again)")
                    : "    " + t.Red("the host is NOT back to its steady state: a person must look at it"));
            }
            if (host.Error is not null) t.Writer.WriteLine($"  {S(host.Error)}");
        }
        var counts = report.Hosts.GroupBy(h => h.Verdict).Select(g => $"{g.Key.Wire()} on {g.Count()}");
        var line = $"{S(report.Skill)} ({report.Mode.Wire()}): {report.Verdict.Wire()} — {string.Join(", ", counts)} of {report.Hosts.Count} host{(report.Hosts.Count == 1 ? "" : "s")}";
        t.Writer.WriteLine(report.Verdict.IsSuccess() ? t.Green(line) : t.Red(line));
        if (report.Mode == RunMode.DryRun && report.Verdict.IsSuccess())
            t.Writer.WriteLine(t.Dim("Dry run: nothing was changed. Add --execute to run it."));
    }

    private static void PrintStep(Terminal t, StepReport step, string indent = "  ")
    {
        var mark = step.Verdict == StepVerdict.Passed ? t.Green("ok  ") : step.Verdict == StepVerdict.Skipped ? t.Dim("skip") : t.Red(step.Verdict == StepVerdict.Failed ? "FAIL" : step.Verdict.Wire().ToUpperInvariant());
        var facts = new List<string>();
        if (step.ExitCode is { } code) facts.Add($"exit {code}");
        facts.Add($"{step.DurationMs} ms");
        if (step.Attempts > 1) facts.Add($"{step.Attempts} attempts");
        t.Writer.WriteLine($"{indent}{mark} {step.Section.Wire()} {S(step.Name)} ({string.Join(", ", facts)})");
        if (step.Verdict != StepVerdict.Passed && step.Detail is not null) t.Writer.WriteLine($"{indent}     {S(step.Detail)}");
        PrintOutput(t, step.Stdout, indent + "     ");
    }

    /// <summary>Lines of a step's output shown under it: enough to read a diagnosis, not a whole log.</summary>
    public const int MaxOutputLines = 10;

    /// <summary>
    /// A step's stdout (masked when the report was made) under the step, so a diagnosis shows its evidence in text
    /// mode too; the full output is in the JSON report.
    /// </summary>
    private static void PrintOutput(Terminal t, string? stdout, string indent)
    {
        if (string.IsNullOrWhiteSpace(stdout)) return;
        var lines = stdout.TrimEnd('\n').Split('\n');
        foreach (var line in lines.Take(MaxOutputLines)) t.Writer.WriteLine($"{indent}{S(line.TrimEnd('\r'))}");
        if (lines.Length > MaxOutputLines) t.Writer.WriteLine($"{indent}{t.Dim($"… {lines.Length - MaxOutputLines} more lines")}");
    }

    private static string Paint(Terminal t, RunVerdict verdict) =>
        verdict.IsSuccess() ? t.Green(verdict.Wire()) : verdict == RunVerdict.RolledBack ? t.Yellow(verdict.Wire()) : t.Red(verdict.Wire());
}
