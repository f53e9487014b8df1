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
        "opsmith review as-7f3k2                           # every failed run of an agent session (opsmith agent sessions list)",
    ];

    public Command Build()
    {
        var report = new Argument<string>("REPORT") { Description = "A JSON run report (run --report-out), or an agent session id: each of its runs that did not succeed." };
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
        if (!File.Exists(reportFile) && !Directory.Exists(reportFile))
            return await SessionAsync(services, reportFile, optimizer == "llm", model, write, format, ct);
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

    /// <summary>An agent session: each failed run's review, one after the other (as JSON: the session and its reviews).</summary>
    private async Task<int> SessionAsync(Application.OpsmithServices services, string session, bool useModel, ModelChoice model, bool write, OutputFormat format,
        CancellationToken ct)
    {
        var reviewed = await new SkillReviewService(services).ReviewSessionAsync(session, useModel, model, ct);
        if (reviewed.Error is { } error) return CliServices.Fail(context, error, format);
        var reviews = reviewed.Value!;
        foreach (var note in reviews.SelectMany(r => r.Notes).Distinct()) context.Stderr.WriteLine($"note: {note}");
        var written = new List<string>();
        if (write)
            foreach (var review in reviews.Where(r => r.PatchedText is not null).DistinctBy(r => r.SkillFile)) // one patch per skill: the first failed run's
            {
                try
                {
                    await File.WriteAllTextAsync(review.SkillFile, review.PatchedText!, ct);
                    written.Add(review.SkillFile);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return context.Fail($"cannot write {review.SkillFile}: {e.Message}", ExitCodes.Invalid);
                }
            }
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new
            {
                session,
                reviews = reviews.Select(r => new { r.Report, r.SkillFile, r.Signatures, r.Patch, r.Method, r.Notes, r.Tokens }),
                written,
            });
            return ExitCodes.Ok;
        }
        if (reviews.Count == 0) context.Stdout.WriteLine($"No failed run of session {TerminalText.Sanitize(session)} shows a failure signature.");
        foreach (var review in reviews)
        {
            context.Stdout.WriteLine($"{Path.GetFileNameWithoutExtension(review.Report)} ({TerminalText.Sanitize(review.SkillFile)}):");
            foreach (var signature in review.Signatures)
                context.Stdout.WriteLine($"  {signature.Kind.Wire()}: {signature.Host} {signature.Step}: {TerminalText.Sanitize(signature.Evidence)}");
            if (review.Patch is { } patch) context.Stdout.Write(patch);
        }
        foreach (var file in written) context.Stdout.WriteLine($"wrote {file}");
        return ExitCodes.Ok;
    }
}
