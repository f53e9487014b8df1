namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Package managers: apt, dpkg, dnf/yum, rpm, zypper, apk, pacman, snap, pip, npm, gem. Queries read;
/// installing and upgrading are service-mutation; removing packages (and their configuration) is destructive.
/// </summary>
internal static class Packages
{
    private sealed record Verbs(string[] Read, string[] Remove);

    private static readonly Verbs Apt = new(
        ["list", "show", "search", "policy", "depends", "rdepends", "showsrc", "changelog", "madison", "showpkg", "stats", "dump", "pkgnames", "help", "moo", "check"],
        ["remove", "purge", "autoremove", "autopurge"]);

    private static readonly Verbs Dnf = new(
        ["list", "info", "search", "provides", "whatprovides", "repolist", "repoquery", "check-update", "check", "deplist", "updateinfo", "list-updates", "repoinfo", "help", "version", "needs-restarting"],
        ["remove", "erase", "autoremove", "groupremove", "group-remove"]);

    private static readonly Verbs Zypper = new(
        ["se", "search", "if", "info", "lr", "repos", "ls", "services", "lp", "list-patches", "lu", "list-updates", "pa", "packages", "pt", "patterns", "wp", "what-provides", "ps", "pch", "patch-check"],
        ["rm", "remove", "rr", "removerepo"]);

    private static readonly Verbs Apk = new(["info", "search", "list", "policy", "stats", "dot", "version", "audit", "verify"], ["del"]);

    private static readonly Verbs Snap = new(["list", "info", "find", "version", "services", "changes", "change", "connections", "logs", "warnings", "known", "get", "aliases"], ["remove"]);

    private static readonly Verbs Flatpak = new(["list", "info", "search", "remotes", "remote-ls", "history", "ps"], ["uninstall", "remove"]);

    private static readonly Verbs Pip = new(["list", "show", "freeze", "check", "search", "debug", "inspect", "index", "hash", "help", "--version", "-V", "config"], ["uninstall"]);

    private static readonly Verbs Npm = new(["ls", "list", "ll", "la", "view", "info", "show", "outdated", "audit", "doctor", "whoami", "--version", "-v", "explain", "why", "search", "help", "root", "bin", "prefix", "config", "get", "ping", "fund"], ["uninstall", "remove", "rm", "un", "unlink", "r", "prune"]);

    private static readonly Verbs Gem = new(["list", "query", "search", "info", "contents", "specification", "spec", "environment", "env", "outdated", "which", "help", "--version"], ["uninstall", "cleanup"]);

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = BuildRules();

    private static Dictionary<string, Func<Invocation, Verdict>> BuildRules()
    {
        var rules = new Dictionary<string, Func<Invocation, Verdict>>
        {
            ["apt-cache"] = call => Verdict.Read("apt-cache.query", "queries the package cache"),
            ["dpkg"] = Dpkg,
            ["dpkg-query"] = call => Verdict.Read("dpkg-query.query", "queries installed packages"),
            ["dpkg-reconfigure"] = call => Verdict.Service("dpkg-reconfigure.configure", "reconfigures a package"),
            ["rpm"] = Rpm,
            ["pacman"] = Pacman,
            ["apk"] = call => ByVerb(call, "apk", Apk),
            ["zypper"] = call => ByVerb(call, "zypper", Zypper),
            ["snap"] = call => ByVerb(call, "snap", Snap),
            ["flatpak"] = call => ByVerb(call, "flatpak", Flatpak),
            ["gem"] = call => ByVerb(call, "gem", Gem),
            ["apt-mark"] = call => call.PositionalTexts().FirstOrDefault()?.StartsWith("show", StringComparison.Ordinal) == true ? Verdict.Read("apt-mark.show", "lists package marks") : Verdict.Service("apt-mark.mark", "holds or marks packages"),
            ["apt-key"] = call => call.Args.FirstOrDefault() is "list" or "finger" or "fingerprint" ? Verdict.Read("apt-key.list", "lists trusted keys") : Verdict.Service("apt-key.change", "changes trusted package keys"),
            ["add-apt-repository"] = call => Verdict.Service("add-apt-repository.change", "changes package sources"),
            ["update-alternatives"] = call => call.Has("--display", "--query", "--list", "--get-selections") ? Verdict.Read("update-alternatives.show", "shows alternatives") : Verdict.Service("update-alternatives.change", "changes which program a command runs"),
        };
        foreach (var name in new[] { "apt", "apt-get", "aptitude" }) rules[name] = call => ByVerb(call, name, Apt, dryRun: call.HasShort('s') || call.Has("--simulate", "--dry-run", "--just-print", "--no-act", "--recon"));
        foreach (var name in new[] { "dnf", "yum", "microdnf", "tdnf" }) rules[name] = call => DnfLike(call, name);
        foreach (var name in new[] { "pip", "pip3", "pipx" }) rules[name] = call => ByVerb(call, name, Pip, dryRun: call.Has("--dry-run"));
        foreach (var name in new[] { "npm", "yarn", "pnpm" }) rules[name] = call => ByVerb(call, name, Npm, dryRun: call.Has("--dry-run"));
        return rules;
    }

