using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using Opsmith.Application.Runs;
using Opsmith.Application.Validation;
using Opsmith.Core.Documents;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Core.Text;
using Opsmith.Execution.Runs;
using Opsmith.Llm.Providers;

namespace Opsmith.Application.Llm;

/// <summary>A kind of failure a run report shows.</summary>
public enum FailureKind
{
    [JsonStringEnumMemberName("timeout")] Timeout,
    [JsonStringEnumMemberName("flaky-check")] FlakyCheck,
    [JsonStringEnumMemberName("precondition-failed")] PreconditionFailed,
    [JsonStringEnumMemberName("missing-rollback")] MissingRollback,
}

public sealed record FailureSignature(FailureKind Kind, string Host, string Step, string Evidence);

/// <param name="Patch">A unified diff of the skill, re-validated before it is shown; null when nothing is proposed.</param>
/// <param name="Method"><c>llm</c> or <c>rules</c>.</param>
public sealed record SkillReview(string Report, string SkillFile, IReadOnlyList<FailureSignature> Signatures, string? Patch, string Method,
    IReadOnlyList<string> Notes, long Tokens)
{
    [JsonIgnore] public string? PatchedText { get; init; }
}

/// <summary>
/// <c>opsmith review REPORT</c>: reads a run report, finds failure signatures (time-outs, checks that failed once
/// without retrying, failed preconditions, a failed change with no rollback) and proposes a patch to the skill as a
/// unified diff. The rules patch what they know (a longer timeout, a retry on a check); the model (<c>--optimizer
/// llm</c>) proposes a whole corrected skill, from which the diff is taken. Either way the patched skill must pass
/// validation before the diff is shown, and the model's failure falls back to the rules, saying so.
/// </summary>
public sealed class SkillReviewService(OpsmithServices services)
{
    public async Task<Result<SkillReview>> ReviewAsync(string reportFile, bool useModel, ModelChoice model, CancellationToken ct)
    {
        var read = await ReportJson.ReadAsync(reportFile, ct);
        if (read.Error is { } readError) return readError;
        var report = read.Value!;
        var loaded = await services.Runs.LoadSkillAsync(report.SkillFile, ct);
        if (loaded.Error is { } error) return error;
        var skill = loaded.Value!.Skill;
        var text = await File.ReadAllTextAsync(report.SkillFile!, ct);
        var signatures = Signatures(report, skill);
        var notes = new List<string>();
        long tokens = 0;
        if (useModel)
        {
            if (model.Client is { } client && signatures.Count > 0)
            {
                var (patched, used, problem) = await AskModelAsync(client, report, text, signatures, ct);
                tokens = used;
                var invalid = patched is null || patched == text ? null : await ProblemAsync(report.SkillFile, patched, ct);
                if (patched is not null && patched != text && invalid is null)
                    return new SkillReview(reportFile, report.SkillFile, signatures, UnifiedDiff.Of(text, patched, "a/" + Path.GetFileName(report.SkillFile),
                        "b/" + Path.GetFileName(report.SkillFile)), "llm", [$"proposed by {model.Endpoint}; the patched skill passes validation"], tokens) { PatchedText = patched };
                notes.Add(ModelAccess.FallbackNote("review", problem ?? invalid ?? "the model proposed no change", "the rules"));
            }
            else if (model.Client is null) notes.Add(ModelAccess.FallbackNote("review", model.FallbackReason, "the rules"));
        }
        var ruled = ApplyRules(text, skill, signatures);
        if (ruled == text) return new SkillReview(reportFile, report.SkillFile, signatures, null, "rules", [.. notes, "the rules have no patch for these signatures"], tokens);
        if (await ProblemAsync(report.SkillFile, ruled, ct) is { } ruleProblem)
            return new SkillReview(reportFile, report.SkillFile, signatures, null, "rules", [.. notes, $"the rules' patch fails validation ({ruleProblem}); nothing is proposed"], tokens);
        return new SkillReview(reportFile, report.SkillFile, signatures,
            UnifiedDiff.Of(text, ruled, "a/" + Path.GetFileName(report.SkillFile), "b/" + Path.GetFileName(report.SkillFile)), "rules", notes, tokens) { PatchedText = ruled };
    }

    /// <summary>
    /// <c>opsmith review SESSION</c>: every run of an agent session that did not succeed (the session keeps their
    /// reports), each reviewed like a report file. A session with no such run has nothing to review.
    /// </summary>
    public async Task<Result<IReadOnlyList<SkillReview>>> ReviewSessionAsync(string sessionId, bool useModel, ModelChoice model, CancellationToken ct)
    {
        var session = await (await services.SessionsAsync(ct)).GetAsync(sessionId, ct);
        if (session is null) return OpsmithError.NotFound($"'{sessionId}' is neither a report file nor an agent session (opsmith agent sessions list shows them)");
        var folder = Agents.AgentService.ReportsFolder(services, session.Id);
        var reports = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList() : [];
        var reviews = new List<SkillReview>();
        foreach (var report in reports)
        {
            var reviewed = await ReviewAsync(report, useModel, model, ct);
            if (reviewed.Error is { } error) return error with { Message = $"session {session.Id}: {error.Message}" };
            if (reviewed.Value!.Signatures.Count > 0) reviews.Add(reviewed.Value);
        }
        return reviews;
    }

