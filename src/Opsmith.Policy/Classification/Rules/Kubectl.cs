namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// kubectl (and oc): verbs × resources. get/describe/logs read; apply, scale, rollout restart, patch
/// change (service-mutation); delete and drain are destructive; deleting PVCs, PVs, namespaces or CRDs,
/// and patching a volume's reclaim policy or finalizers, lose stored data (data-mutation).
/// </summary>
internal static class Kubectl
{
    private static readonly string[] ValueOptions =
    [
        "-n", "--namespace", "--context", "--cluster", "--kubeconfig", "-s", "--server", "--user", "--token", "--as", "--as-group",
        "--as-uid", "--request-timeout", "--certificate-authority", "--client-certificate", "--client-key", "--tls-server-name", "-v", "--v",
        "-o", "--output", "-l", "--selector", "-f", "--filename", "-c", "--container", "--field-selector", "-p", "--patch", "--type",
        "--replicas", "--image", "--timeout", "--grace-period", "--since", "--tail", "--sort-by", "-L", "--label-columns", "--template",
        "-k", "--kustomize", "--for", "--to-revision", "--overrides", "--cascade", "--since-time", "--current-replicas", "--patch-file",
        "--subresource", "--field-manager", "--chunk-size", "--pod-running-timeout", "--max-log-requests", "--prefix", "--address", "--port",
        "--profile", "--target", "--copy-to", "--env", "-e", "--raw", "--min", "--max", "--cpu-percent", "--name", "--filename-pattern",
    ];

    private static readonly HashSet<string> ReadVerbs =
    [
        "get", "describe", "logs", "log", "top", "explain", "api-resources", "api-versions", "version", "cluster-info", "events", "diff",
        "wait", "completion", "kustomize", "port-forward", "proxy", "plugin", "options", "help", "whoami", "status", "projects",
    ];

    private static readonly HashSet<string> DataResources =
    [
        "pvc", "pvcs", "persistentvolumeclaim", "persistentvolumeclaims", "pv", "pvs", "persistentvolume", "persistentvolumes",
        "ns", "namespace", "namespaces", "project", "projects", "crd", "crds", "customresourcedefinition", "customresourcedefinitions",
        "volumesnapshot", "volumesnapshots", "volumesnapshotcontent", "volumesnapshotcontents",
    ];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new() { ["kubectl"] = Judge, ["oc"] = Judge, ["k"] = Judge };

    private static Verdict Judge(Invocation call)
    {
        var indexes = call.PositionalIndexes(ValueOptions);
        var words = indexes.Select(i => call.Args[i]).ToList();
        if (words.Count == 0) return Verdict.Read("kubectl.help", "prints help or version");
        var verb = words[0];
        if (verb == "adm" && words.Count > 1) verb = words[1] == "drain" ? "drain" : "adm-" + words[1];
        var objects = words.Skip(1).ToList();

        if (ReadVerbs.Contains(verb)) return Verdict.Read($"kubectl.{verb}", $"kubectl {verb} only reads");
        // --dry-run=server|client (or the old bare --dry-run) only shows what would change; exec has no dry run.
        if (verb is not ("exec" or "delete") && call.Args.TakeWhile(x => x != "--").Any(x => x is "--dry-run" or "--dry-run=server" or "--dry-run=client"))
            return Verdict.Read("kubectl.dry-run", $"kubectl {verb} --dry-run only shows what would change");
        return verb switch
        {
            "delete" => Delete(call, objects),
            "exec" => Exec(call, indexes),
            "patch" or "edit" or "replace" or "apply" or "set" => Change(call, verb, objects),
            "drain" => Verdict.Destructive("kubectl.drain", $"evicts every pod from {string.Join(' ', objects.Where(o => o != "drain"))}"),
            "rollout" when objects.FirstOrDefault() is "status" or "history" => Verdict.Read("kubectl.rollout-status", "shows rollout state"),
            "config" when objects.FirstOrDefault() is "view" or "get-contexts" or "current-context" or "get-clusters" or "get-users" => Verdict.Read("kubectl.config-view", "shows kubeconfig"),
            "auth" when objects.FirstOrDefault() is "can-i" or "whoami" => Verdict.Read("kubectl.auth-can-i", "checks permissions"),
            "certificate" => Verdict.Service("kubectl.certificate", "approves or denies a certificate request"),
            "debug" or "attach" or "cp" or "run" => Verdict.Service($"kubectl.{verb}", $"kubectl {verb} starts or attaches to a pod"),
            "scale" or "autoscale" or "rollout" or "label" or "annotate" or "cordon" or "uncordon" or "taint" or "expose" or "create" or "config" or "auth" or "project" or "new-project" or "new-app" or "login" or "logout" or "start-build" or "import-image" or "tag" or "policy"
                => Verdict.Service($"kubectl.{verb}", $"kubectl {verb} changes the cluster in a way that can be put back"),
            _ => Verdict.Service("kubectl.unknown-verb", $"kubectl {verb} is not known to the classifier"),
        };
    }

