using System.CommandLine;
using Opsmith.Application;
using Opsmith.Application.Agents;
using Opsmith.Cli.Output;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Incidents;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith monitor run AGENT</c>: checks the agent's invariants every interval, opens an incident for each red one
/// (deduplicated per invariant and host), resolves incidents whose invariant is green again, and with <c>--act</c> hands
/// new incidents to the agent. <c>--tui</c> shows the live dashboard instead of lines.
/// </summary>
public sealed class MonitorVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith monitor run examples/lab/lab-sre.agent.yaml --once",
        "opsmith monitor run examples/lab/lab-sre.agent.yaml --act --allow-mutation",
        "opsmith monitor run examples/lab/lab-sre.agent.yaml --tui",
        "opsmith monitor run examples/lab/lab-sre.agent.yaml -i /run/opsmith/labs/ag/inventory.yaml --once --output json",
    ];

    public Command Build()
    {
        var monitor = new Command("monitor", "Watch an agent's invariants and open incidents when they fail.");
        var run = new Command("run", "Check the invariants every interval (or --once); red ones open incidents, green ones resolve them.");
        var options = new MonitorOptions(run);
        run.SetAction((p, ct) => RunAsync(options.Read(p), ct));
        monitor.Subcommands.Add(run);
        return monitor;
    }

    /// <summary>The options monitor run and dashboard share.</summary>
    internal sealed class MonitorOptions
    {
        public readonly Argument<string> File = new("AGENT") { Description = "The agent file (kind: Agent) whose invariants to watch." };
        public readonly Option<string?> Inventory = new("--inventory", "-i") { Description = "Inventory (overrides the environment's)." };
        public readonly Option<string?> Prometheus = new("--prometheus") { Description = "Prometheus URL (overrides the environment's); also feeds the dashboard's request-rate sparkline." };
        public readonly Option<bool> Once = new("--once") { Description = "Check once, print what changed, and exit (1 when an invariant is red)." };
        public readonly Option<bool> Act = new("--act") { Description = "Start an agent session for each incident the monitor opens (read-only unless --allow-mutation)." };
        public readonly Option<bool> AllowMutation = new("--allow-mutation") { Description = "With --act: let the agent's recover stage change hosts." };
        public readonly Option<bool> Tui = new("--tui") { Description = "A live terminal dashboard (plain lines when the output is not a terminal)." };
        public readonly Option<string?> Catalog = new("--catalog") { Description = "Skill catalog folder (default: skills/ above the working folder)." };
        public readonly Option<OutputFormat> Output = CliContext.OutputOption();

        public MonitorOptions(Command command, bool dashboard = false)
        {
            command.Add(File);
            command.Add(Inventory);
            command.Add(Prometheus);
            if (!dashboard) { command.Add(Once); command.Add(Tui); command.Add(Output); }
            command.Add(Act);
            command.Add(AllowMutation);
            command.Add(Catalog);
        }

        public MonitorArguments Read(ParseResult p, bool dashboard = false) => new(p.GetValue(File)!, p.GetValue(Inventory), p.GetValue(Prometheus),
            !dashboard && p.GetValue(Once), p.GetValue(Act), p.GetValue(AllowMutation), dashboard || p.GetValue(Tui), p.GetValue(Catalog),
            dashboard ? OutputFormat.Text : p.GetValue(Output));
    }

    internal sealed record MonitorArguments(string File, string? Inventory, string? Prometheus, bool Once, bool Act, bool AllowMutation, bool Tui, string? Catalog, OutputFormat Output);

    internal async Task<int> RunAsync(MonitorArguments a, CancellationToken ct)
    {
        LoadedAgent agent;
        await using (var loading = CliServices.Open())
        {
            var loaded = await new AgentLoader(loading).LoadAsync(a.File, a.Inventory, a.Prometheus, a.Catalog, ct);
            if (loaded.Error is { } error) return CliServices.Fail(context, error, a.Output);
            agent = loaded.Value!;
        }
        await using var services = new OpsmithServices(CliServices.Options(), new Actor(agent.Name, ActorKind.Agent));
        var monitor = new MonitorService(services);
        if (a.Tui) return await new Output.Dashboard(context, services, agent).RunAsync(monitor, a.Act, a.AllowMutation, ct);
        if (a.Once)
        {
            var pass = await monitor.CheckOnceAsync(agent, ct);
            if (a.Output == OutputFormat.Json) WriteJson(pass);
            else Print(pass);
            if (a.Act) await ActAsync(services, agent, pass, a.AllowMutation, null, ct);
            return pass.Snapshot.AllGreen ? ExitCodes.Ok : ExitCodes.Invalid;
        }
        context.Stderr.WriteLine(context.Out.Dim($"Watching {agent.Definition.Invariants.Count} invariants of {agent.Name} every {agent.Definition.Interval.TotalSeconds:0.#} s; Ctrl-C stops."));
        try
        {
            await monitor.WatchAsync(agent, async (pass, token) =>
            {
                if (a.Output == OutputFormat.Json) WriteJson(pass);
                else Print(pass);
                if (a.Act) await ActAsync(services, agent, pass, a.AllowMutation, null, token);
            }, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        ct.ThrowIfCancellationRequested();
        return ExitCodes.Ok;
    }

    /// <summary>Hands each incident the pass opened to the agent, one after another; a held incident is left to people.</summary>
    internal static async Task ActAsync(OpsmithServices services, LoadedAgent agent, MonitorPass pass, bool allowMutation, Action<AgentProgress>? progress, CancellationToken ct)
    {
        foreach (var incident in pass.Opened.Where(i => i.Status == IncidentStatus.Open))
        {
            var trigger = new AgentTrigger(TriggerKind.Incident, $"{incident.Summary}: {incident.Evidence}", incident.Id, incident.Host.Length > 0 ? [incident.Host] : []);
            await new AgentService(services, progress).RunAsync(new AgentRequest(agent, trigger, AgentRequest.AllStages, allowMutation), ct);
        }
    }

    private void Print(MonitorPass pass)
    {
        var say = context.Out;
        var red = pass.Snapshot.Red.ToList();
        context.Stdout.WriteLine($"{pass.At:HH:mm:ss}  {pass.Snapshot.Observations.Count - red.Count} green, " + (red.Count == 0 ? say.Green("0 red") : say.Red($"{red.Count} red")));
        foreach (var i in pass.Opened) context.Stdout.WriteLine($"  {say.Red("opened")}   {i.Id} {TerminalText.OneLine(i.Summary)}: {Short(i.Evidence)}");
        foreach (var i in pass.Seen) context.Stdout.WriteLine($"  {say.Yellow("still")}    {i.Id} {TerminalText.OneLine(i.Summary)} (seen {i.Occurrences} times)");
        foreach (var i in pass.Resolved) context.Stdout.WriteLine($"  {say.Green("resolved")} {i.Id} {TerminalText.OneLine(i.Summary)}");
    }

    private void WriteJson(MonitorPass pass) => JsonOutput.Write(context.Stdout, new
    {
        at = pass.At,
        observations = pass.Snapshot.Observations.Select(o => new { invariant = o.Invariant, host = o.Host, green = o.Green, detail = o.Detail }),
        opened = pass.Opened.Select(IncidentsVerb.Json),
        seen = pass.Seen.Select(IncidentsVerb.Json),
        resolved = pass.Resolved.Select(IncidentsVerb.Json),
    });

    private static string Short(string text)
    {
        var line = TerminalText.OneLine(text.Replace('\n', ' '));
        return line.Length > 100 ? line[..100] + "…" : line;
    }
}
