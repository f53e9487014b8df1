using System.Text;
using System.Text.RegularExpressions;
using LibGit2Sharp;
using Opsmith.Application.Catalog;
using Opsmith.Application.Validation;
using Opsmith.Core.Documents;
using Opsmith.Core.Linting;
using Opsmith.Policy.Decisions;

namespace Opsmith.Application.Skills;

/// <summary>
/// The Git repository that holds the skills people have reviewed (docs/server.md). Its <c>main</c> branch is what is
/// active: <c>skills/NAME.yaml</c>, each merged by a commit that names it. A proposal (create or edit) is a commit on its
/// own branch <c>review/rv-…</c>; another person's approval merges it into main, which makes that version active at the
/// merge commit; a rejection moves the branch aside. The state lives in Git alone (refs and commit trailers), so the CLI
/// and a running server see the same reviews. A bare repository in the data folder by default.
/// </summary>
public sealed partial class SkillRepository
{
    private const string Main = "refs/heads/main";
    private const string PendingPrefix = "refs/heads/review/";
    private const string MergedPrefix = "refs/reviews/merged/";
    private const string RejectedPrefix = "refs/reviews/rejected/";

    private readonly string _path;
    private readonly string _cache;
    private readonly IScriptLinter _linter;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<(string Name, string Commit), CatalogEntry?> _validated = [];
    private (string? Tip, DateTimeOffset CheckedAt, IReadOnlyList<ActiveSkill> Skills, SkillCatalog Catalog)? _active;

    /// <param name="path">The bare repository (created when missing).</param>
    /// <param name="cache">Where each active version is written as a file for the run service.</param>
    public SkillRepository(string path, string cache, IScriptLinter linter, TimeProvider time)
    {
        _path = Path.GetFullPath(path);
        _cache = cache;
        _linter = linter;
        _time = time;
    }

    /// <summary>The repository of <paramref name="services"/>' data folder: <c>skills.git</c>.</summary>
    public static SkillRepository For(OpsmithServices services) =>
        new(Path.Combine(services.Options.Paths.DataDirectory, "skills.git"), Path.Combine(services.Options.Paths.CacheDirectory, "skills"),
            services.Linter, services.Time);

    public string RepositoryPath => _path;

