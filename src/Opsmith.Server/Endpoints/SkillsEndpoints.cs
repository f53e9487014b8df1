using Microsoft.AspNetCore.Http.HttpResults;
using Opsmith.Application;
using Opsmith.Application.Catalog;
using Opsmith.Application.Executions;
using Opsmith.Application.Skills;
using Opsmith.Application.Validation;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Server.Auth;
using Opsmith.Storage.Tokens;

namespace Opsmith.Server.Endpoints;

/// <summary>
/// Skills: active ones (merged into the skills repository's main branch, each at its commit) and proposed ones (pending
/// reviews). Creating or editing a skill never changes what runs: it opens a review that another person merges.
/// </summary>
public static class SkillsEndpoints
{
    public static void MapSkills(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("").RequireAuthorization(Roles.Policy(ApiRole.Viewer)).WithTags("skills");
        var write = api.MapGroup("").RequireAuthorization(Roles.Policy(ApiRole.Operator)).WithTags("skills");
        var decide = api.MapGroup("").RequireAuthorization(Roles.Policy(ApiRole.Approver)).WithTags("reviews");

        read.MapGet("/skills", ListAsync).WithSummary("Active skills, or pending reviews with status=pending_approval");
        write.MapPost("/skills", CreateAsync).WithSummary("Propose a new skill: validated, committed on a review branch, pending approval");
        read.MapGet("/skills/{id}", ShowAsync).WithSummary("One skill: its active version and commit, and pending reviews");
        write.MapPut("/skills/{id}", EditAsync).WithSummary("Propose a new version; the active one keeps running until it is merged");
        write.MapPost("/skills/{id}/validate", ValidateActiveAsync).WithSummary("Validate the active version with today's rules");
        write.MapPost("/validate", ValidateAsync).WithSummary("Validate unsaved YAML (the editor's live validation)");
        write.MapPost("/skills/{name}/execute", ExecuteAsync).WithSummary("Run the active version: a dry run unless execute is true");

        read.MapGet("/reviews", async (string? status, SkillRepository skills, CancellationToken ct) =>
            TypedResults.Ok(new ReviewList((await skills.ReviewsAsync(ParseReviewStatus(status), ct)).Select(ApiReview.From).ToList()))).WithTags("reviews")
            .WithSummary("Skill reviews, newest first (status: pending_approval, merged, rejected)");
        read.MapGet("/reviews/{id}", async Task<Results<Ok<ApiReview>, ProblemHttpResult>> (string id, SkillRepository skills, CancellationToken ct) =>
            await skills.ReviewAsync(id, ct) is { } review ? TypedResults.Ok(ApiReview.From(review))
                : Problems.From(OpsmithError.NotFound($"there is no skill review {id}"))).WithTags("reviews").WithSummary("One skill review");
        decide.MapPost("/reviews/{id}/approve", (string id, Decision? body, HttpContext http, SkillRepository skills, CancellationToken ct) =>
            DecideAsync(skills.ApproveAsync(id, http.Caller(), body?.Note, ct))).WithSummary("Merge a review: the skill becomes active at the merge commit");
        decide.MapPost("/reviews/{id}/reject", (string id, Decision? body, HttpContext http, SkillRepository skills, CancellationToken ct) =>
            DecideAsync(skills.RejectAsync(id, http.Caller(), body?.Note, ct))).WithSummary("Reject a review: main does not change");
    }

    public sealed record SkillDocument(string Yaml);

    public sealed record ExecuteRequest(Dictionary<string, string>? Inputs, bool Execute = false);

    public sealed record Decision(string? Note);

    public sealed record ApiSkill(string Name, string Title, string Description, string Stage, string? Category, IReadOnlyList<string> Tags, string Risk,
        string Status, string? Commit, string ContentHash);

    public sealed record SkillList(IReadOnlyList<ApiSkill> Skills, IReadOnlyList<ApiReview> Pending);

    public sealed record SkillDetail(ApiSkill? Active, string? Yaml, IReadOnlyList<ApiReview> Pending);

    public sealed record ReviewList(IReadOnlyList<ApiReview> Reviews);

    public sealed record ApiReview(string Id, string Skill, string Status, string Branch, string Commit, string Author, DateTimeOffset Created,
        string? DecidedBy, string? MergeCommit, string? Note, string? Url, int? PullRequest)
    {
        public static ApiReview From(SkillReview r) =>
            new(r.Id, r.Skill, r.Status.ToWireName(), r.Branch, r.Commit, r.Author, r.Created, r.DecidedBy, r.MergeCommit, r.Note, r.Url, r.PullRequest);
    }

    public sealed record ValidationReport(bool Valid, IReadOnlyList<ApiDiagnostic> Diagnostics);

    public sealed record Started(string ExecutionId, string Skill, string? Commit, string Mode, string Status, string Events);

    /// <summary>The unfiltered list as of one catalog (one commit of main): the most common read, built once per merge.</summary>
    private static (SkillCatalog Catalog, IReadOnlyList<ApiSkill> Skills)? _everything;

