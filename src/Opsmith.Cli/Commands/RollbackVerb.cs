using System.CommandLine;
using System.Text.Json;
using Opsmith.Cli.Output;
using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Skills;
using Opsmith.Execution.Runs;

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
        var autonomy = RunSetup.AutonomyOption();
        var command = new Command("rollback", "Run again the rollback recorded in a run report.") { reportPath, inputs, execute, autonomy, output };
        command.SetAction((p, ct) => RunAsync(p.GetValue(reportPath)!, p.GetValue(inputs) ?? [], p.GetValue(execute),
            RunSetup.Autonomy(p.GetValue(autonomy)), p.GetValue(output), ct));
        return command;
    }

    private async Task<int> RunAsync(string reportPath, string[] inputPairs, bool execute, Opsmith.Policy.Decisions.AutonomyLevel autonomy,
        OutputFormat format, CancellationToken ct)
    {
        if (!File.Exists(reportPath)) throw new UsageException($"report '{reportPath}' does not exist");
        RunReport? report;
        try
        {
            report = JsonSerializer.Deserialize<RunReport>(await File.ReadAllTextAsync(reportPath, ct), JsonOutput.Options);
        }
        catch (JsonException e)
        {
            context.Stderr.WriteLine($"Error: {reportPath} is not an Opsmith run report: {e.Message}");
            return ExitCodes.Invalid;
        }
        if (report is null || report.FormatVersion != RunReport.CurrentFormat || report.Inventory is null)
        {
            context.Stderr.WriteLine($"Error: {reportPath} is not an Opsmith run report of format {RunReport.CurrentFormat}.");
            return ExitCodes.Invalid;
        }
        var skill = await RunSetup.LoadAsync<Skill>(context, report.SkillFile, "skill", ct);
        var inventory = await RunSetup.LoadAsync<Inventory>(context, report.Inventory, "inventory", ct);
        if (skill is null || inventory is null) return ExitCodes.Invalid;
        if (skill.ContentHash != report.SkillHash || inventory.ContentHash != report.InventoryHash)
        {
            context.Stderr.WriteLine($"Error: {(skill.ContentHash != report.SkillHash ? report.SkillFile : report.Inventory)} changed since the report was written; " +
                                     "refusing to run a rollback that may no longer match what ran.");
            return ExitCodes.Invalid;
        }

        // Only hosts where an action reached the host (it has an exit code) can need undoing.
        var targets = report.Hosts.Where(h => h.RollbackPlan is not null && h.Steps.Any(s => s.Section == "actions" && s.ExitCode is not null)).ToList();
        var withheld = targets.Where(h => h.RollbackPlan!.Withheld.Count > 0).ToList();
        if (withheld.Count > 0)
        {
            context.Stderr.WriteLine($"Error: the rollback of {withheld[0].Host} needs {string.Join(", ", withheld[0].RollbackPlan!.Withheld)}, " +
                                     "which held a secret or was too large to record in the report; run the rollback steps by hand.");
            return ExitCodes.Invalid;
        }
        if (targets.Count == 0)
        {
            context.Stdout.WriteLine("Nothing to roll back: no host in the report ran an action of a skill with rollback steps.");
            return ExitCodes.Ok;
        }
        var given = InputOptions.Parse(inputPairs);
        var notSecret = given.Keys.Where(k => skill.Spec.FindInput(k) is not { Secret: true }).ToList();
        if (notSecret.Count > 0)
            throw new UsageException($"--input {notSecret[0]}: a rollback uses the values of the run it undoes; only secret inputs are given again");
        InputOptions.AddSecretsFromEnvironment(given, skill.Spec.Inputs.Where(i => i.Secret).Select(i => i.Name));
        foreach (var (name, value) in report.Inputs.Where(i => i.Value != SecretMasker.Mask)) given[name] = value;
        var (inputs, errors) = InputBinder.Bind(skill, given, inventory);
        if (inputs is null) throw new UsageException(string.Join("\n       ", errors));

        var masker = new SecretMasker();
        await using var connector = RunSetup.Connector(inventory);
        var (runner, audit) = await RunSetup.RunnerAsync(connector, masker, null, skill, autonomy, context.Stderr, ct);
        await using var _ = audit;
        if (!execute)
        {
            foreach (var host in targets)
            {
                if (!inventory.Hosts.TryGetValue(host.Host, out var planned)) throw new UsageException($"host '{host.Host}' is no longer in {report.Inventory}");
                context.Stdout.WriteLine($"{host.Host}: would run, in this order:");
                foreach (var step in runner.PlanRecordedRollback(skill, inventory, planned, host.RollbackPlan!, inputs))
                    context.Stdout.WriteLine($"  {step.Name}: {step.Command}");
            }
            context.Stdout.WriteLine("Nothing was changed. Add --execute to run the rollback.");
            return ExitCodes.Ok;
        }
        var results = new List<HostReport>();
        foreach (var host in targets)
        {
            if (!inventory.Hosts.TryGetValue(host.Host, out var inventoryHost))
                throw new UsageException($"host '{host.Host}' is no longer in {report.Inventory}");
            var rollback = await runner.RollBackRecordedAsync(skill, inventory, inventoryHost, host.RollbackPlan!, inputs, ct);
            results.Add(new HostReport(host.Host, host.Address, rollback.Restored ? Verdicts.RolledBack : Verdicts.RollbackFailed, null, [], [], rollback, null));
        }
        var summary = report with { Mode = "rollback", Verdict = SkillRunner.Overall(results), Hosts = results };
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, summary);
        else ReportPrinter.Print(context.Out, summary);
        return results.All(r => r.Verdict == Verdicts.RolledBack) ? ExitCodes.Ok : ExitCodes.RollbackFailed;
    }
}
