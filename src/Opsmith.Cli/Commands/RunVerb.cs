using System.CommandLine;
using Opsmith.Application.Runs;
using Opsmith.Application.Llm;
using Opsmith.Llm.Tiers;
using Opsmith.Execution.Runs;
using Opsmith.Cli.Output;
using Opsmith.Core.Runs;

namespace Opsmith.Cli.Commands;

/// <summary><c>opsmith run SKILL -i INVENTORY</c>: a dry run by default; <c>--execute</c> changes hosts.</summary>
public sealed class RunVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith run skills/check-disk-usage.yaml -i inventory.yaml --input host=web1            # dry run",
        "opsmith run skills/restart-systemd-unit.yaml -i inventory.yaml --input host=web --input unit=nginx --execute",
        "opsmith run skills/check-disk-usage.yaml -i inventory.yaml --input host=all --execute --parallel 50 --report-out report.json",
        "opsmith run skills/restart-systemd-unit.yaml -i inventory.yaml --input host=web1 --input unit=nginx --execute --override-cooldown \"INC-4711: the first restart did not take\"",
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
        var autonomy = CliServices.AutonomyOption();
        var overrideCooldown = new Option<string?>("--override-cooldown")
        {
            HelpName = "REASON",
            Description = "Run inside the skill's cooldown, and say why (kept in the audit trail). Only a person can; rate limits still hold.",
        };
        var verifier = new Option<string>("--verifier")
        {
            Description = "Who judges the success criteria: 'deterministic' (their own checks) or 'llm' (a model reads each check's output and may add doubt; " +
                          "it never turns a failed check green). See docs/llm.md.",
            DefaultValueFactory = _ => "deterministic",
            HelpName = "deterministic|llm",
        };
        var command = new Command("run", "Run a skill on the hosts its targets name: dry run by default, --execute to change them.")
        {
            skill, inventory, inputs, execute, parallel, reportOut, autonomy, verifier, overrideCooldown, output,
        };
        var models = new ModelFlags();
        models.AddTo(command);
        command.SetAction((p, ct) => RunAsync(p.GetValue(skill)!, p.GetValue(inventory)!, p.GetValue(inputs) ?? [], p.GetValue(execute),
            p.GetValue(parallel), p.GetValue(reportOut), p.GetValue(autonomy), p.GetValue(verifier)!, p.GetValue(overrideCooldown), models.Read(p), p.GetValue(output), ct));
        return command;
    }

    private async Task<int> RunAsync(string skillPath, string inventoryPath, string[] inputPairs, bool execute, int parallel,
        string? reportOut, string? autonomy, string verifier, string? overrideCooldown, ModelOverrides modelFlags, OutputFormat format, CancellationToken ct)
    {
        if (parallel < 1) throw new UsageException("--parallel must be at least 1");
        if (verifier is not ("deterministic" or "llm")) throw new UsageException($"--verifier must be deterministic or llm, not '{verifier}'");
        if (overrideCooldown is not null && string.IsNullOrWhiteSpace(overrideCooldown))
            throw new UsageException("--override-cooldown needs a reason, such as \"INC-4711: the first restart did not take\"");
        if (reportOut is not null) ReportFile.EnsureWritable(reportOut);
        await using var services = CliServices.Open(CliServices.Overrides(autonomy));
        var runs = services.Runs;
        var prepared = await runs.PrepareAsync(new RunSpec(skillPath, inventoryPath, InputOptions.Parse(inputPairs),
            execute ? RunMode.Execute : RunMode.DryRun, parallel, Secrets: CliServices.SecretFromEnvironment, CooldownOverride: overrideCooldown), ct);
        if (prepared.Error is { } error) return CliServices.Fail(context, error, format);
        var run = prepared.Value!;
        foreach (var note in run.Notes) context.Stderr.WriteLine($"note: {note}");

        var started = await runs.StartAsync(run, ct);
        if (started.Error is { } startError) return CliServices.Fail(context, startError, format);
        using var hurry = context.Hurried.Register(started.Value!.Hurry);
        var progress = new RunProgressView(context, format == OutputFormat.Json);
        var report = await progress.ShowWhileAsync(run.Hosts.Select(h => h.Name).ToList(), started.Value!);

        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, report);
        else ReportPrinter.Print(context.Out, report);
        if (verifier == "llm") await VerifyAsync(services, report, modelFlags, ct);
        var written = reportOut is null || ReportFile.Write(context, reportOut, report);
        // A host left broken outranks the interruption: exit 4 says a person must look.
        if (report.Verdict == RunVerdict.RollbackFailed) return ExitCodes.RollbackFailed;
        if (ct.IsCancellationRequested) return ExitCodes.Interrupted;
        var exit = CliServices.ExitCode(report.Verdict);
        return exit == ExitCodes.Ok && !written ? ExitCodes.Invalid : exit;
    }

    /// <summary>The model's opinion of each success criterion, on stderr (the report on stdout stays the deterministic one).</summary>
    private async Task VerifyAsync(Application.OpsmithServices services, RunReport report, ModelOverrides modelFlags, CancellationToken ct)
    {
        var verification = await new RunVerifierService(services).VerifyAsync(report, ModelFlags.Choose(services, ModelTier.Standard, modelFlags), ct);
        foreach (var note in verification.Notes) context.Stderr.WriteLine($"note: {note}");
        foreach (var check in verification.Checks)
            context.Stderr.WriteLine($"verifier ({verification.Method}): {check.Host} {check.Check}: {check.Final.Wire()}" +
                                     (check.Explanation.Length > 0 ? $" — {check.Explanation}" : ""));
        if (verification.Doubt) context.Stderr.WriteLine("verifier: the model doubts a check that passed; look at its output before trusting the run.");
    }
}