    private static async Task<Results<Ok<SkillList>, ProblemHttpResult>> ListAsync(string? status, string? q, string? stage, string? category, string? tag,
        SkillRepository skills, CancellationToken ct)
    {
        if (status is not (null or "active" or "pending_approval"))
            return Problems.From(OpsmithError.BadRequest($"status must be active or pending_approval, not '{status}'"));
        Stage? stageValue = null;
        if (stage is not null)
        {
            if (!YamlNames.TryParse<Stage>(stage, out var parsed)) return Problems.From(OpsmithError.BadRequest($"stage '{stage}' is not a stage"));
            stageValue = parsed;
        }
        var pending = status is null or "pending_approval"
            ? (await skills.ReviewsAsync(ReviewStatus.Pending, ct)).Where(r => q is null || r.Skill.Contains(q, StringComparison.OrdinalIgnoreCase))
                .Select(ApiReview.From).ToList()
            : [];
        if (status == "pending_approval") return TypedResults.Ok(new SkillList([], pending));
        var (active, catalog) = await skills.ActiveCatalogAsync(ct);
        if (stageValue is null && category is null && tag is null && q is null && _everything is { } known && ReferenceEquals(known.Catalog, catalog))
            return TypedResults.Ok(new SkillList(known.Skills, pending));
        var commits = active.ToDictionary(s => s.Name, s => s.Commit);
        var found = catalog.Query(new CatalogQuery(stageValue, category, tag, Text: q))
            .Select(e => Api(e, "active", commits[e.Name])).ToList();
        if (stageValue is null && category is null && tag is null && q is null) _everything = (catalog, found);
        return TypedResults.Ok(new SkillList(found, pending));
    }

    private static async Task<Results<Created<ApiReview>, ProblemHttpResult>> CreateAsync(SkillDocument body, HttpContext http, SkillRepository skills,
        CancellationToken ct)
    {
        var proposed = await skills.ProposeAsync(body.Yaml ?? "", http.Caller(), null, ct);
        return proposed.Error is { } error ? Problems.From(error) : TypedResults.Created($"/api/reviews/{proposed.Value!.Id}", ApiReview.From(proposed.Value!));
    }

    private static async Task<Results<Ok<SkillDetail>, ProblemHttpResult>> ShowAsync(string id, SkillRepository skills, CancellationToken ct)
    {
        var active = await skills.FindActiveAsync(id, ct);
        var pending = (await skills.ReviewsAsync(ReviewStatus.Pending, ct)).Where(r => r.Skill == id).Select(ApiReview.From).ToList();
        if (active is null && pending.Count == 0) return Problems.From(OpsmithError.NotFound($"there is no skill '{id}', active or pending"));
        return TypedResults.Ok(new SkillDetail(active is null ? null : Api(active.Entry, "active", active.Commit),
            active is null ? null : await File.ReadAllTextAsync(active.Entry.File, ct), pending));
    }

    private static async Task<Results<Accepted<ApiReview>, ProblemHttpResult>> EditAsync(string id, SkillDocument body, HttpContext http,
        SkillRepository skills, CancellationToken ct)
    {
        var proposed = await skills.ProposeAsync(body.Yaml ?? "", http.Caller(), id, ct);
        return proposed.Error is { } error ? Problems.From(error) : TypedResults.Accepted($"/api/reviews/{proposed.Value!.Id}", ApiReview.From(proposed.Value!));
    }

    private static async Task<Results<Ok<ValidationReport>, ProblemHttpResult>> ValidateActiveAsync(string id, SkillRepository skills,
        OpsmithServices services, CancellationToken ct)
    {
        var active = await skills.FindActiveAsync(id, ct);
        if (active is null) return Problems.From(OpsmithError.NotFound($"there is no active skill '{id}'"));
        var result = await DocumentValidation.ValidateAsync([active.Entry.File], strict: false, services.Linter, ct);
        return Report(result, $"the active version of '{id}' does not validate any more");
    }

    private static async Task<Results<Ok<ValidationReport>, ProblemHttpResult>> ValidateAsync(SkillDocument body, OpsmithServices services, CancellationToken ct)
    {
        var result = await DocumentValidation.ValidateTextAsync("skill.yaml", body.Yaml ?? "", strict: false, services.Linter, ct);
        return Report(result, "the document is not valid");
    }

    private static Results<Ok<ValidationReport>, ProblemHttpResult> Report(ValidationResult result, string message)
    {
        var document = result.Documents[0];
        if (!document.IsValid) return Problems.From(OpsmithError.Invalid(message, document));
        return TypedResults.Ok(new ValidationReport(true, document.Diagnostics.Select(ApiDiagnostic.From).ToList()));
    }

    private static async Task<Results<Accepted<Started>, ProblemHttpResult>> ExecuteAsync(string name, ExecuteRequest? body, HttpContext http,
        OpsmithServices services, ExecutionService executions, CancellationToken ct)
    {
        var mode = body?.Execute == true ? RunMode.Execute : RunMode.DryRun;
        var started = await executions.StartAsync(http.ServicesFor(services), name, body?.Inputs ?? [], mode, ct);
        if (started.Error is { } error) return Problems.From(error);
        var execution = started.Value!;
        return TypedResults.Accepted($"/api/executions/{execution.Id}", new Started(execution.Id, execution.Skill, execution.Commit,
            mode == RunMode.Execute ? "execute" : "dry-run", ExecutionService.StatusOf(execution), $"/api/executions/{execution.Id}/events"));
    }

    private static async Task<Results<Ok<ApiReview>, ProblemHttpResult>> DecideAsync(Task<Result<SkillReview>> decision)
    {
        var decided = await decision;
        return decided.Error is { } error ? Problems.From(error) : TypedResults.Ok(ApiReview.From(decided.Value!));
    }

    private static ReviewStatus? ParseReviewStatus(string? status) => status switch
    {
        "pending_approval" or "pending" => ReviewStatus.Pending,
        "merged" => ReviewStatus.Merged,
        "rejected" => ReviewStatus.Rejected,
        _ => null,
    };

    private static ApiSkill Api(CatalogEntry e, string status, string? commit) => new(e.Name, e.Skill.Metadata.Title, e.Skill.Metadata.Description,
        YamlNames.Of(e.Skill.Metadata.Stage), e.Skill.Metadata.Category, e.Skill.Metadata.Tags, YamlNames.Of(e.Skill.Spec.Risk), status, commit, e.ContentHash);
}
