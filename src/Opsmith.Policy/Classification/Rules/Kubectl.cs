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

        if (call.Value("--kubeconfig") is { } kubeconfig && Paths.Kind(kubeconfig, exact: true) is PathKind.Safe or PathKind.TempRoot or PathKind.Other or PathKind.Unknown
            && !kubeconfig.Contains(".kube/", StringComparison.Ordinal))
            return Verdict.Unknown("kubectl.untrusted-kubeconfig", $"--kubeconfig {kubeconfig}: a kubeconfig can run any program (exec credential plugins); this one is not a system or user configuration");
        if (verb == "plugin" && objects.FirstOrDefault() is not (null or "list"))
            return Verdict.Unknown("kubectl.plugin", "runs a kubectl plugin, a program the classifier does not know");
        if (verb is "proxy" or "port-forward" && ListensOnAllAddresses(call))
            return Verdict.Destructive($"kubectl.{verb}-all-addresses", $"kubectl {verb} listens on every address: anyone who can reach this machine gets the cluster with these credentials");
        if (verb is "get" && IsSecretKind(objects.FirstOrDefault()) && call.Value("-o", "--output") is { } format && !format.StartsWith("name", StringComparison.Ordinal) && format is not "wide"
            || verb is "config" && objects.FirstOrDefault() == "view" && call.Args.Any(a => a is "--raw" || a.StartsWith("--flatten", StringComparison.Ordinal))
            || verb is "create" && objects.FirstOrDefault() == "token")
            return Verdict.Sensitive($"kubectl.{verb}-secret-values", $"kubectl {verb} prints secret values (base64 is not protection)");
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
            "run" => Run(call, indexes),
            "debug" => Debug(call, objects),
            "cp" => Copy(call, objects),
            "attach" => Verdict.Unknown("kubectl.attach", "attaches to a running container's input; what is typed there is not on the command line"),
            "scale" when call.Value("--replicas") is "0" => Verdict.Destructive("kubectl.scale-to-zero", $"scales {string.Join(' ', objects)} to zero: the service stops serving"),
            "taint" when call.Has("--all") || objects.Count > 0 && objects[0] is "nodes" or "node" or "no" && (call.Has("-l", "--selector") || objects.Count == 1)
                => Verdict.Destructive("kubectl.taint-all-nodes", "taints every (or every matching) node: pods cannot be scheduled, and NoExecute evicts them"),
            "cordon" or "drain" when call.Has("--all") || call.Has("-l", "--selector") => Verdict.Destructive($"kubectl.{verb}-many", $"{verb}s every matching node"),
            "scale" or "autoscale" or "rollout" or "label" or "annotate" or "cordon" or "uncordon" or "taint" or "expose" or "create" or "config" or "auth" or "project" or "new-project" or "new-app" or "login" or "logout" or "start-build" or "import-image" or "tag" or "policy"
                => Verdict.Service($"kubectl.{verb}", $"kubectl {verb} changes the cluster in a way that can be put back"),
            _ => Verdict.Unknown("kubectl.unknown-verb", $"kubectl {verb} is not known to the classifier"),
        };
    }

    private static bool IsSecretKind(string? kind) =>
        kind?.Split(',').Any(k => k.Split('/')[0].Split('.')[0].ToLowerInvariant() is "secret" or "secrets") == true;

    private static bool ListensOnAllAddresses(Invocation call) =>
        call.Values("--address").Concat(call.Value("--accept-hosts") is { } hosts && hosts.Contains(".*") ? ["0.0.0.0"] : [])
            .Any(a => a.Split(',').Any(x => x is "0.0.0.0" or "::" or "[::]" or "*" || !x.StartsWith("127.", StringComparison.Ordinal) && x is not "localhost" and not "::1"));

    /// <summary>kubectl run NAME --image=I [-- CMD]: CMD runs in the new pod and is judged on its own.</summary>
    private static Verdict Run(Invocation call, IReadOnlyList<int> indexes)
    {
        var dashDash = call.Args.ToList().IndexOf("--");
        if (dashDash >= 0 && dashDash + 1 < call.Words.Count)
            call.Session.Run(call.Words.Skip(dashDash + 1).ToList(), [], call.HasShort('i') || call.Has("--stdin") ? call.Stdin : Stdin.None, [.. call.Via, "kubectl run"]);
        var privileged = call.Args.Any(a => a.Contains("\"privileged\":true", StringComparison.Ordinal) || a.Contains("hostPID", StringComparison.Ordinal) || a.Contains("hostPath", StringComparison.Ordinal));
        if (privileged) return Verdict.Destructive("kubectl.run-privileged", "starts a pod with host access; it can change anything on the node");
        if ((call.HasShort('i') || call.Has("--stdin")) && dashDash < 0) return Verdict.Unknown("kubectl.run-interactive", "starts a pod and attaches to it; what is typed there is not on the command line");
        return Verdict.Service("kubectl.run", "starts a pod");
    }

    /// <summary>kubectl debug: node/NAME gets a pod with the node's root filesystem; -- CMD is judged; an interactive shell is opaque.</summary>
    private static Verdict Debug(Invocation call, IReadOnlyList<string> objects)
    {
        var dashDash = call.Args.ToList().IndexOf("--");
        if (objects.Any(o => o.StartsWith("node/", StringComparison.Ordinal) || o.StartsWith("nodes/", StringComparison.Ordinal)) || call.Value("--profile") is "sysadmin")
            return Verdict.Destructive("kubectl.debug-node", "starts a privileged pod with the node's root filesystem mounted; it can change anything on the node");
        if (dashDash >= 0 && dashDash + 1 < call.Words.Count)
        {
            call.Session.Run(call.Words.Skip(dashDash + 1).ToList(), [], call.Stdin, [.. call.Via, "kubectl debug"]);
            return Verdict.Service("kubectl.debug", "adds a debug container (its command is judged on its own)");
        }
        return Verdict.Unknown("kubectl.debug-interactive", "opens a shell in a debug container; what is typed there is not on the command line");
    }

    /// <summary>kubectl cp SRC DST: into a pod it overwrites the container's files; out of one it writes a local path.</summary>
    private static Verdict Copy(Invocation call, IReadOnlyList<string> objects)
    {
        if (objects.Count < 2) return Verdict.Read("kubectl.cp-nothing", "nothing to copy");
        var destination = objects[^1];
        var colon = destination.IndexOf(':');
        if (colon > 0 && !destination.StartsWith('/'))
        {
            var path = destination[(colon + 1)..];
            var kind = Paths.Kind(path, exact: true);
            return kind is PathKind.Data or PathKind.DataAncestor
                ? Verdict.Data("kubectl.cp-into-pod-data", $"overwrites {path} in the pod, where stored data lives")
                : Verdict.Destructive("kubectl.cp-into-pod", $"overwrites {path} in the container, which can replace its programs or configuration");
        }
        return Targets.Write(Shell.ShellWord.Literal(destination), "kubectl-cp", replaces: true);
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
