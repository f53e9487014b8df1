namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Services and the machine: systemctl, service, reboot/shutdown, supervisorctl, pm2, nginx, apachectl.
/// Start, stop, restart and reload can be put back (service-mutation); killing and rebooting cannot (destructive).
/// </summary>
internal static class Services
{
    private static readonly HashSet<string> SystemctlRead =
    [
        "status", "show", "cat", "is-active", "is-enabled", "is-failed", "is-system-running", "list-units", "list-unit-files",
        "list-sockets", "list-timers", "list-jobs", "list-dependencies", "list-machines", "list-automounts", "list-paths",
        "get-default", "show-environment", "help", "whoami", "log-level", "log-target", "service-log-level",
    ];

    private static readonly HashSet<string> SystemctlDestructive =
        ["kill", "isolate", "reboot", "poweroff", "halt", "kexec", "emergency", "rescue", "default", "suspend", "hibernate", "hybrid-sleep", "suspend-then-hibernate", "soft-reboot", "switch-root", "exit"];

    private static readonly HashSet<string> SystemctlService =
    [
        "start", "stop", "restart", "reload", "try-restart", "reload-or-restart", "try-reload-or-restart", "condrestart", "force-reload", "enable", "disable",
        "reenable", "preset", "preset-all", "mask", "unmask", "link", "revert", "daemon-reload", "daemon-reexec", "set-property", "set-environment",
        "unset-environment", "import-environment", "edit", "add-wants", "add-requires", "reset-failed", "freeze", "thaw", "bind", "mount-image", "set-default", "clean", "enqueue-marked-jobs",
    ];

    /// <summary>Units whose stopping cuts the machine off: nobody can log in again to put it back.</summary>
    private static readonly HashSet<string> AccessUnits =
        ["ssh", "sshd", "ssh.service", "sshd.service", "ssh.socket", "sshd.socket", "systemd-networkd", "systemd-networkd.service", "networking", "networking.service", "network", "network.service", "NetworkManager", "NetworkManager.service", "systemd-logind", "systemd-logind.service", "dbus", "dbus.service", "tailscaled", "tailscaled.service", "wg-quick@wg0"];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = BuildRules();

    private static Dictionary<string, Func<Invocation, Verdict>> BuildRules()
    {
        var rules = new Dictionary<string, Func<Invocation, Verdict>>
        {
            ["systemctl"] = Systemctl,
            ["service"] = Service,
            ["shutdown"] = call => call.HasShort('c') || call.Has("--show") ? Verdict.Service("power.cancel", "cancels or shows a scheduled shutdown")
                : call.HasShort('k') ? Verdict.Service("power.warn", "only warns users") : Power(call),
            ["init"] = call => call.Args.FirstOrDefault() is "q" or "Q" or "u" or "U" ? Verdict.Service("init.reload", "makes init re-read its configuration") : Power(call),
            ["supervisorctl"] = call => Subcommand(call, "supervisorctl", read: ["status", "avail", "pid", "tail", "version", "help", "maintail", "fg"], destructive: ["shutdown", "clear"], skip: ["-c", "-s", "-u", "-p", "--configuration", "--serverurl", "--username", "--password"]),
            ["pm2"] = call => Subcommand(call, "pm2", read: ["list", "ls", "l", "status", "show", "describe", "info", "logs", "monit", "jlist", "prettylist", "env", "--version", "ping"], destructive: ["delete", "del", "kill", "flush"], skip: []),
            ["nginx"] = Nginx,
            ["apachectl"] = Apache,
            ["apache2ctl"] = Apache,
            ["httpd"] = Apache,
            ["haproxy"] = call => call.HasShort('c') || call.HasShort('v') || call.Has("-vv") ? Verdict.Read("haproxy.check", "checks the configuration or prints the version") : Verdict.Service("haproxy.start", "starts or reloads haproxy"),
            ["caddy"] = call => call.Args.FirstOrDefault() is "validate" or "version" or "list-modules" or "adapt" or "environ" or "build-info" || call.Args.FirstOrDefault() == "fmt" && !call.Has("--overwrite")
                ? Verdict.Read("caddy.check", "checks or prints configuration") : Verdict.Service("caddy.control", "starts, stops or reloads caddy"),
            ["rc-service"] = call => call.Args.Contains("status") || call.HasShort('l') ? Verdict.Read("rc-service.status", "shows service state") : Verdict.Service("rc-service.control", "starts, stops or restarts a service"),
            ["rc-update"] = call => call.Args.FirstOrDefault() is null or "show" ? Verdict.Read("rc-update.show", "lists runlevels") : Verdict.Service("rc-update.change", "changes which services start at boot"),
            ["update-rc.d"] = call => Verdict.Service("update-rc.d.change", "changes which services start at boot"),
            ["chkconfig"] = call => call.Has("--list") || call.Args.Count <= 1 ? Verdict.Read("chkconfig.list", "lists boot services") : Verdict.Service("chkconfig.change", "changes which services start at boot"),
            ["initctl"] = call => call.Args.FirstOrDefault() is "list" or "status" or "show-config" or "version" ? Verdict.Read("initctl.status", "shows job state") : Verdict.Service("initctl.control", "starts, stops or restarts a job"),
        };
        foreach (var name in new[] { "reboot", "poweroff", "halt", "kexec", "telinit" })
            rules[name] = name == "telinit" ? rules["init"] : Power;
        return rules;
    }

