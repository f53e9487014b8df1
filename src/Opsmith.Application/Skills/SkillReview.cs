namespace Opsmith.Application.Skills;

/// <summary>Where a proposed skill change is: waiting for a person, merged (the skill is active at that commit), or rejected.</summary>
public enum ReviewStatus
{
    Pending,
    Merged,
    Rejected,
}

/// <summary>
/// One proposed change to one skill: a commit on its own branch of the skills repository (<c>review/rv-…</c>), waiting
/// for another person's approval. <see cref="Url"/> is the GitHub pull request when reviews go through GitHub.
/// </summary>
/// <param name="Commit">The proposed commit (on the review branch).</param>
/// <param name="MergeCommit">The commit on main that made it active; null unless merged.</param>
/// <param name="PullRequest">The GitHub pull request's number when the review goes through GitHub; null for a local review.</param>
public sealed record SkillReview(
    string Id,
    string Skill,
    ReviewStatus Status,
    string Branch,
    string Commit,
    string Author,
    DateTimeOffset Created,
    string? DecidedBy,
    string? MergeCommit,
    string? Note,
    string? Url,
    int? PullRequest = null);

/// <summary>An active skill: the catalog entry as merged, and the commit on main that made this version active.</summary>
public sealed record ActiveSkill(Catalog.CatalogEntry Entry, string Commit)
{
    public string Name => Entry.Name;
}

public static class ReviewStatusNames
{
    public static string ToWireName(this ReviewStatus status) => status switch
    {
        ReviewStatus.Pending => "pending_approval",
        ReviewStatus.Merged => "merged",
        ReviewStatus.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown review status"),
    };
}
