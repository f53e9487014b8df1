using Opsmith.Application;
using Opsmith.Application.Agents;
using Opsmith.Core.Agents;
using Opsmith.Core.Skills;
using Opsmith.Execution.Runs;
using Opsmith.Storage.Incidents;
using Spectre.Console;
using Spectre.Console.Rendering;
using Opsmith.Cli.Commands;

namespace Opsmith.Cli.Output;

/// <summary>
/// The live terminal dashboard (<c>opsmith dashboard</c>, <c>opsmith monitor run --tui</c>): hosts × invariants in colour,
/// open incidents, the agent's current stage and last actions, and a request-rate sparkline from Prometheus when the
/// environment names one. Off a terminal it prints one plain block per monitor pass, so it also works in logs and over
/// a pipe.
/// </summary>
public sealed class Dashboard(CliContext context, OpsmithServices services, LoadedAgent agent)
{
    /// <summary>What the sparkline plots: the demo service's answered requests per second, summed over hosts.</summary>
    public const string RequestRateQuery = "sum(rate(opsmith_demo_requests_total[1m]))";

    private readonly object _gate = new();
    private MonitorPass? _pass;
    private IReadOnlyList<Incident> _incidents = [];
    private readonly List<string> _agentLines = [];
    private readonly List<double> _rates = [];
    private string _stage = "idle";

    public async Task<int> RunAsync(MonitorService monitor, bool act, bool allowMutation, CancellationToken ct)
    {
        var live = context.Stdout == Console.Out && !Console.IsOutputRedirected;
        var watching = monitor.WatchAsync(agent, async (pass, token) =>
        {
            var incidents = await (await services.IncidentsAsync(token)).ListAsync(null, 50, token);
            await SampleRateAsync(token);
            lock (_gate)
            {
                _pass = pass;
                _incidents = incidents.Where(i => i.Status != IncidentStatus.Resolved).ToList();
            }
            if (!live) PrintPlain();
            if (act)
                await MonitorVerb.ActAsync(services, agent, pass, allowMutation, p =>
                {
                    lock (_gate)
                    {
                        _stage = p.Stage.ToString().ToLowerInvariant();
                        _agentLines.Add($"{DateTime.UtcNow:HH:mm:ss} [{_stage}] {TerminalText.OneLine(p.Text)}");
                        if (_agentLines.Count > 8) _agentLines.RemoveAt(0);
                    }
                    if (!live) lock (context.Stdout) context.Stdout.WriteLine($"  agent [{p.Stage.ToString().ToLowerInvariant()}] {TerminalText.OneLine(p.Text)}");
                }, token);
            lock (_gate) _stage = "idle";
        }, ct);
        try
        {
            if (!live) await watching;
            else
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    ColorSystem = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
                });
                await console.Live(Render()).StartAsync(async display =>
                {
                    while (!watching.IsCompleted)
                    {
                        display.UpdateTarget(Render());
                        await Task.WhenAny(watching, Task.Delay(500, CancellationToken.None));
                    }
                    await watching;
                });
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        ct.ThrowIfCancellationRequested();
        return ExitCodes.Ok;
    }

    private async Task SampleRateAsync(CancellationToken ct)
    {
        if (agent.Prometheus is null) return;
        var outcome = await RunChecks.Default.Prometheus.RunAsync(new PrometheusProbe(agent.Prometheus, RequestRateQuery, Comparison.Above, -1), TimeSpan.FromSeconds(5), ct);
        if (outcome.Fields.TryGetValue("value", out var text) && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var rate) && double.IsFinite(rate))
            lock (_gate)
            {
                _rates.Add(rate);
                if (_rates.Count > 40) _rates.RemoveAt(0);
            }
    }

    private IRenderable Render()
    {
        lock (_gate)
        {
            var hosts = agent.Inventory.Hosts.Keys.ToList();
            var grid = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(agent.Name)}[/] invariants").AddColumn("invariant");
            foreach (var host in hosts) grid.AddColumn(Markup.Escape(host));
            grid.AddColumn("(no host)");
            foreach (var invariant in agent.Definition.Invariants)
            {
                var cells = new List<string> { Markup.Escape(invariant.Name) };
                foreach (var host in hosts.Append(""))
                {
                    var seen = _pass?.Snapshot.Observations.FirstOrDefault(o => o.Invariant == invariant.Name && o.Host == host);
                    cells.Add(seen is null ? "[grey]·[/]" : seen.Green ? "[green]ok[/]" : "[red bold]RED[/]");
                }
                grid.AddRow(cells.ToArray());
            }
            var incidents = new Table().Border(TableBorder.Rounded).Title("open incidents").AddColumn("id").AddColumn("status").AddColumn("host").AddColumn("invariant").AddColumn("seen");
            foreach (var i in _incidents.Take(10))
                incidents.AddRow(Markup.Escape(i.Id), i.Status == IncidentStatus.Held ? "[yellow]held[/]" : "[red]open[/]", Markup.Escape(i.Host), Markup.Escape(i.Invariant), $"{i.Occurrences}");
            if (_incidents.Count == 0) incidents.AddRow("[green]none[/]", "", "", "", "");
            var agentPanel = new Panel(new Markup(_agentLines.Count == 0 ? "[grey]no session yet[/]" : string.Join("\n", _agentLines.Select(Markup.Escape))))
                .Header($"agent: [bold]{Markup.Escape(_stage)}[/]").Border(BoxBorder.Rounded);
            var rate = agent.Prometheus is null
                ? new Markup("[grey]no Prometheus configured[/]")
                : new Markup($"requests/s {Markup.Escape(Sparkline(_rates))} {(_rates.Count > 0 ? $"{_rates[^1]:0.##}" : "")}");
            var footer = new Markup($"[grey]{(_pass is null ? "first check running…" : $"last check {_pass.At:HH:mm:ss}Z")}, every {agent.Definition.Interval.TotalSeconds:0.#} s · Ctrl-C stops[/]");
            return new Rows(grid, incidents, agentPanel, rate, footer);
        }
    }

    private void PrintPlain()
    {
        lock (_gate)
        {
            if (_pass is null) return;
            var w = context.Stdout;
            var red = _pass.Snapshot.Red.ToList();
            w.WriteLine($"{_pass.At:HH:mm:ss} {_pass.Snapshot.Observations.Count - red.Count} green, {red.Count} red; {_incidents.Count} open incidents" +
                        (_rates.Count > 0 ? $"; requests/s {Sparkline(_rates)} {_rates[^1]:0.##}" : ""));
            foreach (var o in red) w.WriteLine($"  RED {TerminalText.OneLine(o.Invariant)}{(o.Host.Length > 0 ? " on " + TerminalText.OneLine(o.Host) : "")}");
            foreach (var i in _incidents) w.WriteLine($"  incident {i.Id} {i.Status.ToWireName()} {TerminalText.OneLine(i.Summary)}");
        }
    }

    /// <summary>The values as a row of block characters, lowest to highest.</summary>
    public static string Sparkline(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return "";
        const string blocks = "▁▂▃▄▅▆▇█";
        var min = values.Min();
        var span = values.Max() - min;
        return new string(values.Select(v => blocks[span <= 0 ? 0 : (int)Math.Round((v - min) / span * (blocks.Length - 1))]).ToArray());
    }
}