    private static Verdict ByVerb(Invocation call, string program, Verbs verbs, bool dryRun = false)
    {
        var verb = call.PositionalTexts("-o", "-c", "-t", "--option", "--config-file", "--target-release", "-X", "--repository", "-r", "--root", "--prefix", "-C").FirstOrDefault()
                   ?? call.Args.FirstOrDefault(a => a is "--version" or "-V" or "-v") ?? "";
        if (dryRun || verb.Length == 0 || verbs.Read.Contains(verb))
            return Verdict.Read($"{program}.query", $"{program} {verb} only queries".Replace("  ", " "));
        if (verbs.Remove.Contains(verb))
            return Verdict.Destructive($"{program}.remove", $"{program} {verb} removes packages (and with purge their configuration)");
        if (verb is "run" or "exec" or "run-script" or "x" or "dlx" or "start" or "test" or "restart" or "stop" or "shell" or "create" or "init" && program is "npm" or "yarn" or "pnpm" || verb == "run" && program == "snap")
            return Verdict.Unknown($"{program}.{verb}", $"{program} {verb} runs a package's scripts or programs, which are not read here");
        if (!InstallVerbs.Contains(verb)) return Verdict.Unknown($"{program}.unknown-verb", $"{program} {verb} is not a package command the classifier knows");
        return Verdict.Service($"{program}.{verb}", $"{program} {verb} installs, upgrades or changes packages");
    }

    private static readonly HashSet<string> InstallVerbs =
    [
        "install", "reinstall", "upgrade", "update", "full-upgrade", "dist-upgrade", "build-dep", "download", "source", "clean", "autoclean", "satisfy", "refresh",
        "ref", "in", "up", "dup", "ar", "addrepo", "mr", "modifyrepo", "add", "fix", "cache", "sync", "enable", "disable", "revert", "hold", "unhold", "switch",
        "set", "connect", "disconnect", "alias", "unalias", "publish", "pack", "link", "makecache", "distro-sync", "downgrade", "group", "groupinstall", "module",
        "swap", "mark", "config-manager", "copr", "ci", "i", "dedupe", "rebuild", "login", "logout", "cache-clean", "unpublish", "deprecate", "version", "upgrade-all",
        "markauto", "unmarkauto", "forbid-version", "safe-upgrade", "changelog", "wheel", "purge-cache", "clean-all", "refresh-services", "patch", "up-all", "fetch",
    ];

    private static Verdict DnfLike(Invocation call, string program)
    {
        var words = call.PositionalTexts("-c", "--config", "--setopt", "--enablerepo", "--disablerepo", "--repo", "--releasever", "--installroot", "-d", "-e", "-x", "--exclude");
        if (words is ["history", "undo" or "rollback", ..]) return Verdict.Destructive($"{program}.history-undo", "undoes a transaction, which may remove packages");
        if (words is ["history", ..] || call.Has("--assumeno")) return Verdict.Read($"{program}.history", "shows the transaction history");
        return ByVerb(call, program, Dnf);
    }

