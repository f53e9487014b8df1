using System.CommandLine;
using Opsmith.Cli.Output;
using Opsmith.Core.Runs;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith rollback REPORT</c>: runs again the rollback of every host a report says actions ran on.
/// Refuses when the skill or inventory changed since the report (their hashes are in it).
/// </summary>
public sealed class RollbackVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith rollback report.json                  # show what would be rolled back",
        "opsmith rollback report.json --execute",
        "OPSMITH_SECRET_API_TOKEN=... opsmith rollback report.json --execute   # secrets are never stored in reports",
    ];

    public Command Build()
    {
        var reportPath = new Argument<string>("REPORT") { Description = "A JSON report written by `opsmith run --report-out`." };
        var inputs = new Option<string[]>("--input") { Description = "Secret inputs again, NAME=VALUE (reports never store secrets)." };
        var execute = new Option<bool>("--execute") { Description = "Really run the rollback. Without it: show what would run." };
        var output = CliContext.OutputOption();
        var autonomy = CliServices.AutonomyOption();
        var command = new Command("rollback", "Run again the rollback recorded in a run report.") { reportPath, inputs, execute, autonomy, output };
        command.SetAction((p, ct) => RunAsync(p.GetValue(reportPath)!, p.GetValue(inputs) ?? [], p.GetValue(execute),
            p.GetValue(autonomy), p.GetValue(output), ct));
        return command;
    }

    private async Task<int> RunAsync(string reportPath, string[] inputPairs, bool execute, string? autonomy, OutputFormat format, CancellationToken ct)
    {
        await using var services = CliServices.Open(CliServices.Overrides(autonomy));
        var runs = services.Runs;
        var prepared = await runs.PrepareRollbackAsync(reportPath, InputOptions.Parse(inputPairs), CliServices.SecretFromEnvironment, ct);
        if (prepared.Error is { } error) return CliServices.Fail(context, error, format);
        var rollback = prepared.Value!;
        if (rollback.Targets.Count == 0)
        {
            if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, new { hosts = Array.Empty<object>(), changed = false });
            else context.Stdout.WriteLine("Nothing to roll back: no host in the report ran an action of a skill with rollback steps.");
            return ExitCodes.Ok;
        }
        if (!execute)
        {
            var plan = await runs.PlanRollbackAsync(rollback, ct);
            if (plan.Error is { } planError) return CliServices.Fail(context, planError, format);
            if (format == OutputFormat.Json)
            {
                JsonOutput.Write(context.Stdout, new { hosts = plan.Value!.Select(h => new { host = h.Host, steps = h.Steps }), changed = false });
                return ExitCodes.Ok;
            }
            foreach (var (host, steps) in plan.Value!)
            {
                context.Stdout.WriteLine($"{host}: would run, in this order:");
                foreach (var step in steps) context.Stdout.WriteLine($"  {step.Name} [{Core.Skills.YamlNames.Of(step.Risk)}]: {step.Command}");
            }
            context.Stdout.WriteLine("Nothing was changed. Add --execute to run the rollback.");
            return ExitCodes.Ok;
        }
        var result = await runs.RollbackAsync(rollback, ct);
        if (result.Error is { } runError) return CliServices.Fail(context, runError, format);
        var summary = result.Value!;
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, summary);
        else ReportPrinter.Print(context.Out, summary);
        return summary.Hosts.All(r => r.Verdict == RunVerdict.RolledBack) ? ExitCodes.Ok : ExitCodes.RollbackFailed;
    }
}
