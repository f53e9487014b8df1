using System.CommandLine;
using Opsmith.Application;
using Opsmith.Application.Skills;
using Opsmith.Cli.Output;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith skills review list|approve|reject</c>: the local reviews of the skills repository (a bare Git repository in
/// the data folder), the same ones the server's API shows. Approving merges the skill into main: it becomes active at
/// that commit. Nobody approves their own proposal.
/// </summary>
public sealed class SkillsVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith skills review list",
        "opsmith skills review list --status merged --output json",
        "opsmith skills review approve rv-3f9a1c --note \"read it twice\"",
        "opsmith skills review reject rv-3f9a1c --note \"targets every host\"",
    ];

    public Command Build()
    {
        var review = new Command("review", "See and decide proposed skill changes (four-eyes: never your own).");
        var status = new Option<string?>("--status") { Description = "pending (default), merged, rejected or all." };
        var listOutput = CliContext.OutputOption();
        var list = new Command("list", "List reviews, newest first.") { status, listOutput };
        list.SetAction((p, ct) => ListAsync(p.GetValue(status), p.GetValue(listOutput), ct));
        review.Subcommands.Add(list);
        review.Subcommands.Add(Decide("approve", "Merge a review someone else proposed: the skill becomes active at the merge commit.", approve: true));
        review.Subcommands.Add(Decide("reject", "Reject a review: the active version does not change.", approve: false));
        var skills = new Command("skills", "The reviewed skills repository behind opsmith serve.");
        skills.Subcommands.Add(review);
        return skills;
    }

    private Command Decide(string name, string description, bool approve)
    {
        var id = new Argument<string>("ID") { Description = "The review's id, such as rv-3f9a1c (from skills review list)." };
        var note = new Option<string?>("--note") { Description = "Why: kept in the merge (or rejection) commit." };
        var output = CliContext.OutputOption();
        var command = new Command(name, description) { id, note, output };
        command.SetAction((p, ct) => DecideAsync(p.GetValue(id)!, p.GetValue(note), approve, p.GetValue(output), ct));
        return command;
    }

    private async Task<int> ListAsync(string? statusText, OutputFormat format, CancellationToken ct)
    {
        ReviewStatus? status = statusText switch
        {
            null or "pending" => ReviewStatus.Pending,
            "merged" => ReviewStatus.Merged,
            "rejected" => ReviewStatus.Rejected,
            "all" => null,
            _ => throw new UsageException($"--status must be pending, merged, rejected or all, not '{statusText}'"),
        };
        await using var services = CliServices.Open();
        var reviews = await SkillRepository.For(services).ReviewsAsync(status, ct);
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new { reviews = reviews.Select(Json) });
            return ExitCodes.Ok;
        }
        foreach (var r in reviews)
            context.Stdout.WriteLine($"{r.Id,-10} {r.Status.ToWireName(),-17} {TerminalText.OneLine(r.Skill),-24} {TerminalText.OneLine(r.Author),-16} {r.Created:yyyy-MM-dd HH:mm}Z {r.Commit[..12]}");
        if (reviews.Count == 0) context.Stdout.WriteLine("No skill reviews.");
        return ExitCodes.Ok;
    }

    private async Task<int> DecideAsync(string id, string? note, bool approve, OutputFormat format, CancellationToken ct)
    {
        await using var services = CliServices.Open();
        var repository = SkillRepository.For(services);
        var actor = CliServices.CurrentActor();
        var result = approve ? await repository.ApproveAsync(id, actor, note, ct) : await repository.RejectAsync(id, actor, note, ct);
        if (result.Error is { } error) return CliServices.Fail(context, error, format);
        var r = result.Value!;
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, Json(r));
        else if (approve) context.Stdout.WriteLine(context.Out.Green($"Merged {r.Id}: skill {r.Skill} is active at {r.MergeCommit![..12]}."));
        else context.Stdout.WriteLine(context.Out.Red($"Rejected {r.Id}: skill {r.Skill} is unchanged."));
        return ExitCodes.Ok;
    }

    private static Dictionary<string, object?> Json(SkillReview r) => new()
    {
        ["id"] = r.Id, ["skill"] = r.Skill, ["status"] = r.Status.ToWireName(), ["branch"] = r.Branch, ["commit"] = r.Commit, ["author"] = r.Author,
        ["created"] = r.Created, ["decided_by"] = r.DecidedBy, ["merge_commit"] = r.MergeCommit, ["note"] = r.Note, ["url"] = r.Url,
    };
}
