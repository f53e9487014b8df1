namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// terraform, tofu, terragrunt: plan and show read; apply can replace or destroy resources (destructive);
/// destroy and apply -destroy delete every managed resource, databases and buckets included (data-mutation).
/// </summary>
internal static class Terraform
{
    private static readonly HashSet<string> ReadVerbs =
        ["plan", "show", "output", "validate", "version", "providers", "graph", "console", "help", "-version", "--version", "-help", "metadata", "test", "modules"];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new() { ["terraform"] = Judge, ["tofu"] = Judge, ["terragrunt"] = Judge };

    private static Verdict Judge(Invocation call)
    {
        var words = call.Args.Where(a => !a.StartsWith('-') || a is "-version" or "--version" or "-help").ToList();
        if (words.FirstOrDefault() is "run-all" or "run") words = words.Skip(1).ToList();
        var verb = words.FirstOrDefault() ?? "help";
        var sub = words.ElementAtOrDefault(1) ?? "";
        var program = call.Program;
        if (verb == "fmt") return call.Has("-check", "--check") ? Verdict.Read($"{program}.fmt-check", "only checks formatting") : Verdict.Service($"{program}.fmt", "rewrites configuration files");
        if (ReadVerbs.Contains(verb)) return Verdict.Read($"{program}.{verb}", $"{program} {verb} only reads");
        if (verb == "destroy" || verb == "apply" && call.Has("-destroy", "--destroy"))
            return Verdict.Data($"{program}.destroy", "destroys every resource the configuration manages: databases, volumes and buckets included");
        if (verb == "apply")
            return Verdict.Destructive($"{program}.apply", "applies changes, which can replace or delete resources; read the plan to know which");
        if (verb == "state")
        {
            return sub switch
            {
                "list" or "show" or "pull" => Verdict.Read($"{program}.state-{sub}", "reads the state"),
                "rm" or "push" => Verdict.Destructive($"{program}.state-{sub}", $"state {sub} rewrites what {program} believes exists; resources can be orphaned or recreated"),
                _ => Verdict.Service($"{program}.state-{sub}", $"state {sub} edits the state"),
            };
        }
        if (verb == "workspace")
        {
            return sub switch
            {
                "list" or "show" => Verdict.Read($"{program}.workspace-{sub}", "lists workspaces"),
                "delete" => Verdict.Destructive($"{program}.workspace-delete", "deletes a workspace's state"),
                _ => Verdict.Service($"{program}.workspace-{sub}", "changes the current workspace"),
            };
        }
        return Verdict.Service($"{program}.{verb}", $"{program} {verb} changes state or local files");
    }
}
