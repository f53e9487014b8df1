using Opsmith.Core.Agents;
using System.CommandLine;
using Opsmith.Application.Llm;
using Opsmith.Cli.Output;
using Opsmith.Core.Runs;
using Opsmith.Llm.Tiers;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith review REPORT</c>: failure signatures in a run report and a patch to the skill as a unified diff,
/// re-validated before it is shown; <c>--write</c> applies it.
/// </summary>
public sealed class ReviewVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith review report.json                        # signatures and the rules' patch (no model needed)",
        "opsmith review report.json --optimizer llm        # a model proposes the patch; the rules if it cannot",
        "opsmith review report.json --write                # apply the patch to the skill file",
    ];

    public Command Build()
    {
        var report = new Argument<string>("REPORT") { Description = "A JSON run report (run --report-out)." };
        var optimizer = new Option<string>("--optimizer")
        {
            Description = "Who proposes the patch: 'rules' (deterministic: longer timeouts, retries on checks) or 'llm' (the reasoning tier; falls back to the rules, saying so).",
            DefaultValueFactory = _ => "rules",
            HelpName = "rules|llm",
        };
        var write = new Option<bool>("--write") { Description = "Apply the patch to the skill file (it passed validation first)." };
        var output = CliContext.OutputOption();
        var command = new Command("review", "Find failure signatures in a run report and propose a patch to its skill, as a unified diff.") { report, optimizer, write, output };
        var models = new ModelFlags();
        models.AddTo(command);
        command.SetAction((p, ct) => RunAsync(p.GetValue(report)!, p.GetValue(optimizer)!, p.GetValue(write), models.Read(p), p.GetValue(output), ct));
        return command;
    }

    private async Task<int> RunAsync(string reportFile, string optimizer, bool write, ModelOverrides modelFlags, OutputFormat format, CancellationToken ct)
    {
        if (optimizer is not ("rules" or "llm")) throw new UsageException($"--optimizer must be rules or llm, not '{optimizer}'");
        await using var services = CliServices.Open();
        var model = optimizer == "llm" ? ModelFlags.Choose(services, ModelTier.Reasoning, modelFlags) : new ModelChoice(null, null, null);
        var reviewed = await new SkillReviewService(services).ReviewAsync(reportFile, optimizer == "llm", model, ct);
        if (reviewed.Error is { } error) return CliServices.Fail(context, error, format);
        var review = reviewed.Value!;
        foreach (var note in review.Notes) context.Stderr.WriteLine($"note: {note}");
        if (write && review.PatchedText is { } patched)
        {
            try
            {
                await File.WriteAllTextAsync(review.SkillFile, patched, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return context.Fail($"cannot write {review.SkillFile}: {e.Message}", ExitCodes.Invalid);
            }
        }
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new { review.Report, review.SkillFile, review.Signatures, review.Patch, review.Method, review.Notes, review.Tokens, written = write && review.PatchedText is not null });
            return ExitCodes.Ok;
        }
        if (review.Signatures.Count == 0) context.Stdout.WriteLine("No failure signatures in this report.");
        foreach (var signature in review.Signatures)
            context.Stdout.WriteLine($"{signature.Kind.Wire()}: {signature.Host} {signature.Step}: {TerminalText.Sanitize(signature.Evidence)}");
        if (review.Patch is { } patch)
        {
            context.Stdout.WriteLine();
            context.Stdout.Write(patch);
            if (write) context.Stdout.WriteLine($"wrote {review.SkillFile}");
        }
        return ExitCodes.Ok;
    }
}
