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
        return Verdict.Service($"{program}.{verb}", $"{program} {verb} installs, upgrades or changes packages");
    }

    private static Verdict DnfLike(Invocation call, string program)
    {
        var words = call.PositionalTexts("-c", "--config", "--setopt", "--enablerepo", "--disablerepo", "--repo", "--releasever", "--installroot", "-d", "-e", "-x", "--exclude");
        if (words is ["history", "undo" or "rollback", ..]) return Verdict.Destructive($"{program}.history-undo", "undoes a transaction, which may remove packages");
        if (words is ["history", ..] || call.Has("--assumeno")) return Verdict.Read($"{program}.history", "shows the transaction history");
        return ByVerb(call, program, Dnf);
    }

    private static Verdict Dpkg(Invocation call)
    {
        var first = call.Args.FirstOrDefault(a => a.StartsWith('-')) ?? "";
        if (first is "-r" or "--remove" or "-P" or "--purge") return Verdict.Destructive("dpkg.remove", "removes packages");
        if (first is "-i" or "--install" or "--unpack" or "--configure" or "-a" or "--set-selections" or "--clear-avail" or "--update-avail" or "--merge-avail" or "--triggers-only")
            return Verdict.Service("dpkg.install", "installs or configures packages");
        return Verdict.Read("dpkg.query", "queries packages");
    }

    private static Verdict Rpm(Invocation call)
    {
        var first = call.Args.FirstOrDefault(a => a.StartsWith('-')) ?? "-q";
        var mode = first.StartsWith("--", StringComparison.Ordinal) ? first : first.Length > 1 ? "-" + first[1] : first;
        return mode switch
        {
            "-e" or "--erase" => Verdict.Destructive("rpm.remove", "removes packages"),
            "-i" or "-U" or "-F" or "--install" or "--upgrade" or "--freshen" or "--import" or "--rebuilddb" or "--initdb" or "--setperms" or "--setugids" or "--restore"
                => Verdict.Service("rpm.install", "installs, upgrades or changes the package database"),
            _ => Verdict.Read("rpm.query", "queries or verifies packages"),
        };
    }

    private static Verdict Pacman(Invocation call)
    {
        var first = call.Args.FirstOrDefault(a => a.StartsWith('-')) ?? "-Q";
        if (first.StartsWith("-R", StringComparison.Ordinal) || first == "--remove") return Verdict.Destructive("pacman.remove", "removes packages");
        if (first.StartsWith("-Q", StringComparison.Ordinal) || first.StartsWith("-F", StringComparison.Ordinal) || first.StartsWith("-Ss", StringComparison.Ordinal)
            || first.StartsWith("-Si", StringComparison.Ordinal) || first.StartsWith("-Sl", StringComparison.Ordinal) || first.StartsWith("-Sg", StringComparison.Ordinal) || first is "-V" or "--version")
            return Verdict.Read("pacman.query", "queries packages");
        return Verdict.Service("pacman.install", "installs or upgrades packages");
    }
}
