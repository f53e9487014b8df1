namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// docker, podman, nerdctl, docker-compose, crictl, ctr. Listing and inspecting read; starting, stopping and
/// pulling are service-mutation; removing containers, images and networks is destructive; removing
/// volumes (docker volume rm/prune, rm -v, compose down -v, system prune --volumes) is data-mutation.
/// </summary>
internal static class Containers
{
    private static readonly string[] GlobalOptions = ["-H", "--host", "--context", "-c", "--config", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey", "--url", "--connection", "--identity", "--root", "--runroot", "-f", "--file", "-p", "--project-name", "--project-directory", "--env-file", "--profile", "-n", "--namespace", "--address", "-a", "-r", "--runtime-endpoint", "-i", "--image-endpoint", "--filter", "--format"];

    private static readonly HashSet<string> ServiceVerbs =
    [
        "start", "stop", "restart", "pause", "unpause", "pull", "push", "build", "tag", "create", "update", "commit", "cp", "login", "logout", "rename",
        "up", "scale", "connect", "load", "import", "use", "install", "enable", "disable", "upgrade", "init", "join", "promote", "demote", "rollback",
        "deploy", "bake", "set", "mount", "unmount", "checkpoint", "restore", "run", "apply", "attach", "add", "sign", "watch", "publish", "alpha", "wait",
        "stopp", "startp", "runp", "rmi", "pods", "stats", "imagefsinfo",
    ];

    private static readonly HashSet<string> ReadVerbs =
        ["ps", "ls", "list", "images", "inspect", "services", "image", "container", "logs", "top", "port", "stats", "version", "info", "events", "diff", "history", "search", "wait", "export", "save", "df", "config", "du", "show", "convert", "pods", "inspectp", "inspecti", "imagefsinfo", "statsp", "help", "--version", "-v"];

    private static readonly HashSet<string> DestructiveVerbs = ["rm", "remove", "rmi", "kill", "prune", "down", "leave", "disconnect", "rmp", "stop-all", "delete", "del", "stopp"];

    private static readonly HashSet<string> Objects =
        ["container", "image", "volume", "network", "system", "compose", "builder", "buildx", "context", "plugin", "secret", "config", "service", "stack", "node", "swarm", "trust", "manifest", "checkpoint", "pod", "machine", "containers", "images", "tasks", "snapshots", "content", "namespaces"];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = new()
    {
        ["docker"] = call => Judge(call, call.Program),
        ["podman"] = call => Judge(call, call.Program),
        ["nerdctl"] = call => Judge(call, call.Program),
        ["docker-compose"] = call => Judge(call, call.Program, composeProgram: true),
        ["podman-compose"] = call => Judge(call, call.Program, composeProgram: true),
        ["crictl"] = call => Judge(call, call.Program),
        ["ctr"] = call => Judge(call, call.Program),
    };

    private static Verdict Judge(Invocation call, string family, bool composeProgram = false)
    {
        var indexes = call.PositionalIndexes(GlobalOptions);
        var texts = indexes.Select(i => call.Args[i]).ToList();
        if (texts.Count == 0) return Verdict.Read($"{family}.help", "prints help or version");
        var obj = composeProgram ? "compose" : Objects.Contains(texts[0]) && !(family is "docker" or "podman" or "nerdctl" && texts[0] is "images" or "containers") ? texts[0] : "";
        var verbIndex = composeProgram ? 0 : obj.Length > 0 ? 1 : 0;
        var verb = verbIndex < texts.Count ? texts[verbIndex] : "ls";
        var rule = composeProgram ? $"{call.Program}.{verb}" : obj.Length > 0 ? $"{family}.{obj}-{verb}" : $"{family}.{verb}";
        var removesVolumes = call.Has("-v", "--volumes") || call.HasShort('v') && verb is "rm" or "down";

        if (verb is "exec" or "run" && obj is "compose" || verb == "exec")
            return Exec(call, call.Words.Skip(indexes[verbIndex] + 1).ToList(), family, compose: obj == "compose", run: verb == "run");
        if (verb == "run" || verb == "create" && obj is "" or "container")
            return Run(call, rule);
        if (obj is "volume" && (DestructiveVerbs.Contains(verb) || verb == "rm"))
            return Verdict.Data(rule, $"{family} volume {verb} deletes volumes and the data in them");
        if (verb is "export" or "save" && call.Value("-o", "--output") is { } output)
            return Targets.Write(Shell.ShellWord.Literal(output), $"{family}-{verb}", replaces: true);
        if (verb is "export" && obj is "context" && texts.ElementAtOrDefault(verbIndex + 2) is not "-")
            return Targets.Write(Shell.ShellWord.Literal(texts.ElementAtOrDefault(verbIndex + 2) ?? $"{texts.ElementAtOrDefault(verbIndex + 1)}.dockercontext"), $"{family}-context-export", replaces: true);
        if (verb is "attach" || verb is "secret" && obj == "" )
            return Verdict.Unknown(rule, $"{family} {verb} attaches to a container's input; what is typed there is not on the command line");
        if (ReadVerbs.Contains(verb) && !(obj == "system" && verb == "prune"))
            return Verdict.Read(rule, $"{family} {obj} {verb} only reads".Replace("  ", " "));
        if (DestructiveVerbs.Contains(verb))
        {
            if (removesVolumes && verb is "rm" or "down" or "prune" || obj == "system" && verb == "prune" && call.Has("--volumes"))
                return Verdict.Data($"{rule}-volumes", $"{family} {obj} {verb} also deletes volumes and the data in them".Replace("  ", " "));
            return Verdict.Destructive(rule, $"{family} {obj} {verb} removes or kills what it names; it cannot be put back".Replace("  ", " "));
        }
        if (!ServiceVerbs.Contains(verb)) return Verdict.Unknown(rule, $"{family} {obj} {verb} is not a command the classifier knows".Replace("  ", " "));
        return Verdict.Service(rule, $"{family} {obj} {verb} changes containers in a way that can be put back".Replace("  ", " "));
    }

    private static Verdict Exec(Invocation call, IReadOnlyList<Shell.ShellWord> afterVerb, string family, bool compose, bool run)
    {
        // docker exec [OPTIONS] CONTAINER CMD...; compose exec/run [OPTIONS] SERVICE CMD...
        var options = OptionSyntax.Parse(afterVerb.Select(w => w.Text).ToList(), "euwp", ["--env", "--env-file", "--user", "--workdir", "--detach-keys", "--index", "--name", "--entrypoint", "--volume", "--publish", "-v"]);
        var rest = afterVerb.Skip(options.FirstPositional).ToList();
        if (rest.Count == 0) return Verdict.Read($"{family}.exec-nothing", "no container given");
        var passesStdin = compose || options.Has("-i", "--interactive");
        var verdict = ExecInto.Judge(call, rest[0].Text, rest.Skip(1).ToList(), passesStdin, family);
        return run ? Verdict.Max(verdict, Verdict.Service($"{family}.compose-run", "starts a one-off container")) : verdict;
    }

    private static Verdict Run(Invocation call, string rule)
    {
        var volumes = call.Values("-v", "--volume", "--mount");
        var hostRoot = volumes.Any(v => v.StartsWith("/:", StringComparison.Ordinal) || v.Contains("source=/,") || v.Contains("docker.sock"));
        var hostNamespace = call.Values("--pid", "--ipc", "--userns").Contains("host") || call.Has("--pid=host");
        if (call.Has("--privileged") || hostRoot || hostNamespace)
            return Verdict.Destructive($"{rule}-privileged", "runs a container with the host's root filesystem, docker socket or namespaces; it can change anything on the host");
        if (volumes.Any(v => Paths.Kind(v.Split(':')[0], exact: true) is PathKind.Data or PathKind.DataAncestor))
            return Verdict.Data($"{rule}-data-volume", "runs a container with a data directory mounted; what it does to that data is not on the command line");
        var runOptions = OptionSyntax.Parse(call.Args.Skip(call.Args.ToList().FindIndex(a => a is "run" or "create") + 1).ToList(), "evpwuhlmc",
            ["--env", "--volume", "--publish", "--name", "--workdir", "--user", "--network", "--net", "--entrypoint", "--memory", "--cpus", "--label", "--env-file", "--mount",
             "--restart", "--hostname", "--add-host", "--dns", "--log-driver", "--log-opt", "--device", "--cap-add", "--cap-drop", "--security-opt", "--ulimit", "--tmpfs",
             "--pid", "--ipc", "--userns", "--platform", "--pull", "--stop-signal", "--stop-timeout", "--health-cmd", "--gpus", "--shm-size", "--expose", "--link",
             "--runtime", "--cidfile", "--cgroupns", "--cpu-shares", "--cpuset-cpus", "--memory-swap", "--network-alias", "--uts", "--annotation", "--attach", "--detach-keys"]);
        var start = call.Args.ToList().FindIndex(a => a is "run" or "create") + 1 + runOptions.FirstPositional;
        var command = call.Words.Skip(start + 1).ToList();
        if (runOptions.Value("--entrypoint") is { } entrypoint) command = [Shell.ShellWord.Literal(entrypoint), .. command];
        if (command.Count > 0)
            call.Session.Run(command, [], runOptions.Has("-i", "--interactive") ? call.Stdin : Stdin.None, [.. call.Via, $"{call.Program} run {call.Args.ElementAtOrDefault(start)}"]);
        else if (runOptions.Has("-i", "--interactive") && runOptions.Has("-t", "--tty"))
            return Verdict.Unknown($"{rule}-interactive", "starts a container with an interactive shell; what is typed there is not on the command line");
        return Verdict.Service(rule, "starts a container (the command it runs is judged on its own)");
    }
}
