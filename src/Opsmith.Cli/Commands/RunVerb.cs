using System.CommandLine;
using Opsmith.Cli.Output;
using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Skills;
using Opsmith.Execution.Runs;

namespace Opsmith.Cli.Commands;

/// <summary><c>opsmith run SKILL -i INVENTORY</c>: a dry run by default; <c>--execute</c> changes hosts.</summary>
public sealed class RunVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith run skills/check-disk-usage.yaml -i inventory.yaml --input host=web1            # dry run",
        "opsmith run skills/restart-systemd-unit.yaml -i inventory.yaml --input host=web --input unit=nginx --execute",
        "opsmith run skills/check-disk-usage.yaml -i inventory.yaml --input host=all --execute --parallel 50 --report-out report.json",
    ];

    public Command Build()
    {
        var skill = new Argument<string>("SKILL") { Description = "The skill file to run." };
        var inventory = new Option<string>("--inventory", "-i") { Description = "Inventory file (docs/inventory.md).", Required = true };
        var inputs = new Option<string[]>("--input")
        {
            Description = "An input value, NAME=VALUE; repeat for each. Secret inputs may come from OPSMITH_SECRET_NAME instead.",
            AllowMultipleArgumentsPerToken = false,
        };
        var execute = new Option<bool>("--execute") { Description = "Really run the actions. Without it: a dry run that changes nothing." };
        var parallel = new Option<int>("--parallel") { Description = "How many hosts at a time.", DefaultValueFactory = _ => 10 };
        var reportOut = new Option<string?>("--report-out") { Description = "Also write the JSON report (docs/report-format.md) to this file." };
        var output = CliContext.OutputOption();
        var autonomy = RunSetup.AutonomyOption();
        var command = new Command("run", "Run a skill on the hosts its targets name: dry run by default, --execute to change them.")
        {
            skill, inventory, inputs, execute, parallel, reportOut, autonomy, output,
        };
        command.SetAction((p, ct) => RunAsync(p.GetValue(skill)!, p.GetValue(inventory)!, p.GetValue(inputs) ?? [], p.GetValue(execute),
            p.GetValue(parallel), p.GetValue(reportOut), RunSetup.Autonomy(p.GetValue(autonomy)), p.GetValue(output), ct));
        return command;
    }

    private async Task<int> RunAsync(string skillPath, string inventoryPath, string[] inputPairs, bool execute, int parallel,
        string? reportOut, Opsmith.Policy.Decisions.AutonomyLevel autonomy, OutputFormat format, CancellationToken ct)
    {
        if (parallel < 1) throw new UsageException("--parallel must be at least 1");
        if (reportOut is not null) ReportFile.EnsureWritable(reportOut);
        var skill = await RunSetup.LoadAsync<Skill>(context, skillPath, "skill", ct);
        var inventory = await RunSetup.LoadAsync<Inventory>(context, inventoryPath, "inventory", ct);
        if (skill is null || inventory is null) return ExitCodes.Invalid;
        var inputs = RunSetup.BindInputs(skill, inventory, inputPairs);
        var hosts = RunSetup.ResolveTargets(skill, inventory, inputs);

        var request = new RunRequest(skill, inventory, hosts, inputs, execute ? RunMode.Execute : RunMode.DryRun, parallel);
        var progress = new RunProgressView(context, format == OutputFormat.Json);
        var masker = new SecretMasker();
        await using var connector = RunSetup.Connector(inventory);
        var (runner, audit) = await RunSetup.RunnerAsync(connector, masker, progress, skill, autonomy, context.Stderr, ct);
        await using var _ = audit;
        var report = await progress.ShowWhileAsync(hosts.Select(h => h.Name).ToList(), () => runner.RunAsync(request, Path.GetFullPath(skillPath), ct));

        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, report);
        else ReportPrinter.Print(context.Out, report);
        if (reportOut is not null) ReportFile.Write(context, reportOut, report);
        // A host left broken outranks the interruption: exit 4 says a person must look.
        if (report.Verdict == Verdicts.RollbackFailed) return ExitCodes.RollbackFailed;
        return ct.IsCancellationRequested ? ExitCodes.Interrupted : RunSetup.ExitCode(report.Verdict);
    }
}