    private static Verdict Power(Invocation call) =>
        Verdict.Destructive("power.reboot", $"{call.Program} {string.Join(' ', call.Args)} stops or restarts the whole machine; everything running on it stops".TrimEnd());

    private static Verdict Systemctl(Invocation call)
    {
        var options = OptionSyntax.Parse(call.Args, "HMptsno", ["--host", "--machine", "--property", "--type", "--signal", "--state", "--lines", "--output", "--kill-whom", "--root", "--job-mode", "--what", "--timestamp", "--preset-mode", "--boot-loader-entry", "--reboot-argument", "--message", "--when", "--kill-value"], stopAtPositional: false);
        var verb = call.Args.Skip(options.FirstPositional).FirstOrDefault(a => !a.StartsWith('-')) ?? "list-units";
        if (options.Has("--version", "-h", "--help")) return Verdict.Read("systemctl.version", "prints version or help");
        var units = string.Join(' ', call.Args.Skip(options.FirstPositional + 1).Where(a => !a.StartsWith('-')));
        if (SystemctlRead.Contains(verb)) return Verdict.Read($"systemctl.{verb}", $"systemctl {verb} only reports state");
        if (SystemctlDestructive.Contains(verb))
            return Verdict.Destructive($"systemctl.{verb}", verb == "kill" ? $"kills the processes of {units}" : $"systemctl {verb} stops or switches the whole machine's state");
        if (verb == "clean")
        {
            var what = options.Value("--what") ?? "cache,runtime";
            return what.Contains("state") || what.Contains("all")
                ? Verdict.Data("systemctl.clean-state", $"deletes the state directories of {units}, where services keep their data")
                : Verdict.Destructive("systemctl.clean", $"deletes the {what} directories of {units}");
        }
        if (verb is "stop" or "disable" or "mask" or "kill" or "freeze" && call.Args.Skip(options.FirstPositional + 1).Any(u => AccessUnits.Contains(u) || u.StartsWith("sshd@", StringComparison.Ordinal)))
            return Verdict.Destructive("systemctl.cut-off-access", $"systemctl {verb} {units}: without it nobody can log in or reach the machine to put it back");
        if (!SystemctlService.Contains(verb)) return Verdict.Unknown("systemctl.unknown-verb", $"systemctl {verb} is not a verb the classifier knows");
        return Verdict.Service($"systemctl.{verb}", $"systemctl {verb} {units} changes a service in a way that can be put back".Replace("  ", " "));
    }

    private static Verdict Service(Invocation call)
    {
        if (call.Has("--status-all") || call.Args.Count == 0) return Verdict.Read("service.status", "lists services");
        var action = call.Args.Count > 1 ? call.Args[1] : "";
        if (action is "stop" && AccessUnits.Contains(call.Args[0])) return Verdict.Destructive("service.cut-off-access", $"stops {call.Args[0]}: without it nobody can log in or reach the machine to put it back");
        return action is "status" or "" ? Verdict.Read("service.status", "shows a service's state")
            : Verdict.Service($"service.{action}", $"service {call.Args[0]} {action} changes a service in a way that can be put back");
    }

    private static Verdict Nginx(Invocation call)
    {
        var signal = call.Value("-s");
        if (signal is not null) return Verdict.Service($"nginx.{signal}", $"sends nginx the {signal} signal");
        if (call.HasShort('t') || call.HasShort('T') || call.HasShort('v') || call.HasShort('V') || call.HasShort('h') || call.Has("-?"))
            return Verdict.Read("nginx.check", "tests the configuration or prints the version");
        return Verdict.Service("nginx.start", "starts nginx");
    }

    private static Verdict Apache(Invocation call)
    {
        var first = call.Args.FirstOrDefault() ?? "";
        if (first is "configtest" or "-t" or "-S" or "-M" or "-v" or "-V" or "-l" or "-L" or "status" or "fullstatus" or "-h" || first == "-D" && call.Args.ElementAtOrDefault(1)?.StartsWith("DUMP", StringComparison.Ordinal) == true)
            return Verdict.Read("apache.check", "tests the configuration or prints state");
        return Verdict.Service("apache.control", $"{call.Program} {first} starts, stops or reloads the web server".Replace("  ", " "));
    }

    /// <summary>Tools shaped <c>TOOL [OPTIONS] SUBCOMMAND ...</c> where anything not listed changes a service.</summary>
    private static Verdict Subcommand(Invocation call, string program, string[] read, string[] destructive, string[] skip)
    {
        var sub = call.PositionalTexts(skip).FirstOrDefault() ?? (call.Args.FirstOrDefault() ?? "");
        if (sub.Length == 0 || read.Contains(sub)) return Verdict.Read($"{program}.{(sub.Length == 0 ? "status" : sub.TrimStart('-'))}", $"{program} {sub} only reports");
        if (destructive.Contains(sub)) return Verdict.Destructive($"{program}.{sub}", $"{program} {sub} cannot be undone");
        return Verdict.Service($"{program}.{sub}", $"{program} {sub} changes a service in a way that can be put back");
    }
}
