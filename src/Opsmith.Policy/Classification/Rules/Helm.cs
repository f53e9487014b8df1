namespace Opsmith.Policy.Classification.Rules;

/// <summary>helm: listing and rendering read; install, upgrade and rollback change a release; uninstall deletes it.</summary>
internal static class Helm
{
    private static readonly string[] ValueOptions =
        ["-n", "--namespace", "--kube-context", "--kubeconfig", "--registry-config", "--repository-config", "--repository-cache", "-f", "--values", "--set", "--set-string", "--set-file", "--version", "--timeout", "-o", "--output", "--revision", "--max", "--description", "--post-renderer", "--repo", "--username", "--password"];

    private static readonly HashSet<string> ReadVerbs =
        ["list", "ls", "status", "get", "history", "hist", "show", "inspect", "search", "template", "lint", "version", "env", "verify", "diff", "help", "completion"];

    /// <summary>The sub-commands of helm get and helm show; anything else is unknown (fail closed).</summary>
    private static readonly HashSet<string> GetShowSubcommands = ["all", "hooks", "manifest", "metadata", "notes", "values", "chart", "crds", "readme", ""];

    /// <summary>The options helm template and lint take (all render locally); any other option is unknown. --output-dir writes files.</summary>
    private static readonly HashSet<string> RenderOptions =
    [
        "--set", "--set-string", "--set-file", "--set-json", "--set-literal", "--values", "--namespace", "--version", "--repo", "--include-crds", "--skip-crds", "--show-only",
        "--kube-version", "--api-versions", "--release-name", "--name-template", "--validate", "--is-upgrade", "--debug", "--devel", "--dependency-update", "--generate-name",
        "--no-hooks", "--skip-tests", "--kube-context", "--kubeconfig", "--verify", "--keyring", "--username", "--password", "--ca-file", "--cert-file", "--key-file",
        "--insecure-skip-tls-verify", "--pass-credentials", "--plain-http", "--description", "--disable-openapi-validation", "--create-namespace", "--skip-schema-validation",
        "--labels", "--enable-dns", "--timeout", "--strict", "--with-subcharts", "--quiet", "--help", "--registry-config", "--repository-config", "--repository-cache",
        "--burst-limit", "--qps", "--kube-apiserver", "--kube-as-user", "--kube-as-group", "--kube-ca-file", "--kube-insecure-skip-tls-verify", "--kube-tls-server-name", "--kube-token",
        "--output-dir", "--hide-notes", "--hide-secret", "--post-renderer-args",
    ];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new() { ["helm"] = Judge, ["helmfile"] = Helmfile };

    private static Verdict Judge(Invocation call)
    {
        var words = call.PositionalTexts(ValueOptions);
        var verb = words.FirstOrDefault() ?? "help";
        var sub = words.ElementAtOrDefault(1) ?? "";
        var release = sub;
        if (call.Value("--post-renderer") is { } renderer)
        {
            call.Session.Run([Shell.ShellWord.Literal(renderer), .. call.Values("--post-renderer-args").Select(Shell.ShellWord.Literal)], [], Stdin.None, [.. call.Via, $"helm {verb} --post-renderer"]);
            return Verdict.Destructive($"helm.{verb}-post-renderer", "helm runs a post-renderer program on the manifests (judged on its own)");
        }
        if (verb == "plugin" && sub is "install" or "update") return Verdict.Unknown("helm.plugin-install", "installs a helm plugin, whose install hooks and commands are programs not read here");
        if (verb is "get" or "show" or "inspect" && !GetShowSubcommands.Contains(sub))
            return Verdict.Unknown($"helm.{verb}-unknown-subcommand", $"helm {verb} {sub} is not a sub-command the classifier knows");
        if (verb is "env" && words.Count > 1) return Verdict.Unknown("helm.env-arguments", "helm env is given arguments the classifier does not know");
        if (verb is "template" or "lint")
        {
            if (call.Args.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal) && !RenderOptions.Contains(a.Split('=')[0])) is { } unknown)
                return Verdict.Unknown($"helm.{verb}-unknown-option", $"helm {verb} {unknown}: an option the classifier does not know");
            if (call.Value("--output-dir") is { } dir) return Targets.Write(Shell.ShellWord.Literal(dir), "helm-template-output-dir", replaces: true);
        }
        if (ReadVerbs.Contains(verb)) return Verdict.Read($"helm.{verb}", $"helm {verb} only reads");
        if (verb is "repo" or "dependency" or "dep" or "plugin" or "registry")
            return sub is "list" or "ls" or "" ? Verdict.Read($"helm.{verb}-list", $"lists {verb} entries") : Verdict.Service($"helm.{verb}-{sub}", $"helm {verb} {sub} changes local helm state");
        if (call.Has("--dry-run")) return Verdict.Read($"helm.{verb}-dry-run", "only shows what would change");
        if (verb is "uninstall" or "delete" or "del" or "un")
            return Verdict.Destructive("helm.uninstall", $"deletes the release {release} and the resources it created (claims kept by a StatefulSet survive; others do not)");
        if (verb is not ("install" or "upgrade" or "rollback" or "test" or "pull" or "fetch" or "push" or "package" or "create" or "registry" or "dependency" or "dep" or "repo" or "plugin" or "env"))
            return Verdict.Unknown("helm.unknown-verb", $"helm {verb} is not a helm command the classifier knows (it may be a plugin)");
        return Verdict.Service($"helm.{verb}", $"helm {verb} {release} changes a release in a way that can be rolled back".Replace("  ", " "));
    }

    private static Verdict Helmfile(Invocation call)
    {
        var verb = call.PositionalTexts("-f", "--file", "-e", "--environment", "-l", "--selector", "-n", "--namespace").FirstOrDefault() ?? "help";
        return verb switch
        {
            "list" or "status" or "diff" or "template" or "lint" or "build" or "version" or "help" or "write-values" => Verdict.Read($"helmfile.{verb}", $"helmfile {verb} only reads"),
            "destroy" or "delete" => Verdict.Destructive($"helmfile.{verb}", "deletes every release in the helmfile"),
            _ => Verdict.Service($"helmfile.{verb}", $"helmfile {verb} changes releases"),
        };
    }
}
