using System.Collections.Concurrent;
using Opsmith.Application.Runs;
using Opsmith.Core.Runs;
using Opsmith.Execution.Runs;
using Spectre.Console;

namespace Opsmith.Cli.Output;

/// <summary>
/// Shows a run as its events come: a live table of where each host is on a terminal, plain lines otherwise
/// (so logs and CI output stay readable), nothing in JSON mode. Approval requests and refusals are always
/// written to stderr, since a person may have to act on them.
/// </summary>
public sealed class RunProgressView(CliContext context, bool json)
{
    private sealed record HostState(string Phase, string? Step, string? Outcome);

    private readonly ConcurrentDictionary<string, HostState> _latest = new();
    private readonly bool _live = !json && context.Stdout == Console.Out && !Console.IsOutputRedirected;
    private TextWriter? Plain => json || _live ? null : context.Stdout;

    public void On(RunEvent e)
    {
        switch (e)
        {
            case StepStartedEvent started:
                _latest[started.Host] = new HostState(started.Section.Wire(), started.Step, null);
                break;
            case StepFinishedEvent finished:
                _latest[finished.Host] = new HostState(finished.Report.Section.Wire(), finished.Report.Name, finished.Report.Verdict.Wire());
                if (Plain is { } plain)
                    lock (plain) plain.WriteLine(TerminalText.OneLine($"{finished.Host}: {finished.Report.Section.Wire()} {finished.Report.Name} {finished.Report.Verdict.Wire()}"));
                break;
            case ApprovalRequestedEvent approval:
                lock (context.Stderr) context.Stderr.WriteLine(TerminalText.OneLine($"{approval.Host}: step '{approval.Step}' waits for approval {approval.ApprovalId} ({approval.Reason})"));
                break;
            case RollbackStartedEvent rollback:
                _latest[rollback.Host] = new HostState("rollback", null, null);
                if (Plain is { } p) lock (p) p.WriteLine(TerminalText.OneLine($"{rollback.Host}: rolling back ({rollback.Reason})"));
                break;
            case HostFinishedEvent done:
                _latest[done.Host] = new HostState("done", null, done.Verdict.Wire());
                break;
        }
    }

    /// <summary>Follows the run's events until it ends and returns its report.</summary>
    public async Task<RunReport> ShowWhileAsync(IReadOnlyList<string> hosts, RunHandle run)
    {
        var following = Task.Run(async () =>
        {
            await foreach (var e in run.Events(CancellationToken.None)) On(e);
        });
        if (!_live)
        {
            var report = await run.Completion;
            await following;
            return report;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            ColorSystem = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        RunReport result = null!;
        await console.Live(Render(hosts)).AutoClear(true).StartAsync(async live =>
        {
            while (!run.Completion.IsCompleted)
            {
                live.UpdateTarget(Render(hosts));
                await Task.WhenAny(run.Completion, Task.Delay(100));
            }
            result = await run.Completion;
        });
        await following;
        return result;
    }

    private Table Render(IReadOnlyList<string> hosts)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("host").AddColumn("phase").AddColumn("step").AddColumn("last result");
        foreach (var host in hosts.Take(40))
        {
            _latest.TryGetValue(host, out var p);
            table.AddRow(Cell(host), Cell(p?.Phase ?? "waiting"), Cell(p?.Step ?? ""), Cell(p?.Outcome ?? ""));
        }
        if (hosts.Count > 40) table.AddRow($"… {hosts.Count - 40} more", "", "", "");
        return table;
    }

    /// <summary>Host names, steps and outcomes come from outside: shown, never obeyed, and never read as markup.</summary>
    private static string Cell(string text) => Markup.Escape(TerminalText.OneLine(text));
}
