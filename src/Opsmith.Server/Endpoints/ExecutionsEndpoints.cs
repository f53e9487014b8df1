using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Opsmith.Application;
using Opsmith.Application.Executions;
using Opsmith.Core.Runs;
using Opsmith.Execution.Runs;
using Opsmith.Server.Auth;
using Opsmith.Storage.Tokens;

namespace Opsmith.Server.Endpoints;

/// <summary>Executions: list, show (with the report), live events as Server-Sent Events, cancel; and tasks (skills in sequence).</summary>
public static class ExecutionsEndpoints
{
    public static void MapExecutions(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("/executions").RequireAuthorization(Roles.Policy(ApiRole.Viewer)).WithTags("executions");
        var write = api.MapGroup("/executions").RequireAuthorization(Roles.Policy(ApiRole.Operator)).WithTags("executions");

        read.MapGet("", async Task<Results<Ok<ExecutionList>, ProblemHttpResult>> (string? skill, string? status, int? limit, ExecutionService executions,
                CancellationToken ct) =>
                limit is < 1 or > MaxLimit ? Problems.From(OpsmithError.BadRequest($"limit must be between 1 and {MaxLimit}"))
                : TypedResults.Ok(new ExecutionList((await executions.ListAsync(skill, status, limit ?? 100, ct))
                    .Select(e => ApiExecution.From(e, includeReport: false)).ToList())))
            .WithSummary("Executions, newest first (kept across restarts); filter by skill and status (running, succeeded, failed, …); limit (default 100)");
        read.MapGet("/{id}", async Task<Results<Ok<ApiExecution>, ProblemHttpResult>> (string id, ExecutionService executions, CancellationToken ct) =>
                await executions.GetAsync(id, ct) is { } e ? TypedResults.Ok(ApiExecution.From(e, includeReport: true)) : NotFound(id))
            .WithSummary("One execution with its report");
        read.MapGet("/{id}/events", Results<ServerSentEventsResult<string>, ProblemHttpResult> (string id, ExecutionService executions,
                IOptions<JsonOptions> json, CancellationToken ct) =>
                executions.Events(id, ct) is { } events
                    ? TypedResults.ServerSentEvents(Sse(events, executions.WhenRecordedAsync(id), json.Value.SerializerOptions, ct)) : NotFound(id))
            .WithSummary("Live events (text/event-stream): every event so far, then each new one until the run ends");
        write.MapPost("/{id}/cancel", async Task<Results<Accepted, ProblemHttpResult>> (string id, ExecutionService executions, CancellationToken ct) =>
                executions.Cancel(id) ? TypedResults.Accepted($"/api/executions/{id}")
                : await executions.GetAsync(id, ct) is null ? NotFound(id)
                : Problems.From(OpsmithError.Conflict($"execution {id} is not running")))
            .WithSummary("Stop a running execution: its current step stops and what it changed is rolled back");
    }

    public static void MapTasks(this RouteGroupBuilder api)
    {
        api.MapPost("/tasks", async Task<Results<Accepted<TaskRun>, ProblemHttpResult>> (TaskRequest body, HttpContext http, OpsmithServices services,
                ExecutionService executions, CancellationToken ct) =>
            {
                var steps = (body.Skills ?? []).Select(s => (s.Skill, (IReadOnlyDictionary<string, string>)(s.Inputs ?? []))).ToList();
                var started = await executions.StartTaskAsync(http.ServicesFor(services), steps, body.Execute ? RunMode.Execute : RunMode.DryRun, ct);
                return started.Error is { } error ? Problems.From(error) : TypedResults.Accepted($"/api/tasks/{started.Value!.Id}", started.Value!);
            }).RequireAuthorization(Roles.Policy(ApiRole.Operator)).WithTags("tasks")
            .WithSummary("Run skills in order, each after the one before succeeded; the first failure stops the task (no retry)");
        api.MapGet("/tasks/{id}", Results<Ok<TaskRun>, ProblemHttpResult> (string id, ExecutionService executions) =>
                executions.GetTask(id) is { } task ? TypedResults.Ok(task) : Problems.From(OpsmithError.NotFound($"there is no task {id}")))
            .RequireAuthorization(Roles.Policy(ApiRole.Viewer)).WithTags("tasks").WithSummary("A task: each step's execution and verdict");
    }

    public sealed record TaskSkill(string Skill, Dictionary<string, string>? Inputs);

    public sealed record TaskRequest(IReadOnlyList<TaskSkill>? Skills, bool Execute = false);

    public const int MaxLimit = 1000;

    public sealed record ExecutionList(IReadOnlyList<ApiExecution> Executions);

    public sealed record ApiExecution(string Id, string Skill, string? Commit, string Actor, string Mode, string Source, string Status,
        DateTimeOffset Started, DateTimeOffset? Finished, string? TaskId, string? LogsUrl, IReadOnlyDictionary<string, string>? Outputs, RunReport? Report)
    {
        public static ApiExecution From(Application.Executions.Execution e, bool includeReport) => new(e.Id, e.Skill, e.Commit, e.Actor,
            e.Mode == RunMode.Execute ? "execute" : "dry-run", e.Source == ExecutionSource.Opsmith ? "opsmith" : "github-actions",
            ExecutionService.StatusOf(e), e.Started, e.Finished, e.TaskId, e.LogsUrl, e.Outputs, includeReport ? e.Report : null);
    }

    /// <summary>Each event as one SSE message: its kind as the event name (<c>step-started</c>), its JSON as the data.</summary>
    private static async IAsyncEnumerable<SseItem<string>> Sse(IAsyncEnumerable<RunEvent> events, Task recorded, JsonSerializerOptions json,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var sequence = 0;
        await foreach (var e in events.WithCancellation(ct))
            yield return new SseItem<string>(JsonSerializer.Serialize(e, e.GetType(), json), EventName(e)) { EventId = (++sequence).ToString() };
        await recorded.WaitAsync(ct);
    }

    public static string EventName(RunEvent e)
    {
        var name = e.GetType().Name;
        if (name.EndsWith("Event", StringComparison.Ordinal)) name = name[..^"Event".Length];
        return JsonNamingPolicy.KebabCaseLower.ConvertName(name);
    }

    private static ProblemHttpResult NotFound(string id) =>
        Problems.From(OpsmithError.NotFound($"there is no execution {id}; GET /api/executions lists them"));
}
