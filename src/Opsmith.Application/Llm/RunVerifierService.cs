using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using Opsmith.Core.Runs;
using Opsmith.Execution.Runs;
using Opsmith.Llm.Providers;

namespace Opsmith.Application.Llm;

/// <summary>What the verifier concludes about one success criterion.</summary>
public enum CheckJudgement
{
    [JsonStringEnumMemberName("passed")] Passed,
    [JsonStringEnumMemberName("failed")] Failed,
    /// <summary>The check passed, but the model doubts it did what was meant: a person should look.</summary>
    [JsonStringEnumMemberName("doubtful")] Doubtful,
}

/// <param name="ModelSaid">What the model judged (passed, failed, doubtful), or null when no model judged it.</param>
public sealed record CheckOpinion(string Host, string Check, StepVerdict Deterministic, CheckJudgement Final, CheckJudgement? ModelSaid, string Explanation);

/// <param name="Method"><c>llm</c> or <c>deterministic</c>.</param>
public sealed record Verification(string Method, IReadOnlyList<CheckOpinion> Checks, IReadOnlyList<string> Notes, long Tokens)
{
    public bool Doubt => Checks.Any(c => c.Final == CheckJudgement.Doubtful);
}

/// <summary>
/// <c>opsmith run --verifier llm</c>: the model reads each success criterion's command and captured (masked) output
/// and judges whether it shows what the skill wanted. The deterministic verdict always wins a disagreement about a
/// failed check: the model may add doubt to a green check, never turn a red one green. With no model, or when it
/// fails, the deterministic verdicts stand and a note says so.
/// </summary>
public sealed class RunVerifierService(OpsmithServices services)
{
    public async Task<Verification> VerifyAsync(RunReport report, ModelChoice model, CancellationToken ct)
    {
        var checks = report.Hosts.SelectMany(h => h.Steps.Where(s => s.Section == RunSection.SuccessCriteria).Select(s => (Host: h.Host, Step: s))).ToList();
        var deterministic = checks.Select(c => new CheckOpinion(c.Host, c.Step.Name, c.Step.Verdict, Of(c.Step.Verdict), null, c.Step.Detail ?? "")).ToList();
        if (checks.Count == 0) return new Verification("deterministic", [], ["verify: the run has no success criteria to judge"], 0);
        if (model.Client is not { } client)
            return new Verification("deterministic", deterministic, [ModelAccess.FallbackNote("verify", model.FallbackReason, "the deterministic verdicts")], 0);
        var masker = services.NewMasker();
        var prompt = new StringBuilder($"Skill {report.Skill} ran ({report.Mode.Wire()}). For each success criterion below, judge from its command and output " +
            "whether it really shows the intended outcome. Answer with JSON only: {\"checks\":[{\"host\":…,\"check\":…,\"judgement\":\"passed|failed|doubtful\",\"explanation\":…}]}\n");
        foreach (var (host, step) in checks)
            prompt.Append($"\nhost {host}, check {step.Name}: verdict {step.Verdict.Wire()}, exit {step.ExitCode?.ToString() ?? "-"}\ncommand: {step.Command}\n" +
                          $"stdout: {Cap(step.Stdout)}\nstderr: {Cap(step.Stderr)}\n");
        try
        {
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, masker.Apply(prompt.ToString()))], cancellationToken: ct);
            var tokens = response.Usage?.TotalTokenCount ?? 0;
            var answer = ModelAnswers.JsonObjectIn(response.Text)?["checks"]?.AsArray();
            if (answer is null)
                return new Verification("deterministic", deterministic, [ModelAccess.FallbackNote("verify", "the model's answer was not the JSON asked for", "the deterministic verdicts")], tokens);
            var merged = deterministic.Select(d =>
            {
                var said = answer.FirstOrDefault(a => a?["host"]?.ToString() == d.Host && a?["check"]?.ToString() == d.Check);
                if (said is null) return d;
                var judgement = said["judgement"]?.ToString() switch
                {
                    "passed" => CheckJudgement.Passed,
                    "failed" => CheckJudgement.Failed,
                    _ => CheckJudgement.Doubtful,
                };
                var why = masker.Apply(said["explanation"]?.ToString() ?? "");
                // Only doubt flows from the model: a failed check stays failed whatever it says.
                var final = d.Final == CheckJudgement.Failed ? CheckJudgement.Failed
                    : judgement == CheckJudgement.Passed ? CheckJudgement.Passed : CheckJudgement.Doubtful;
                var explanation = d.Final == CheckJudgement.Failed && judgement == CheckJudgement.Passed
                    ? $"the model thought it passed ({why}); the check's own verdict, failed, stands"
                    : why;
                return d with { Final = final, ModelSaid = judgement, Explanation = explanation };
            }).ToList();
            return new Verification("llm", merged, [$"verified by {model.Endpoint}"], tokens);
        }
        catch (ModelCallException e)
        {
            return new Verification("deterministic", deterministic, [ModelAccess.FallbackNote("verify", masker.Apply(e.Message), "the deterministic verdicts")], 0);
        }
    }

    private static CheckJudgement Of(StepVerdict verdict) => verdict == StepVerdict.Passed ? CheckJudgement.Passed : CheckJudgement.Failed;

    private static string Cap(string? text) => text is null ? "" : text.Length > 1500 ? text[..1500] + "…" : text;
}
