using System.Collections.Concurrent;
using Opsmith.Execution.Runs;
using Spectre.Console;

namespace Opsmith.Cli.Output;

/// <summary>
/// Shows where each host is while a run goes on: a live table on a terminal, plain lines otherwise
/// (so logs and CI output stay readable), nothing in JSON mode.
/// </summary>
public sealed class RunProgressView : IProgress<RunProgress>
{
    private readonly ConcurrentDictionary<string, RunProgress> _latest = new();
    private readonly TextWriter? _plain;
    private readonly bool _live;

    public RunProgressView(CliContext context, bool json)
    {
        _live = !json && context.Stdout == Console.Out && !Console.IsOutputRedirected;
        _plain = json || _live ? null : context.Stdout;
    }

    public void Report(RunProgress value)
    {
        _latest[value.Host] = value;
        if (_plain is not null && value.Outcome is not null)
            lock (_plain) _plain.WriteLine(TerminalText.OneLine($"{value.Host}: {value.Phase} {value.Step} {value.Outcome}"));
    }

    public async Task<T> ShowWhileAsync<T>(IReadOnlyList<string> hosts, Func<Task<T>> work)
    {
        if (!_live) return await work();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            ColorSystem = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        T result = default!;
        await console.Live(Render(hosts)).AutoClear(true).StartAsync(async live =>
        {
            var task = work();
            while (!task.IsCompleted)
            {
                live.UpdateTarget(Render(hosts));
                await Task.WhenAny(task, Task.Delay(100));
            }
            result = await task;
        });
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
