using Opsmith.Core.Agents;
using Opsmith.Storage.Sessions;

namespace Opsmith.Cli.Output;

/// <summary>Prints an agent session for people: how it ended, what it saw, what it believed and why, and what it did.</summary>
public static class SessionPrinter
{
    public static void Print(CliContext context, string id, SessionStatus status, string summary, AgentTrajectory t)
    {
        var say = context.Out;
        var w = context.Stdout;
        var verdict = status switch
        {
            SessionStatus.Resolved or SessionStatus.Healthy => say.Green(status.ToWireName()),
            SessionStatus.Diagnosed => say.Yellow(status.ToWireName()),
            _ => say.Red(status.ToWireName()),
        };
        w.WriteLine($"{say.Bold("Session")} {S(id)}: {verdict} — {TerminalText.Sanitize(summary)}");
        var red = t.Observations.Where(o => !o.Green && o.Stage == AgentStage.Detect).ToList();
        if (red.Count > 0)
        {
            w.WriteLine(say.Bold("Detected"));
            foreach (var o in red) w.WriteLine($"  {say.Red("red")}  {S(o.Invariant)}{On(o.Host)}: {Short(o.Detail, 160)}");
        }
        if (t.SuspectHosts.Count > 0) w.WriteLine($"{say.Bold("Suspects")} {S(string.Join(", ", t.SuspectHosts))}");
        if (t.Hypotheses.Count > 0)
        {
            w.WriteLine(say.Bold("Hypotheses (best first, with their evidence)"));
            foreach (var h in t.Hypotheses)
            {
                var state = h.State switch
                {
                    HypothesisState.Confirmed => say.Green("confirmed"),
                    HypothesisState.Refuted => say.Red("refuted"),
                    HypothesisState.Untested => say.Dim("untested"),
                    _ => say.Dim("candidate"),
                };
                w.WriteLine($"  {S(h.Id)} on {S(h.Host)} (score {h.Score:0.#}) {state}{(h.Note is null ? "" : " — " + TerminalText.Sanitize(h.Note))}");
                foreach (var f in h.Evidence)
                    w.WriteLine(say.Dim($"      evidence: {S(f.Skill)} on {S(f.Host)} found {S(f.Name)}: {Short(f.Summary, 140)}"));
            }
        }
        if (t.Actions.Count > 0)
        {
            w.WriteLine(say.Bold("Actions"));
            foreach (var a in t.Actions)
            {
                var mark = a.Verdict is "succeeded" ? say.Green(a.Verdict) : a.Verdict is "rolled-back" ? say.Yellow(a.Verdict) : say.Red(a.Verdict);
                w.WriteLine($"  {a.Stage.ToString().ToLowerInvariant(),-8} {S(a.Skill)} on {S(a.Host)}{(a.Mode == "rollback" ? " (rollback)" : "")}: {mark} in {a.DurationMs / 1000.0:0.0} s" +
                            (a.RunId is null ? "" : say.Dim($"  run {a.RunId}")));
            }
        }
        if (t.Stages.Count > 0)
            w.WriteLine(say.Dim("Timings: " + string.Join(", ", t.Stages.GroupBy(s => s.Stage).Select(g => $"{g.Key.ToString().ToLowerInvariant()} {g.Sum(x => x.DurationMs) / 1000.0:0.0} s"))));
        if (t.Escalation is { } escalation)
        {
            w.WriteLine(say.Bold("Escalation"));
            foreach (var line in escalation.Split('\n')) w.WriteLine($"  {TerminalText.Sanitize(line)}");
        }
    }

    private static string On(string host) => host.Length > 0 ? $" on {S(host)}" : "";
    private static string S(string? text) => TerminalText.OneLine(text);

    private static string Short(string text, int max)
    {
        var line = TerminalText.OneLine(text.Replace('\n', ' '));
        return line.Length > max ? line[..max] + "…" : line;
    }
}
