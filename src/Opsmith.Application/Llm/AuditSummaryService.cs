using System.Text;
using Microsoft.Extensions.AI;
using Opsmith.Llm.Providers;
using Opsmith.Storage.Audit;
using Opsmith.Storage.Sessions;

namespace Opsmith.Application.Llm;

/// <summary>A short account of one run or agent session: who, what, where, what was decided; by a model or extracted from the records.</summary>
/// <param name="Method"><c>llm</c> or <c>extractive</c>.</param>
public sealed record AuditSummary(string RunId, string Method, string Summary, int Records, IReadOnlyList<string> Notes, long Tokens);

/// <summary>
/// <c>opsmith audit summarize RUN</c>: the fast tier summarizes the run's audit records (already masked when they
/// were written, and masked again before they are sent); with no model, or when it fails, an extractive summary
/// is built from the records themselves, and a note says so.
/// </summary>
public sealed class AuditSummaryService(OpsmithServices services)
{
    private const int MaxRecordsSent = 200;

    /// <summary>A run (by its run id) or an agent session (by its session id): the session's own record and trajectory, or the run's audit records.</summary>
    public async Task<Result<AuditSummary>> SummarizeAsync(string id, ModelChoice model, CancellationToken ct)
    {
        var store = await services.AuditAsync(ct);
        var masker = services.NewMasker();
        string extractive, lines;
        int count;
        // A session's own records carry its id too: the session, with its trajectory, says more.
        var session = await (await services.SessionsAsync(ct)).GetAsync(id, ct);
        var records = session is null ? await store.ListAsync(new AuditQuery(RunId: id, Limit: AuditQuery.MaxLimit), ct) : [];
        if (records.Count > 0)
        {
            (extractive, count) = (Extract(id, records), records.Count);
            lines = $"Records of run {id}:\n" + string.Join("\n", records.Take(MaxRecordsSent).Select(r =>
                masker.Apply($"{r.Time:u} {r.Kind} {r.Actor} host={r.Host} skill={r.Skill} {(r.Decision is { } d ? $"decision={d} " : "")}{r.Detail}")));
        }
        else if (session is not null)
        {
            extractive = $"Agent session {session.Id} of {session.Agent} ({session.TriggerKind}: {session.TriggerText}) started {session.StartedAt:u} " +
                         $"and ended {session.Status.ToWireName()}{(session.FinishedAt is { } end ? $" at {end:u}" : "")}: {session.Summary}" +
                         (session.Tokens > 0 ? $" ({session.Tokens} model tokens)" : "");
            count = 1;
            var trajectory = session.Trajectory.Length > 12_000 ? session.Trajectory[..12_000] + "…" : session.Trajectory;
            lines = masker.Apply($"Agent session {session.Id}: {extractive}\nTrajectory (JSON):\n{trajectory}");
        }
        else return OpsmithError.NotFound($"'{id}' is neither a run in the audit trail nor an agent session (opsmith audit list and opsmith agent sessions list show them)");
        var runId = id;
        if (model.Client is not { } client)
            return new AuditSummary(runId, "extractive", extractive, count, [ModelAccess.FallbackNote("summarize", model.FallbackReason, "an extractive summary")], 0);
        try
        {
            var response = await client.GetResponseAsync(
            [
                new ChatMessage(ChatRole.System, "You summarize an Opsmith audit trail for an on-call engineer: three to five plain sentences — " +
                    "who ran what where, what was blocked or waited for approval, how it ended. Do not invent anything not in the records."),
                new ChatMessage(ChatRole.User, lines),
            ], cancellationToken: ct);
            if (ModelAnswers.IsRefusal(response) || string.IsNullOrWhiteSpace(response.Text))
                return new AuditSummary(runId, "extractive", extractive, count,
                    [ModelAccess.FallbackNote("summarize", "the model gave no summary", "an extractive summary")], response.Usage?.TotalTokenCount ?? 0);
            return new AuditSummary(runId, "llm", masker.Apply(response.Text.Trim()), count, [$"summarized by {model.Endpoint}"],
                response.Usage?.TotalTokenCount ?? 0);
        }
        catch (ModelCallException e)
        {
            return new AuditSummary(runId, "extractive", extractive, count, [ModelAccess.FallbackNote("summarize", masker.Apply(e.Message), "an extractive summary")], 0);
        }
    }

    /// <summary>The summary from the records alone: who, which skill, which hosts, how many commands and decisions of each kind, how it ended.</summary>
    public static string Extract(string runId, IReadOnlyList<AuditRecord> records)
    {
        var text = new StringBuilder();
        var actors = records.Select(r => r.Actor).Where(a => a.Length > 0).Distinct().ToList();
        var skills = records.Select(r => r.Skill).Where(s => s.Length > 0).Distinct().ToList();
        var hosts = records.Select(r => r.Host).Where(h => h.Length > 0).Distinct().ToList();
        text.Append($"Run {runId} by {string.Join(", ", actors)}");
        if (skills.Count > 0) text.Append($" ran {string.Join(", ", skills)}");
        if (hosts.Count > 0) text.Append($" on {string.Join(", ", hosts)}");
        text.Append($" between {records[0].Time:u} and {records[^1].Time:u}. ");
        var commands = records.Count(r => r.Kind == AuditKind.Command);
        var decisions = records.Where(r => r.Kind == AuditKind.Decision).GroupBy(r => r.Decision).Select(g => $"{g.Count()} {g.Key?.ToString().ToLowerInvariant()}");
        text.Append($"{commands} command{(commands == 1 ? "" : "s")} ran; decisions: {string.Join(", ", decisions.DefaultIfEmpty("none"))}. ");
        foreach (var blocked in records.Where(r => r.Decision == AuditDecision.Blocked).Take(3)) text.Append($"Blocked on {blocked.Host}: {blocked.Detail}. ");
        var end = records.LastOrDefault(r => r.Kind is AuditKind.RunFinished or AuditKind.RunInterrupted);
        text.Append(end is null ? "The trail has no end record for it (still running, or the process died)." : $"It ended: {end.Detail}.");
        return text.ToString();
    }
}