    public static IReadOnlyList<FailureSignature> Signatures(RunReport report, Skill skill)
    {
        var found = new List<FailureSignature>();
        foreach (var host in report.Hosts)
            foreach (var step in host.Steps)
            {
                if (step.Verdict == StepVerdict.TimedOut)
                    found.Add(new FailureSignature(FailureKind.Timeout, host.Host, step.Name, step.Detail ?? $"timed out after {step.DurationMs} ms"));
                else if (step.Verdict == StepVerdict.Failed && step.Section == RunSection.SuccessCriteria && step.Attempts <= 1)
                    found.Add(new FailureSignature(FailureKind.FlakyCheck, host.Host, step.Name, $"failed on its only attempt: {step.Detail ?? step.Stderr ?? ""}".Trim()));
                else if (step.Verdict == StepVerdict.Failed && step.Section == RunSection.Preconditions)
                    found.Add(new FailureSignature(FailureKind.PreconditionFailed, host.Host, step.Name, step.Detail ?? "failed"));
            }
        foreach (var host in report.Hosts.Where(h => h.Changed && h.Verdict is RunVerdict.Failed && skill.Spec.Rollback.IsExplicitlyNone))
            found.Add(new FailureSignature(FailureKind.MissingRollback, host.Host, "rollback", "the run changed the host, failed, and the skill has no rollback"));
        return found;
    }

    /// <summary>What the rules know how to fix: a longer timeout for a step that timed out, a retry for a check that failed on its only try.</summary>
    internal static string ApplyRules(string text, Skill skill, IReadOnlyList<FailureSignature> signatures)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').ToList();
        var inserts = new List<(int After, string Line)>();
        foreach (var signature in signatures.DistinctBy(s => (s.Kind, s.Step)))
        {
            var (position, hasTimeout, hasRetry) = signature.Kind switch
            {
                FailureKind.Timeout when skill.Spec.Actions.FirstOrDefault(a => a.Name == signature.Step) is { } action => (action.Position, action.Timeout is not null, true),
                FailureKind.Timeout or FailureKind.FlakyCheck when skill.Spec.SuccessCriteria.FirstOrDefault(c => c.Name == signature.Step) is { } check =>
                    (check.Position, check.Timeout is not null, check.Retry is not null),
                _ => (default(Core.Diagnostics.SourcePosition?), true, true),
            };
            if (position is not { } at || NameLine(lines, at.Line, signature.Step) is not { } nameLine) continue;
            var indent = lines[nameLine].IndexOf("name:", StringComparison.Ordinal);
            var keyIndent = new string(' ', indent);
            if (signature.Kind == FailureKind.Timeout && !hasTimeout) inserts.Add((nameLine, $"{keyIndent}timeout: 10m"));
            if (signature.Kind == FailureKind.FlakyCheck && !hasRetry) inserts.Add((nameLine, $"{keyIndent}retry: {{attempts: 3, interval: 5s}}"));
        }
        foreach (var (after, line) in inserts.OrderByDescending(i => i.After)) lines.Insert(after + 1, line);
        return string.Join("\n", lines);
    }

    /// <summary>The index of the block-style <c>name: STEP</c> line at or just after the step's position; null for a flow mapping.</summary>
    private static int? NameLine(List<string> lines, int line, string step)
    {
        for (var i = Math.Max(0, line - 1); i < Math.Min(lines.Count, line + 2); i++)
        {
            var trimmed = lines[i].TrimStart(' ', '-').Trim();
            if (trimmed == $"name: {step}" || trimmed == $"name: \"{step}\"" || trimmed == $"name: '{step}'") return i;
        }
        return null;
    }

    private async Task<string?> ProblemAsync(string file, string text, CancellationToken ct)
    {
        var check = await DocumentValidation.ValidateAsync([DocumentLoader.Load(file, text)], strict: false, services.Linter, ct);
        var first = check.Documents.SelectMany(d => d.Diagnostics).FirstOrDefault(d => d.IsError);
        return first is null ? null : $"line {first.Position.Line}: {first.Message}";
    }

    private async Task<(string? Patched, long Tokens, string? Problem)> AskModelAsync(IChatClient client, RunReport report, string text,
        IReadOnlyList<FailureSignature> signatures, CancellationToken ct)
    {
        var masker = services.NewMasker();
        var prompt = $"This Opsmith skill failed. Failure signatures:\n{string.Join("\n", signatures.Select(s => $"- {s.Kind.Wire()} on {s.Host}, step {s.Step}: {s.Evidence}"))}\n" +
                     $"Run verdict: {report.Verdict.Wire()}.\nPropose the smallest change to the skill that fixes these. Answer with the whole corrected skill, YAML only.\n```yaml\n{text}\n```";
        try
        {
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, masker.Apply(prompt))], cancellationToken: ct);
            if (ModelAnswers.IsRefusal(response)) return (null, response.Usage?.TotalTokenCount ?? 0, "the model declined");
            var patched = ModelAnswers.Unfenced(response.Text);
            return (patched.EndsWith('\n') == text.EndsWith('\n') ? patched : patched.TrimEnd('\n') + (text.EndsWith('\n') ? "\n" : ""),
                response.Usage?.TotalTokenCount ?? 0, null);
        }
        catch (ModelCallException e)
        {
            return (null, 0, masker.Apply(e.Message));
        }
    }
}