    /// <summary>How long a read of the active skills trusts the last look at main (another process may merge meanwhile).</summary>
    public TimeSpan Freshness { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Validates <paramref name="yaml"/> with every rule of <c>opsmith validate</c> and, when it is valid, commits it on a
    /// new review branch. <paramref name="expectedName"/> (an edit) must be the skill's name.
    /// </summary>
    public async Task<Result<SkillReview>> ProposeAsync(string yaml, Actor author, string? expectedName, CancellationToken ct)
    {
        var validation = await DocumentValidation.ValidateTextAsync(expectedName is null ? "skill.yaml" : $"skills/{expectedName}.yaml", yaml, false, _linter, ct);
        var document = validation.Documents[0];
        if (!document.IsValid || document.Skill is null)
            return document.IsValid
                ? OpsmithError.BadRequest($"the document is a {document.Kind}, not a skill")
                : OpsmithError.Invalid("the skill is not valid; nothing was proposed", document);
        var name = document.Skill.Name;
        if (expectedName is not null && name != expectedName)
            return OpsmithError.BadRequest($"metadata.name is '{name}' but the skill being edited is '{expectedName}'; a rename is a new skill");
        if (!SafeName().IsMatch(name)) return OpsmithError.BadRequest($"skill name '{name}' cannot be a file name in the skills repository");
        return await LockedAsync<Result<SkillReview>>(repo =>
        {
            var main = repo.Refs[Main]?.ResolveToDirectReference()?.Target as Commit;
            var file = FileOf(name);
            var blob = repo.ObjectDatabase.CreateBlob(new MemoryStream(Encoding.UTF8.GetBytes(yaml)));
            if (main?[file]?.Target is Blob current && current.Id == blob.Id)
                return OpsmithError.Conflict($"skill '{name}' is already active with exactly this content (commit {main.Sha[..12]})");
            var tree = main is null ? new TreeDefinition() : TreeDefinition.From(main.Tree);
            tree.Add(file, blob, Mode.NonExecutableFile);
            var id = NewReviewId(repo);
            var message = $"{(main?[file] is null ? "Add" : "Change")} skill {name}\n\n" +
                          $"Skill: {name}\nReview: {id}\nProposed-by: {author}\n";
            var signature = Signature(author);
            var commit = repo.ObjectDatabase.CreateCommit(signature, signature, message, repo.ObjectDatabase.CreateTree(tree),
                main is null ? [] : [main], prettifyMessage: false);
            repo.Refs.Add(PendingPrefix + id, commit.Id);
            return Review(repo, PendingPrefix + id, ReviewStatus.Pending)!;
        }, ct);
    }

    /// <summary>Reviews, newest first: all, or only those with <paramref name="status"/>.</summary>
    public Task<IReadOnlyList<SkillReview>> ReviewsAsync(ReviewStatus? status, CancellationToken ct) =>
        LockedAsync<IReadOnlyList<SkillReview>>(repo => repo.Refs
            .Where(r => r.CanonicalName.StartsWith(PendingPrefix, StringComparison.Ordinal)
                        || r.CanonicalName.StartsWith(MergedPrefix, StringComparison.Ordinal)
                        || r.CanonicalName.StartsWith(RejectedPrefix, StringComparison.Ordinal))
            .Select(r => Review(repo, r.CanonicalName, StatusOf(r.CanonicalName)))
            .OfType<SkillReview>()
            .Where(r => status is null || r.Status == status)
            .OrderByDescending(r => r.Created).ThenBy(r => r.Id, StringComparer.Ordinal).ToList(), ct);

    public async Task<SkillReview?> ReviewAsync(string id, CancellationToken ct) =>
        (await ReviewsAsync(null, ct)).FirstOrDefault(r => r.Id == id.Trim().ToLowerInvariant());

    /// <summary>
    /// Merges a pending review into main if <paramref name="approver"/> may (a person who did not propose it): the skill
    /// becomes active at the merge commit. A later proposal for the same skill stays pending until it is merged in turn.
    /// </summary>
    public async Task<Result<SkillReview>> ApproveAsync(string id, Actor approver, string? note, CancellationToken ct)
    {
        var result = await LockedAsync<Result<SkillReview>>(repo =>
        {
            var pending = Pending(repo, id, approver, "approve");
            if (pending.Error is { } refused) return refused;
            var review = pending.Value!;
            var proposed = repo.Lookup<Commit>(review.Commit);
            var main = repo.Refs[Main]?.ResolveToDirectReference()?.Target as Commit;
            var file = FileOf(review.Skill);
            // Each review changes one file: the merge takes main as it is now and that file as proposed.
            var tree = main is null ? new TreeDefinition() : TreeDefinition.From(main.Tree);
            tree.Add(file, (Blob)proposed[file].Target, Mode.NonExecutableFile);
            var noteLine = string.IsNullOrWhiteSpace(note) ? "" : $"Note: {OneLine(note)}\n";
            var message = $"Merge review {review.Id}: skill {review.Skill}\n\nSkill: {review.Skill}\nReview: {review.Id}\n" +
                          $"Proposed-by: {review.Author}\nApproved-by: {approver}\n{noteLine}";
            var signature = Signature(approver);
            var merge = repo.ObjectDatabase.CreateCommit(signature, signature, message, repo.ObjectDatabase.CreateTree(tree),
                main is null ? [proposed] : [main, proposed], prettifyMessage: false);
            if (main is null) repo.Refs.Add(Main, merge.Id);
            else repo.Refs.UpdateTarget(repo.Refs[Main], merge.Id);
            repo.Refs.Remove(PendingPrefix + review.Id);
            repo.Refs.Add(MergedPrefix + review.Id, merge.Id);
            return Review(repo, MergedPrefix + review.Id, ReviewStatus.Merged)!;
        }, ct);
        _active = null;
        return result;
    }

    /// <summary>Rejects a pending review: its branch moves aside and main does not change. Its author may withdraw it too.</summary>
    public Task<Result<SkillReview>> RejectAsync(string id, Actor decider, string? note, CancellationToken ct) =>
        LockedAsync<Result<SkillReview>>(repo =>
        {
            var pending = Pending(repo, id, decider, "reject");
            if (pending.Error is { } refused) return refused;
            var review = pending.Value!;
            var proposed = repo.Lookup<Commit>(review.Commit);
            var signature = Signature(decider);
            // The rejection is a commit on top of the proposal, so who rejected it and why stay in Git.
            var noteLine = string.IsNullOrWhiteSpace(note) ? "" : $"Note: {OneLine(note)}\n";
            var marker = repo.ObjectDatabase.CreateCommit(signature, signature,
                $"Reject review {review.Id}: skill {review.Skill}\n\nSkill: {review.Skill}\nReview: {review.Id}\nProposed-by: {review.Author}\nRejected-by: {decider}\n{noteLine}",
                proposed.Tree, [proposed], prettifyMessage: false);
            repo.Refs.Remove(PendingPrefix + review.Id);
            repo.Refs.Add(RejectedPrefix + review.Id, marker.Id);
            return Review(repo, RejectedPrefix + review.Id, ReviewStatus.Rejected)!;
        }, ct);

    /// <summary>
    /// The active skills: each skill file on main, at the merge commit that last changed it, validated (each version once)
    /// and written to the cache so the run service can read it. A version that no longer validates is left out.
    /// </summary>
    public async Task<IReadOnlyList<ActiveSkill>> ActiveAsync(CancellationToken ct) => (await ActiveCatalogAsync(ct)).Skills;

    /// <summary>The active skills as a catalog (for queries by stage, category, tag and text).</summary>
    public async Task<(IReadOnlyList<ActiveSkill> Skills, SkillCatalog Catalog)> ActiveCatalogAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_active is { } fresh && now - fresh.CheckedAt < Freshness) return (fresh.Skills, fresh.Catalog);
        var tip = await LockedAsync(repo => (repo.Refs[Main]?.ResolveToDirectReference()?.Target as Commit)?.Sha, ct);
        if (_active is { } known && known.Tip == tip)
        {
            _active = known with { CheckedAt = now };
            return (known.Skills, known.Catalog);
        }
        var versions = await LockedAsync(repo => ActiveVersions(repo, tip), ct);
        var toValidate = versions.Where(v => !_validated.ContainsKey((v.Name, v.Commit))).ToList();
        if (toValidate.Count > 0)
        {
            var files = toValidate.Select(v => v.File).ToList();
            var result = await DocumentValidation.ValidateAsync(files, strict: false, _linter, ct);
            for (var i = 0; i < toValidate.Count; i++)
            {
                var document = result.Documents[i];
                _validated[(toValidate[i].Name, toValidate[i].Commit)] = document.IsValid && document.Skill is { } skill && skill.Name == toValidate[i].Name
                    ? new CatalogEntry(skill, document.File) : null;
            }
        }
        var skills = versions.Where(v => _validated[(v.Name, v.Commit)] is not null)
            .Select(v => new ActiveSkill(_validated[(v.Name, v.Commit)]!, v.Commit)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var catalog = SkillCatalog.Of(_path, skills.Select(s => s.Entry));
        _active = (tip, now, skills, catalog);
        return (skills, catalog);
    }

