namespace Opsmith.Policy.Classification.Rules;

/// <summary>git: inspecting reads; fetching and committing change a working copy; discarding work or rewriting remote history cannot be undone.</summary>
internal static class Git
{
    private static readonly HashSet<string> ReadVerbs =
    [
        "status", "log", "diff", "show", "rev-parse", "describe", "ls-files", "ls-remote", "ls-tree", "blame", "grep", "shortlog", "cat-file",
        "rev-list", "for-each-ref", "show-ref", "name-rev", "whatchanged", "version", "help", "fsck", "count-objects", "show-branch", "cherry",
        "merge-base", "var", "check-ignore", "check-attr", "verify-commit", "verify-tag", "--version",
    ];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new() { ["git"] = Judge };

    private static Verdict Judge(Invocation call)
    {
        var words = call.PositionalTexts("-C", "-c", "--git-dir", "--work-tree", "--namespace");
        var verb = words.FirstOrDefault() ?? call.Args.FirstOrDefault() ?? "help";
        var rest = words.Skip(1).ToList();
        if (ReadVerbs.Contains(verb)) return Verdict.Read($"git.{verb.TrimStart('-')}", $"git {verb} only reads");
        if (call.Args.Contains("--dry-run") || verb == "clean" && call.Args.Any(a => a is "-n" or "--dry-run")) return Verdict.Read($"git.{verb}-dry-run", "only shows what it would do");
        bool Flag(params string[] flags) => call.Args.Any(flags.Contains);
        return verb switch
        {
            "branch" when Flag("-D", "--delete", "-d") => Verdict.Destructive("git.branch-delete", "deletes branches"),
            "stash" when rest.Count > 0 && rest[0] is "list" or "show" => Verdict.Read("git.stash-list", "lists stashed changes"),
            "stash" when rest.Count > 0 && rest[0] is "drop" or "clear" => Verdict.Destructive("git.stash-drop", "throws stashed changes away"),
            "branch" or "tag" or "remote" or "worktree" or "reflog" or "config" or "submodule" when rest.Count == 0 || rest[0] is "list" or "show" or "-v" or "get-url" || Flag("--list", "-l", "--get", "--get-all", "-v", "--show-current", "--get-regexp")
                => Verdict.Read($"git.{verb}-list", $"lists {verb} entries"),
            "reset" when Flag("--hard", "--merge", "--keep") => Verdict.Destructive("git.reset-hard", "discards uncommitted changes"),
            "clean" when Flag("-f", "--force") || call.Args.Any(a => a.StartsWith('-') && !a.StartsWith("--") && a.Contains('f')) => Verdict.Destructive("git.clean", "deletes untracked files"),
            "checkout" or "restore" when Flag("--", ".", "-f", "--force", "--worktree", "-W") || verb == "restore" => Verdict.Destructive($"git.{verb}-discard", "overwrites uncommitted changes in the working tree"),
            "push" when Flag("-f", "--force", "--force-with-lease", "--delete", "-d", "--mirror", "--prune") || rest.Any(r => r.StartsWith(':') || r.StartsWith('+'))
                => Verdict.Destructive("git.push-force", "rewrites or deletes history on the remote"),
            "reflog" when rest.FirstOrDefault() is "expire" or "delete" => Verdict.Destructive("git.reflog-expire", "drops the record that lets lost commits be recovered"),
            "filter-branch" or "filter-repo" => Verdict.Destructive("git.rewrite-history", "rewrites every commit"),
            "gc" when call.Args.Any(a => a.StartsWith("--prune", StringComparison.Ordinal)) => Verdict.Destructive("git.gc-prune", "deletes unreachable commits now"),
            _ => Verdict.Service($"git.{verb}", $"git {verb} changes the working copy or repository in a way that can be put back"),
        };
    }
}