    private static Verdict Delete(Invocation call, IReadOnlyList<string> objects)
    {
        if (call.Has("--dry-run") && call.Args.Any(a => a is "--dry-run=client" or "--dry-run=server" or "--dry-run"))
            return Verdict.Read("kubectl.delete-dry-run", "only shows what would be deleted");
        if (call.Has("-f", "--filename", "-k", "--kustomize") && objects.Count == 0)
            return Verdict.Destructive("kubectl.delete-from-file", $"deletes the resources listed in {call.Value("-f", "--filename", "-k", "--kustomize")}; which ones is not read here");
        var kinds = objects.Count == 0 ? [] : objects[0].Split(',').Select(k => k.Split('/')[0].Split('.')[0].ToLowerInvariant()).ToList();
        // "kubectl delete pvc/data pod/web": every TYPE/NAME word names its own kind.
        kinds.AddRange(objects.Skip(1).Where(o => o.Contains('/')).Select(o => o.Split('/')[0].Split('.')[0].ToLowerInvariant()));
        var names = string.Join(' ', objects);
        foreach (var kind in kinds.Where(DataResources.Contains))
        {
            var rule = kind switch
            {
                "pvc" or "pvcs" or "persistentvolumeclaim" or "persistentvolumeclaims" => "kubectl.delete-pvc",
                "pv" or "pvs" or "persistentvolume" or "persistentvolumes" => "kubectl.delete-pv",
                "crd" or "crds" or "customresourcedefinition" or "customresourcedefinitions" => "kubectl.delete-crd",
                "volumesnapshot" or "volumesnapshots" or "volumesnapshotcontent" or "volumesnapshotcontents" => "kubectl.delete-snapshot",
                _ => "kubectl.delete-namespace",
            };
            var why = rule switch
            {
                "kubectl.delete-namespace" => "deletes a namespace and everything in it, its volume claims and their data included",
                "kubectl.delete-crd" => "deletes a custom resource definition and every resource of that kind",
                "kubectl.delete-snapshot" => "deletes volume snapshots",
                _ => "deletes persistent volumes or claims; with the usual Delete reclaim policy the data is gone",
            };
            return Verdict.Data(rule, $"kubectl delete {names}: {why}");
        }
        return Verdict.Destructive("kubectl.delete", $"kubectl delete {names}: deleted resources are recreated only if something owns them");
    }

    private static Verdict Change(Invocation call, string verb, IReadOnlyList<string> objects)
    {
        var text = string.Join(' ', call.Args);
        var kind = objects.FirstOrDefault()?.Split('/')[0].ToLowerInvariant() ?? "";
        if (text.Contains("persistentVolumeReclaimPolicy", StringComparison.Ordinal))
            return Verdict.Data("kubectl.reclaim-policy-patch", "changes a volume's reclaim policy; with Delete, releasing the claim deletes the data");
        if (kind is "pv" or "pvc" or "persistentvolume" or "persistentvolumeclaim" && text.Contains("finalizers", StringComparison.Ordinal))
            return Verdict.Data("kubectl.volume-finalizers", "removes a volume's finalizers, letting a pending deletion of its data go ahead");
        if (verb == "apply" && call.Has("--prune"))
            return Verdict.Destructive("kubectl.apply-prune", "apply --prune deletes resources missing from the manifests");
        if (verb == "replace" && call.Has("--force"))
            return Verdict.Destructive("kubectl.replace-force", "replace --force deletes and recreates resources");
        return Verdict.Service($"kubectl.{verb}", $"kubectl {verb} changes the cluster in a way that can be put back");
    }

    /// <summary>kubectl exec [-i] [-t] POD [-c C] -- CMD...: CMD runs inside the pod and is judged on its own.</summary>
    private static Verdict Exec(Invocation call, IReadOnlyList<int> positionalIndexes)
    {
        var dashDash = call.Args.ToList().IndexOf("--");
        var target = positionalIndexes.Skip(1).Select(i => call.Args[i]).FirstOrDefault() ?? "";
        var inner = dashDash >= 0
            ? call.Words.Skip(dashDash + 1).ToList()
            : positionalIndexes.Count > 2 ? call.Words.Skip(positionalIndexes[2]).ToList() : [];
        if (dashDash >= 0 && positionalIndexes.Count > 1 && positionalIndexes[1] > dashDash) target = "";
        var passesStdin = call.HasShort('i') || call.Has("--stdin");
        return ExecInto.Judge(call, target, inner, passesStdin, "kubectl");
    }
}