    public async Task<ActiveSkill?> FindActiveAsync(string name, CancellationToken ct) =>
        (await ActiveAsync(ct)).FirstOrDefault(s => s.Name == name);

    /// <summary>Each skill on main with the merge commit that last changed it, written to the cache (once per version).</summary>
    private List<(string Name, string Commit, string File)> ActiveVersions(Repository repo, string? tip)
    {
        if (tip is null) return [];
        var main = repo.Lookup<Commit>(tip);
        var since = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var commit in repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = main, FirstParentOnly = true }))
            if (Trailer(commit.Message, "Skill") is { } skill && !since.ContainsKey(skill)) since[skill] = commit.Sha;
        var versions = new List<(string, string, string)>();
        if (main["skills"]?.Target is not Tree folder) return versions;
        foreach (var entry in folder.Where(e => e.TargetType == TreeEntryTargetType.Blob && e.Name.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            var name = entry.Name[..^".yaml".Length];
            if (!since.TryGetValue(name, out var commit)) continue;
            var file = Path.Combine(_cache, commit, entry.Name);
            if (!File.Exists(file))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                var temporary = file + $".{Environment.ProcessId}.tmp";
                using (var output = File.Create(temporary)) ((Blob)entry.Target).GetContentStream().CopyTo(output);
                File.Move(temporary, file, overwrite: true);
            }
            versions.Add((name, commit, file));
        }
        return versions;
    }

    private Result<SkillReview> Pending(Repository repo, string id, Actor decider, string verb)
    {
        id = id.Trim().ToLowerInvariant();
        var name = new[] { PendingPrefix, MergedPrefix, RejectedPrefix }.Select(p => p + id).FirstOrDefault(n => repo.Refs[n] is not null);
        if (name is null) return OpsmithError.NotFound($"there is no skill review {id}; 'opsmith skills review list' shows them");
        var review = Review(repo, name, StatusOf(name))!;
        if (review.Status != ReviewStatus.Pending)
            return OpsmithError.Conflict($"skill review {id} is already {review.Status.ToWireName()}{(review.DecidedBy is null ? "" : $" (by {review.DecidedBy})")}");
        if (decider.Kind != ActorKind.Human) return OpsmithError.Forbidden($"only a person can {verb} a skill review; {decider} is an agent");
        if (verb == "approve" && Actor.TryParse(review.Author, out var author, out _) && author.IsSameIdentityAs(decider))
            return OpsmithError.Forbidden($"{decider} proposed skill review {id} and cannot approve it; another person must (four-eyes)");
        if (verb == "approve" && !Actor.TryParse(review.Author, out _, out _))
            return OpsmithError.Forbidden($"skill review {id} names an author Opsmith cannot read; nobody can approve it");
        return review;
    }

    private static SkillReview? Review(Repository repo, string reference, ReviewStatus status)
    {
        if (repo.Refs[reference]?.ResolveToDirectReference()?.Target is not Commit tip) return null;
        var id = reference[(reference.LastIndexOf('/') + 1)..];
        var proposal = status switch
        {
            ReviewStatus.Pending => tip,
            _ => tip.Parents.LastOrDefault() ?? tip,
        };
        var skill = Trailer(proposal.Message, "Skill") ?? "";
        var decidedBy = status switch
        {
            ReviewStatus.Merged => Trailer(tip.Message, "Approved-by"),
            ReviewStatus.Rejected => Trailer(tip.Message, "Rejected-by"),
            _ => null,
        };
        return new SkillReview(id, skill, status, PendingPrefix[("refs/heads/".Length)..] + id, proposal.Sha,
            Trailer(proposal.Message, "Proposed-by") ?? "", proposal.Author.When.ToUniversalTime(), decidedBy,
            status == ReviewStatus.Merged ? tip.Sha : null, status == ReviewStatus.Pending ? null : Trailer(tip.Message, "Note"), null);
    }

    private static ReviewStatus StatusOf(string reference) =>
        reference.StartsWith(MergedPrefix, StringComparison.Ordinal) ? ReviewStatus.Merged
        : reference.StartsWith(RejectedPrefix, StringComparison.Ordinal) ? ReviewStatus.Rejected
        : ReviewStatus.Pending;

    private static string? Trailer(string message, string key)
    {
        foreach (var line in message.Split('\n'))
            if (line.StartsWith(key + ": ", StringComparison.Ordinal)) return line[(key.Length + 2)..].Trim();
        return null;
    }

    private static string NewReviewId(Repository repo)
    {
        while (true)
        {
            var id = "rv-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
            if (new[] { PendingPrefix, MergedPrefix, RejectedPrefix }.All(p => repo.Refs[p + id] is null)) return id;
        }
    }

    private Signature Signature(Actor actor) => new(actor.Name, $"{actor.Name.Replace(' ', '.')}@opsmith.invalid", _time.GetUtcNow());

    private static string FileOf(string skill) => $"skills/{skill}.yaml";

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    private async Task<T> LockedAsync<T>(Func<Repository, T> work, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            if (!Directory.Exists(_path) || !Repository.IsValid(_path))
            {
                Directory.CreateDirectory(_path);
                Repository.Init(_path, isBare: true);
                // main, not libgit2's default branch name; main is unborn until the first merge.
                File.WriteAllText(Path.Combine(_path, "HEAD"), $"ref: {Main}\n");
            }
            using var repo = new Repository(_path);
            return work(repo);
        }
        finally
        {
            _lock.Release();
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial Regex SafeName();
}
