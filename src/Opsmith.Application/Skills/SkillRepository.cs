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
    private const string NotesNamespace = "github";

    private readonly string _path;
    private readonly string _cache;
    private readonly IScriptLinter _linter;
    private readonly TimeProvider _time;
    private readonly GitHubPullRequests? _github;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<(string Name, string Commit), CatalogEntry?> _validated = [];
    private (string? Tip, DateTimeOffset CheckedAt, IReadOnlyList<ActiveSkill> Skills, SkillCatalog Catalog)? _active;
    private (DateTimeOffset CheckedAt, IReadOnlyList<SkillReview> Reviews)? _pending;

    /// <param name="path">The bare repository (created when missing).</param>
    /// <param name="cache">Where each active version is written as a file for the run service.</param>
    /// <param name="github">When set, reviews are GitHub pull requests: branches are pushed to its remote and main follows the remote's.</param>
    public SkillRepository(string path, string cache, IScriptLinter linter, TimeProvider time, GitHubSettings? github = null)
    {
        _github = github is null ? null : new GitHubPullRequests(github);
        _path = Path.GetFullPath(path);
        _cache = cache;
        _linter = linter;
        _time = time;
    }

    /// <summary>The repository of <paramref name="services"/>' data folder: <c>skills.git</c>.</summary>
    public static SkillRepository For(OpsmithServices services, GitHubSettings? github = null) =>
        new(Path.Combine(services.Options.Paths.DataDirectory, "skills.git"), Path.Combine(services.Options.Paths.CacheDirectory, "skills"),
            services.Linter, services.Time, github);

    /// <summary>The GitHub settings when reviews are pull requests; null for local reviews.</summary>
    public GitHubSettings? GitHub => _github?.Settings;

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
        if (_github is not null && await LockedAsync(FollowRemoteMain, ct) is { } unreachable) return unreachable;
        var proposed = await LockedAsync<Result<SkillReview>>(repo =>
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
        _pending = null;
        if (_github is null || proposed.Error is not null) return proposed;
        return await OpenPullRequestAsync(_github, proposed.Value!, author, ct);
    }

    /// <summary>
    /// Pushes a new review's branch to the GitHub remote and opens its pull request; the pull request's number and link
    /// are kept in Git (a note on the proposed commit, <c>refs/notes/github</c>). If either fails, the local review is
    /// withdrawn, so nothing waits for a pull request that does not exist.
    /// </summary>
    private async Task<Result<SkillReview>> OpenPullRequestAsync(GitHubPullRequests github, SkillReview review, Actor author, CancellationToken ct)
    {
        try
        {
            return await OpenPullRequestUnsyncedAsync(github, review, author, ct);
        }
        finally
        {
            _pending = null;
        }
    }

    private async Task<Result<SkillReview>> OpenPullRequestUnsyncedAsync(GitHubPullRequests github, SkillReview review, Actor author, CancellationToken ct)
    {
        var pushed = await LockedAsync(repo => Push(repo, PendingPrefix + review.Id), ct);
        Result<PullRequestState> opened = pushed is { } pushError
            ? pushError
            : await github.OpenAsync(review.Branch, $"Skill {review.Skill} ({review.Id})",
                $"Proposed by {author} through Opsmith. Merging this pull request (with a merge commit) makes this version of `{review.Skill}` active.\n\n" +
                $"Skill: {review.Skill}\nReview: {review.Id}\nProposed-by: {author}\n", ct);
        return await LockedAsync<Result<SkillReview>>(repo =>
        {
            if (opened.Error is { } error)
            {
                repo.Refs.Remove(PendingPrefix + review.Id);
                return OpsmithError.Unavailable($"{error.Message}; nothing was proposed");
            }
            var signature = Signature(author);
            repo.Notes.Add(new ObjectId(review.Commit), $"Pull-Request: {opened.Value!.Url}\nNumber: {opened.Value.Number}\n", signature, signature, NotesNamespace);
            return Review(repo, PendingPrefix + review.Id, ReviewStatus.Pending)!;
        }, ct);
    }

    /// <summary>
    /// What GitHub says about a review's pull request (from a webhook or a poll): merged with a merge commit on main, the
    /// skill becomes active at that commit; closed unmerged, the review is rejected; open, nothing changes. A review that
    /// is already decided is returned as it is, so a repeated webhook is harmless.
    /// </summary>
    public async Task<Result<SkillReview>> RecordPullRequestAsync(string branch, PullRequestState pr, CancellationToken ct)
    {
        if (_github is null) return OpsmithError.Conflict("skill reviews on this server are local, not GitHub pull requests");
        var id = branch.StartsWith("review/", StringComparison.Ordinal) ? branch["review/".Length..] : branch;
        if (pr.Merged && await LockedAsync(FollowRemoteMain, ct) is { } unreachable) return unreachable;
        var result = await LockedAsync<Result<SkillReview>>(repo =>
        {
            var reference = new[] { PendingPrefix, MergedPrefix, RejectedPrefix }.Select(p => p + id).FirstOrDefault(n => repo.Refs[n] is not null);
            if (reference is null) return OpsmithError.NotFound($"there is no skill review for branch {branch}");
            var review = Review(repo, reference, StatusOf(reference))!;
            if (review.Status != ReviewStatus.Pending || !(pr.Merged || pr.Closed)) return review;
            if (review.PullRequest != pr.Number)
                return OpsmithError.Conflict($"skill review {id} is pull request #{review.PullRequest}, not #{pr.Number}");
            var by = pr.DecidedBy is { Length: > 0 } login ? $"github:{login}" : "github";
            var signature = new Signature(by, "github@opsmith.invalid", _time.GetUtcNow());
            if (!pr.Merged)
            {
                var proposal = repo.Lookup<Commit>(review.Commit);
                var marker = repo.ObjectDatabase.CreateCommit(signature, signature,
                    $"Reject review {review.Id}: skill {review.Skill}\n\nSkill: {review.Skill}\nReview: {review.Id}\nProposed-by: {review.Author}\n" +
                    $"Rejected-by: {by}\nNote: pull request #{pr.Number} was closed without merging\n",
                    proposal.Tree, [proposal], prettifyMessage: false);
                return Decide(repo, review.Id, RejectedPrefix, marker.Id, ReviewStatus.Rejected);
            }
            var main = repo.Refs[Main]?.ResolveToDirectReference()?.Target as Commit;
            if (pr.MergeCommit is null || repo.Lookup<Commit>(pr.MergeCommit) is not { } merge || main is null
                || repo.ObjectDatabase.FindMergeBase(merge, main)?.Sha != merge.Sha)
                return OpsmithError.Unavailable($"pull request #{pr.Number} is merged but its merge commit {pr.MergeCommit} is not on main of {_github.Settings.Remote} yet; try again");
            if (!merge.Parents.Any(p => p.Sha == review.Commit))
                return OpsmithError.Conflict($"pull request #{pr.Number} was merged without a merge commit (squash or rebase), so main does not carry the " +
                                             $"reviewed commit {review.Commit[..12]}; the review stays pending. Merge review pull requests with a merge commit.");
            repo.Notes.Add(new ObjectId(review.Commit), $"Pull-Request: {review.Url}\nNumber: {pr.Number}\nMerged-by: {by}\n", signature, signature, NotesNamespace);
            return Decide(repo, review.Id, MergedPrefix, merge.Id, ReviewStatus.Merged);
        }, ct);
        _active = null;
        _pending = null;
        return result;
    }

    /// <summary>
    /// Asks GitHub about every pending review's pull request and records the merged and closed ones (polling, for when
    /// webhooks cannot reach this server). Returns the reviews that changed; a pull request GitHub does not answer for is skipped.
    /// </summary>
    public async Task<IReadOnlyList<SkillReview>> SyncPullRequestsAsync(CancellationToken ct)
    {
        if (_github is null) return [];
        var changed = new List<SkillReview>();
        foreach (var review in await ReviewsAsync(ReviewStatus.Pending, ct))
        {
            if (review.PullRequest is not { } number) continue;
            var state = await _github.GetAsync(number, ct);
            if (state.Value is not { } pr || !(pr.Merged || pr.Closed)) continue;
            if ((await RecordPullRequestAsync(review.Branch, pr, ct)).Value is { Status: not ReviewStatus.Pending } decided) changed.Add(decided);
        }
        return changed;
    }

    /// <summary>
    /// Makes local main what the remote's main is (GitHub is where reviews merge). An empty remote gets a first, empty
    /// commit on main, so pull requests have a base. Null when done, else why not.
    /// </summary>
    private OpsmithError? FollowRemoteMain(Repository repo)
    {
        var github = _github!.Settings;
        try
        {
            var remoteMain = repo.Network.ListReferences(github.Remote, GitCredentials).FirstOrDefault(r => r.CanonicalName == Main);
            if (remoteMain is not null)
            {
                repo.Network.Fetch(Origin(repo).Name, [$"+{Main}:{Main}"], new FetchOptions { CredentialsProvider = GitCredentials, TagFetchMode = TagFetchMode.None });
                return null;
            }
            if (repo.Refs[Main] is null)
            {
                var signature = new Signature("opsmith", "opsmith@opsmith.invalid", _time.GetUtcNow());
                var first = repo.ObjectDatabase.CreateCommit(signature, signature, "Start the skills repository\n",
                    repo.ObjectDatabase.CreateTree(new TreeDefinition()), [], prettifyMessage: false);
                repo.Refs.Add(Main, first.Id);
            }
            return Push(repo, Main);
        }
        catch (LibGit2SharpException e)
        {
            return OpsmithError.Unavailable($"the skills remote {github.Remote} cannot be read: {e.Message}");
        }
    }

    private OpsmithError? Push(Repository repo, string reference)
    {
        var github = _github!.Settings;
        var remote = Origin(repo);
        string? refused = null;
        try
        {
            repo.Network.Push(remote, $"{reference}:{reference}",
                new PushOptions { CredentialsProvider = GitCredentials, OnPushStatusError = e => refused = $"{e.Reference}: {e.Message}" });
        }
        catch (LibGit2SharpException e)
        {
            refused = e.Message;
        }
        return refused is null ? null : OpsmithError.Unavailable($"pushing {reference} to {github.Remote} failed: {refused}");
    }

    /// <summary>The remote <c>origin</c> of the bare repository, pointed at the configured GitHub remote.</summary>
    private Remote Origin(Repository repo)
    {
        var url = _github!.Settings.Remote;
        var remote = repo.Network.Remotes["origin"];
        if (remote is null) return repo.Network.Remotes.Add("origin", url);
        if (remote.Url == url) return remote;
        repo.Network.Remotes.Update("origin", r => r.Url = url);
        return repo.Network.Remotes["origin"];
    }

    /// <summary>The token as Git credentials (GitHub takes any user name with a token as the password).</summary>
    private Credentials GitCredentials(string url, string user, SupportedCredentialTypes types) =>
        new UsernamePasswordCredentials { Username = "x-access-token", Password = _github!.Settings.Token };

    /// <summary>
    /// Reviews, newest first: all, or only those with <paramref name="status"/>. The pending ones are what every skill
    /// listing shows, so they are kept like the active skills: trusted for <see cref="Freshness"/> (another process may
    /// propose meanwhile) and dropped on every proposal and decision made here.
    /// </summary>
    public async Task<IReadOnlyList<SkillReview>> ReviewsAsync(ReviewStatus? status, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (status == ReviewStatus.Pending && _pending is { } fresh && now - fresh.CheckedAt < Freshness) return fresh.Reviews;
        var reviews = await ReadReviewsAsync(status, ct);
        if (status == ReviewStatus.Pending) _pending = (now, reviews);
        return reviews;
    }

    private Task<IReadOnlyList<SkillReview>> ReadReviewsAsync(ReviewStatus? status, CancellationToken ct) =>
        LockedAsync<IReadOnlyList<SkillReview>>(repo => Prefixes(status)
            .SelectMany(prefix => repo.Refs.FromGlob(prefix + "*"))
            .Select(r => Review(repo, r.CanonicalName, StatusOf(r.CanonicalName)))
            .OfType<SkillReview>()
            .Where(r => status is null || r.Status == status)
            .OrderByDescending(r => r.Created).ThenBy(r => r.Id, StringComparer.Ordinal).ToList(), ct);

    /// <summary>One review by id: three reference lookups, not a walk over every reference.</summary>
    public Task<SkillReview?> ReviewAsync(string id, CancellationToken ct) =>
        LockedAsync(repo =>
        {
            id = id.Trim().ToLowerInvariant();
            var reference = new[] { PendingPrefix, MergedPrefix, RejectedPrefix }.Select(p => p + id).FirstOrDefault(n => repo.Refs[n] is not null);
            return reference is null ? null : Review(repo, reference, StatusOf(reference));
        }, ct);

    /// <summary>Only the reference folders a status can be in (a listing of pending reviews never reads the decided ones).</summary>
    private static string[] Prefixes(ReviewStatus? status) => status switch
    {
        ReviewStatus.Pending => [PendingPrefix],
        ReviewStatus.Merged => [MergedPrefix],
        ReviewStatus.Rejected => [RejectedPrefix],
        _ => [PendingPrefix, MergedPrefix, RejectedPrefix],
    };

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
            return Decide(repo, review.Id, MergedPrefix, merge.Id, ReviewStatus.Merged);
        }, ct);
        _active = null;
        _pending = null;
        return result;
    }

    /// <summary>Rejects a pending review: its branch moves aside and main does not change. Its author may withdraw it too.</summary>
    public async Task<Result<SkillReview>> RejectAsync(string id, Actor decider, string? note, CancellationToken ct)
    {
        var result = await LockedAsync<Result<SkillReview>>(repo =>
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
            return Decide(repo, review.Id, RejectedPrefix, marker.Id, ReviewStatus.Rejected);
        }, ct);
        _pending = null;
        return result;
    }

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
        var versions = new List<(string, string, string)>();
        if (main["skills"]?.Target is not Tree folder) return versions;
        var since = ActiveSince(repo, main, folder);
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

    /// <summary>
    /// For each skill file on main, the first-parent commit that made its current content what it is: a local merge
    /// (which names its one skill), or any other commit on main — a GitHub merge, a push — found by comparing trees.
    /// </summary>
    private static Dictionary<string, string> ActiveSince(Repository repo, Commit main, Tree folder)
    {
        var current = folder.Where(e => e.TargetType == TreeEntryTargetType.Blob && e.Name.EndsWith(".yaml", StringComparison.Ordinal))
            .ToDictionary(e => e.Name[..^".yaml".Length], e => e.Target.Id, StringComparer.Ordinal);
        var since = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var commit in repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = main, FirstParentOnly = true }))
        {
            if (since.Count == current.Count) break;
            var parent = commit.Parents.FirstOrDefault();
            IEnumerable<string> changed;
            if (Trailer(commit.Message, "Approved-by") is not null && Trailer(commit.Message, "Skill") is { } named) changed = [named];
            else if ((parent?["skills"]?.Target as Tree)?.Id == (commit["skills"]?.Target as Tree)?.Id) continue;
            else
                changed = repo.Diff.Compare<TreeChanges>(parent?.Tree, commit.Tree, ["skills/"])
                    .Select(c => c.Path).Where(p => p.StartsWith("skills/", StringComparison.Ordinal) && p.EndsWith(".yaml", StringComparison.Ordinal))
                    .Select(p => p["skills/".Length..^".yaml".Length]);
            foreach (var name in changed)
                if (current.ContainsKey(name) && !since.ContainsKey(name)) since[name] = commit.Sha;
        }
        return since;
    }

    private Result<SkillReview> Pending(Repository repo, string id, Actor decider, string verb)
    {
        id = id.Trim().ToLowerInvariant();
        var name = new[] { PendingPrefix, MergedPrefix, RejectedPrefix }.Select(p => p + id).FirstOrDefault(n => repo.Refs[n] is not null);
        if (name is null) return OpsmithError.NotFound($"there is no skill review {id}; 'opsmith skills review list' shows them");
        var review = Review(repo, name, StatusOf(name))!;
        if (review.Status != ReviewStatus.Pending)
            return OpsmithError.Conflict($"skill review {id} is already {review.Status.ToWireName()}{(review.DecidedBy is null ? "" : $" (by {review.DecidedBy})")}");
        if (review.PullRequest is { } number)
            return OpsmithError.Conflict($"skill review {id} is GitHub pull request #{number} ({review.Url}); it is merged or closed on GitHub, not here");
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
        var github = repo.Notes[NotesNamespace, proposal.Id]?.Message;
        if (status == ReviewStatus.Merged && decidedBy is null && github is not null) decidedBy = Trailer(github, "Merged-by");
        int? number = github is not null && int.TryParse(Trailer(github, "Number"), out var n) ? n : null;
        return new SkillReview(id, skill, status, PendingPrefix[("refs/heads/".Length)..] + id, proposal.Sha,
            Trailer(proposal.Message, "Proposed-by") ?? "", proposal.Author.When.ToUniversalTime(), decidedBy,
            status == ReviewStatus.Merged ? tip.Sha : null, status == ReviewStatus.Pending ? null : Trailer(tip.Message, "Note"),
            github is null ? null : Trailer(github, "Pull-Request"), number);
    }

    /// <summary>Moves a pending review's reference to where decided reviews of its kind live, pointing at <paramref name="target"/>.</summary>
    private static SkillReview Decide(Repository repo, string id, string prefix, ObjectId target, ReviewStatus status)
    {
        repo.Refs.Remove(PendingPrefix + id);
        repo.Refs.Add(prefix + id, target);
        return Review(repo, prefix + id, status)!;
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
