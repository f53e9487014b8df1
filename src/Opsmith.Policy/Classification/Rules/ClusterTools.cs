namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Cluster and platform CLIs judged by sub-command: Argo CD, Flux, Velero, istioctl, Nomad, Patroni, Ceph,
/// ipset. Listing and getting read; syncing, suspending and restarting change a service; deleting is
/// destructive; deleting backups, pools or volumes loses stored data. Anything else is unknown.
/// </summary>
internal static class ClusterTools
{
    private static readonly string[] ArgoValues = ["--server", "--auth-token", "--config", "--context", "-o", "--output", "-l", "--selector", "-p", "--project", "--grpc-web-root-path", "--header", "--app-namespace", "-N", "--kube-context", "--port-forward-namespace", "--revision", "--timeout", "--repo", "--dest-server", "--dest-namespace", "--path"];

    private static readonly VerbTable ArgoTable = new("argocd", ArgoValues,
        Read: ["app list", "app get", "app diff", "app history", "app manifests", "app resources", "app logs", "app wait", "app man*", "appset list", "appset get", "proj list", "proj get", "proj windows list", "proj role list", "repo list", "repo get", "repocreds list", "cluster list", "cluster get", "account list", "account get", "account get-user-info", "account can-i", "cert list", "gpg list", "gpg get", "context", "version", "admin settings*", "admin app generate-spec"],
        Service: ["login", "relogin", "logout", "app sync", "app set", "app unset", "app create", "app patch", "app rollback", "app terminate-op", "app actions run", "app actions list", "app edit", "app patch-resource", "app add-source", "app remove-source", "appset create", "proj create", "proj set", "proj add-*", "proj remove-*", "proj role *", "proj windows *", "repo add", "repocreds add", "cluster add", "cluster set", "cluster rotate-auth", "account update-password", "account generate-token", "cert add-*", "gpg add"],
        Destructive: ["app delete", "app delete-resource", "appset delete", "proj delete", "repo rm", "repocreds rm", "cluster rm", "account delete-token", "cert rm", "gpg rm"],
        Data: []);

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new()
    {
        ["argocd"] = call => call.Has("--prune", "--replace", "--force") && call.PositionalTexts(ArgoValues).Take(2).SequenceEqual(["app", "sync"])
            ? Verdict.Destructive("argocd.app-sync-prune", "syncs with --prune/--replace/--force: resources missing from Git are deleted or replaced")
            : ArgoTable.Judge(call),
        ["flux"] = new VerbTable("flux", ["-n", "--namespace", "--context", "--kubeconfig", "--timeout", "-o", "--output", "--kind", "--path"],
            Read: ["get*", "check", "logs", "stats", "tree*", "diff*", "trace*", "events", "export*", "version", "build*", "envsubst"],
            Service: ["reconcile*", "suspend*", "resume*", "create*", "bootstrap*", "install", "push*", "tag*"],
            Destructive: ["delete*", "uninstall"], Data: []).Judge,
        ["velero"] = new VerbTable("velero", ["-n", "--namespace", "--kubecontext", "--kubeconfig", "-o", "--output", "-l", "--selector", "--from-backup", "--from-schedule", "--include-namespaces", "--exclude-namespaces", "--ttl", "--schedule"],
            Read: ["backup get", "backup describe", "backup logs", "backup download", "restore get", "restore describe", "restore logs", "schedule get", "schedule describe", "backup-location get", "snapshot-location get", "plugin get", "get*", "describe*", "version", "repo get", "debug"],
            Service: ["backup create", "schedule create", "schedule pause", "schedule unpause", "backup-location create", "backup-location set", "snapshot-location create", "plugin add", "create*", "repo*"],
            Destructive: ["schedule delete", "backup-location delete", "snapshot-location delete", "plugin remove", "uninstall"],
            Data: ["backup delete", "restore create", "restore delete", "delete*"]).Judge,
        ["istioctl"] = new VerbTable("istioctl", ["-n", "--namespace", "--context", "--kubeconfig", "-i", "--istioNamespace", "-o", "--output", "-f", "--filename", "-r", "--revision"],
            Read: ["analyze", "version", "proxy-status", "ps", "proxy-config*", "pc*", "x describe", "experimental describe", "x precheck", "x check-inject", "verify-install", "bug-report", "dashboard*", "admin log", "validate", "manifest generate", "manifest diff", "profile*", "tag list", "waypoint list", "ztunnel-config*", "x wait", "x authz check"],
            Service: ["install", "upgrade", "manifest install", "kube-inject", "tag set", "tag generate", "x revision*", "waypoint apply", "admin log --level*", "operator init"],
            Destructive: ["uninstall", "tag remove", "waypoint delete", "operator remove", "x uninstall"], Data: []).Judge,
        ["nomad"] = new VerbTable("nomad", ["-address", "-region", "-namespace", "-token", "-ca-cert", "-t", "-json"],
            Read: ["status", "job status", "job inspect", "job history", "job plan", "job validate", "job allocs", "job deployments", "job periodic force --dry-run", "alloc status", "alloc logs", "alloc fs", "node status", "server members", "deployment status", "deployment list", "eval status", "eval list", "namespace list", "namespace status", "operator raft list-peers", "operator autopilot get-config", "volume status", "version", "agent-info", "plan", "validate", "logs", "inspect", "fmt -check", "system gc --dry-run"],
            Service: ["job run", "run", "job revert", "job scale", "scale", "job dispatch", "job periodic force", "deployment promote", "deployment pause", "deployment resume", "deployment fail", "node drain -disable", "node eligibility", "alloc restart", "alloc signal", "system reconcile summaries", "namespace apply", "volume create", "volume register"],
            Destructive: ["job stop", "stop", "alloc stop", "node drain", "server force-leave", "operator raft remove-peer", "system gc", "job purge", "namespace delete", "alloc exec", "exec", "volume detach"],
            Data: ["volume delete", "volume deregister", "operator snapshot restore", "var purge", "var put", "var delete"]).Judge,
        ["patronictl"] = new VerbTable("patronictl", ["-c", "--config-file", "--dcs-url", "--dcs", "-k", "--insecure", "--group", "--format", "-f"],
            Read: ["list", "topology", "history", "show-config", "version", "dsn", "query --dry-run"],
            Service: ["pause", "resume", "reload", "edit-config", "restart", "flush"],
            Destructive: ["switchover", "failover"],
            Data: ["reinit", "remove", "query"]).Judge,
        ["ceph"] = new VerbTable("ceph", ["-c", "--conf", "-n", "--name", "-i", "--id", "-k", "--keyring", "-f", "--format", "--cluster", "-m"],
            Read: ["status", "-s", "health*", "df", "osd tree", "osd df", "osd status", "osd stat", "osd dump", "osd ls", "osd pool ls", "osd pool get", "osd pool stats", "osd pool autoscale-status", "osd perf", "osd utilization", "osd find", "osd metadata", "osd crush tree", "osd crush rule ls", "osd crush rule dump", "osd blocklist ls", "osd versions", "pg stat", "pg dump*", "pg ls*", "pg query", "mon stat", "mon dump", "mgr stat", "mgr module ls", "mgr services", "mds stat", "fs ls", "fs status", "fs dump", "quorum_status", "versions", "version", "features", "auth ls", "auth get", "config dump", "config get", "config show", "config ls", "crash ls", "crash info", "orch ls", "orch ps", "orch host ls", "orch device ls", "orch status", "balancer status", "log last", "time-sync-status", "report", "-w", "progress"],
            Service: ["osd set", "osd unset", "osd in", "osd reweight*", "osd pool set", "osd pool create", "osd pool application*", "osd pool rename", "osd pool mksnap", "osd crush reweight*", "osd crush add*", "osd crush move", "osd crush set*", "osd blocklist add", "osd blocklist rm", "config set", "config rm", "mgr module enable", "mgr module disable", "mgr fail", "balancer*", "crash archive*", "orch apply*", "orch daemon restart", "orch restart", "orch upgrade*", "orch host add", "fs set", "auth add", "auth caps", "auth get-or-create*", "tell*", "pg scrub", "pg deep-scrub", "pg repair", "osd scrub", "osd deep-scrub"],
            Destructive: ["osd out", "osd down", "osd crush remove", "osd crush rm", "mon remove", "orch host rm", "orch daemon rm", "orch rm", "fs fail", "auth del", "auth rm", "mds fail", "osd pause", "osd pool rmsnap"],
            Data: ["osd pool delete", "osd pool rm", "osd purge", "osd destroy", "osd rm", "osd lost", "fs rm", "fs volume rm", "fs subvolume rm", "pg force_create_pg", "osd force-create-pg", "osd pool set * size 1", "mds rmfailed", "osd pool mksnap*"]).Judge,
        ["rados"] = call => call.PositionalTexts("-p", "--pool", "-c", "--conf", "-f", "--format", "-N", "--namespace", "--id", "-n").FirstOrDefault() switch
        {
            "ls" or "lspools" or "df" or "stat" or "get" or "listxattr" or "getxattr" or "listomapkeys" or "listomapvals" or "getomapval" or "lssnap" or "list-inconsistent-pg" or "list-inconsistent-obj" or "bench" when !call.Args.Contains("write")
                => Verdict.Read("rados.read", "reads objects or pool statistics"),
            "rm" or "rmpool" or "purge" or "cleanup" or "put" or "truncate" or "rmxattr" or "setxattr" or "setomapval" or "rmomapkey" or "clearomap" or "rollback" or "rmsnap" or "append"
                => Verdict.Data("rados.write", "writes or deletes objects or pools; stored data changes"),
            _ => Verdict.Unknown("rados.unknown-subcommand", "a rados sub-command the classifier does not know"),
        },
        ["rbd"] = new VerbTable("rbd", ["-p", "--pool", "--image", "-c", "--conf", "--format", "--id"],
            Read: ["ls", "list", "info", "status", "du", "snap ls", "snap list", "showmapped", "device list", "trash ls", "trash list", "diff", "export-diff --dry-run", "mirror image status", "mirror pool status", "children", "watch"],
            Service: ["create", "snap create", "snap protect", "snap unprotect", "map", "device map", "resize --allow-shrink=false", "feature*", "mirror*", "clone", "copy", "cp", "export", "lock*"],
            Destructive: ["unmap", "device unmap"],
            Data: ["rm", "remove", "snap rm", "snap remove", "snap purge", "snap rollback", "trash rm", "trash purge", "trash mv", "resize", "import", "flatten", "migration*", "mv", "rename"]).Judge,
        ["ipset"] = call => call.PositionalTexts().FirstOrDefault() switch
        {
            null or "list" or "-L" or "save" or "-S" or "test" or "-T" or "version" or "help" => Verdict.Read("ipset.list", "lists or tests IP sets"),
            "flush" or "-F" or "destroy" or "-X" or "swap" or "-W" => Verdict.Destructive("ipset.flush", "empties or destroys IP sets that firewall rules use"),
            "create" or "-N" or "add" or "-A" or "del" or "-D" or "rename" or "-E" or "restore" or "-R" => Verdict.Service("ipset.change", "changes IP sets that firewall rules use"),
            _ => call.Args.Any(a => a is "-L" or "-S" or "-T" or "--list" or "-l" or "-n" or "-o" or "-t" or "-terse") && !call.Args.Any(a => a is "-F" or "-X" or "-A" or "-D" or "-N" or "-R" or "-W" or "-E")
                ? Verdict.Read("ipset.list", "lists IP sets") : Verdict.Unknown("ipset.unknown", "an ipset command the classifier does not know"),
        },
        ["kubens"] = call => call.Args.Count == 0 || call.Args.All(a => a is "-c" or "--current" or "-h" or "--help") ? Verdict.Read("kubens.list", "lists namespaces") : Verdict.Service("kubens.switch", "switches the kubeconfig's namespace"),
        ["kubectx"] = call => call.Args.Count == 0 || call.Args.All(a => a is "-c" or "--current" or "-h" or "--help") ? Verdict.Read("kubectx.list", "lists contexts")
            : call.Args.Contains("-d") ? Verdict.Service("kubectx.delete", "deletes a kubeconfig context") : Verdict.Service("kubectx.switch", "switches the kubeconfig's context"),
        ["kustomize"] = call => call.PositionalTexts("-o", "--output").FirstOrDefault() is "build" or "cfg" or "version" or null && !call.Has("-o", "--output")
            ? Verdict.Read("kustomize.build", "renders manifests") : Verdict.Service("kustomize.edit", "changes kustomization files"),
        ["k9s"] = call => call.Args.Any(a => a is "info" or "version" or "help" or "--help" or "-h") ? Verdict.Read("k9s.info", "prints k9s information")
            : call.Has("--readonly") ? Verdict.Read("k9s.readonly", "opens the cluster browser in read-only mode")
            : Verdict.Unknown("k9s.interactive", "opens an interactive cluster browser; what is done in it is not on the command line"),
    };
}
