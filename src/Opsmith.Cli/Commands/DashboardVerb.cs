using System.CommandLine;

namespace Opsmith.Cli.Commands;

/// <summary><c>opsmith dashboard AGENT</c>: the monitor with its live terminal dashboard (the same as <c>monitor run --tui</c>).</summary>
public sealed class DashboardVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith dashboard examples/lab/lab-sre.agent.yaml",
        "opsmith dashboard examples/lab/lab-sre.agent.yaml --act --allow-mutation",
    ];

    public Command Build()
    {
        var command = new Command("dashboard", "A live terminal dashboard: invariants per host, open incidents, the agent's stage and actions, request rate.");
        var options = new MonitorVerb.MonitorOptions(command, dashboard: true);
        command.SetAction((p, ct) => new MonitorVerb(context).RunAsync(options.Read(p, dashboard: true), ct));
        return command;
    }
}