    /// <summary>dpkg, rpm and pacman pick their action by option, and several may be given: every option counts, not the first.</summary>
    private static Verdict Dpkg(Invocation call)
    {
        var verdicts = call.Args.TakeWhile(a => a != "--").Where(a => a.StartsWith('-')).Select(a => (a.Contains('=') ? a[..a.IndexOf('=')] : a) switch
        {
            "-r" or "--remove" or "-P" or "--purge" => Verdict.Destructive("dpkg.remove", "removes packages"),
            "-i" or "--install" or "--unpack" or "--configure" or "-a" or "--pending" or "--set-selections" or "--clear-avail" or "--update-avail" or "--merge-avail" or "--triggers-only" or "--clear-selections" or "--add-architecture" or "--remove-architecture" or "-R" or "--recursive" or "--force-all"
                => Verdict.Service("dpkg.install", "installs or configures packages"),
            "-l" or "--list" or "-L" or "--listfiles" or "-s" or "--status" or "-S" or "--search" or "-p" or "--print-avail" or "--get-selections" or "-c" or "--contents" or "-I" or "--info"
                or "-f" or "--field" or "--compare-versions" or "-C" or "--audit" or "-V" or "--verify" or "--print-architecture" or "--print-foreign-architectures" or "--version" or "--help" or "-W" or "--show" or "--no-pager" or "-?"
                => Verdict.Read("dpkg.query", "queries packages"),
            var other when other.StartsWith("--force-", StringComparison.Ordinal) || other.StartsWith("--admindir", StringComparison.Ordinal) || other.StartsWith("--root", StringComparison.Ordinal) || other.StartsWith("--instdir", StringComparison.Ordinal)
                => Verdict.Service("dpkg.option", $"{other} changes how dpkg installs"),
            var other => Verdict.Unknown("dpkg.unknown-option", $"dpkg {other} is an option the classifier does not know"),
        }).ToList();
        return Targets.Worst(verdicts, Verdict.Read("dpkg.query", "queries packages"));
    }

    private static Verdict Rpm(Invocation call)
    {
        var verdicts = new List<Verdict>();
        foreach (var arg in call.Args.TakeWhile(a => a != "--").Where(a => a.StartsWith('-') && a.Length > 1))
        {
            var mode = arg.StartsWith("--", StringComparison.Ordinal) ? arg.Split('=')[0] : "-" + arg[1];
            verdicts.Add(mode switch
            {
                "-e" or "--erase" => Verdict.Destructive("rpm.remove", "removes packages"),
                "-i" or "-U" or "-F" or "--install" or "--upgrade" or "--freshen" or "--import" or "--rebuilddb" or "--initdb" or "--setperms" or "--setugids" or "--restore" or "--reinstall" or "--delsign" or "--addsign" or "--resign"
                    => Verdict.Service("rpm.install", "installs, upgrades or changes the package database"),
                "-E" or "--eval" or "--define" or "-D" or "--macros" or "--rcfile" or "--pipe" or "--dbpath" or "--root" or "-r"
                    => Verdict.Unknown("rpm.macro", $"rpm {arg}: macros and other databases can run shell commands (%(...))"),
                _ => Verdict.Read("rpm.query", "queries or verifies packages"),
            });
        }
        return Targets.Worst(verdicts, Verdict.Read("rpm.query", "queries or verifies packages"));
    }

    private static Verdict Pacman(Invocation call)
    {
        var verdicts = new List<Verdict>();
        foreach (var arg in call.Args.TakeWhile(a => a != "--").Where(a => a.StartsWith('-') && a.Length > 1))
        {
            if (arg.StartsWith("-R", StringComparison.Ordinal) || arg == "--remove") verdicts.Add(Verdict.Destructive("pacman.remove", "removes packages"));
            else if (arg.StartsWith("-Q", StringComparison.Ordinal) || arg.StartsWith("-F", StringComparison.Ordinal) && !arg.Contains('y') || arg.StartsWith("-T", StringComparison.Ordinal) || arg is "-V" or "--version" or "-h" or "--help" or "--query"
                || arg.StartsWith("-S", StringComparison.Ordinal) && arg.Length > 2 && arg[2..].All(c => c is 's' or 'i' or 'l' or 'g' or 'p' or 'q'))
                verdicts.Add(Verdict.Read("pacman.query", "queries packages"));
            else if (arg.StartsWith("-S", StringComparison.Ordinal) || arg.StartsWith("-U", StringComparison.Ordinal) || arg.StartsWith("-D", StringComparison.Ordinal) || arg.StartsWith("-F", StringComparison.Ordinal) || arg is "--sync" or "--upgrade" or "--database" or "--needed" or "--noconfirm" or "--overwrite")
                verdicts.Add(Verdict.Service("pacman.install", "installs, upgrades or changes packages"));
            else verdicts.Add(Verdict.Unknown("pacman.unknown-option", $"pacman {arg} is an option the classifier does not know"));
        }
        return Targets.Worst(verdicts, Verdict.Read("pacman.query", "queries packages"));
    }
}
