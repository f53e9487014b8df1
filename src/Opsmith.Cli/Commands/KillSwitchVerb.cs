using System.CommandLine;
using Opsmith.Cli.Output;
using Opsmith.Execution.Runs;

namespace Opsmith.Cli.Commands;

/// <summary><c>opsmith kill-switch on|off|status</c>: stop every new mutating step, in every running Opsmith process.</summary>
public sealed class KillSwitchVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith kill-switch on --reason \"incident 4711: hands off the database hosts\"",
        "opsmith kill-switch status",
        "opsmith kill-switch off",
    ];

    public Command Build()
    {
        var state = new Argument<string>("STATE") { Description = "on, off or status." };
        state.AcceptOnlyFromAmong("on", "off", "status");
        var reason = new Option<string?>("--reason") { Description = "Why (shown to everyone whose steps are stopped)." };
        var output = CliContext.OutputOption();
        var command = new Command("kill-switch", "Stop (on) or allow again (off) every new step that can change a host; reads go on.") { state, reason, output };
        command.SetAction((p, ct) => RunAsync(p.GetValue(state)!, p.GetValue(reason), p.GetValue(output), ct));
        return command;
    }

    private async Task<int> RunAsync(string state, string? reason, OutputFormat format, CancellationToken ct)
    {
        await using var services = CliServices.Open();
        // Every toggle is in the audit trail: who, when, why.
        if (state != "status" && await services.SetKillSwitchAsync(state == "on", reason ?? "", ct) is { } error)
        {
            // Switching off without its record is refused; switching on goes on regardless (fail closed).
            if (state == "off") return CliServices.Fail(context, error, format);
            CliServices.Fail(context, error);
        }
        var current = services.KillSwitch.Read();
        if (format == OutputFormat.Json)
            JsonOutput.Write(context.Stdout, new { on = current is not null, by = current?.By, since = current?.Since, reason = current?.Reason });
        else if (current is null)
            context.Stdout.WriteLine(context.Out.Green("The kill switch is off: steps run as the policy allows."));
        else
            context.Stdout.WriteLine(context.Out.Red($"The kill switch is ON ({TerminalText.OneLine(current.ToString())}). No step that can change a host will start; reads go on."));
        return ExitCodes.Ok;
    }
}
