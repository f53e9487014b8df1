using System.CommandLine;
using Opsmith.Application;
using Opsmith.Cli.Output;
using Opsmith.Lab.DemoService;
using Opsmith.Lab.Faults;
using Opsmith.Lab.Hosts;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith lab ...</c>: a multi-host lab on this machine (network namespaces with sshd and real services),
/// its faults and hidden checks. See docs/lab.md.
/// </summary>
public sealed class LabVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "sudo opsmith lab up",
        "opsmith lab status",
        "opsmith lab check",
        "opsmith lab faults",
        "opsmith lab inject service-crash --host node1 --param service=nginx",
        "opsmith lab recover service-crash --host node1 --param service=nginx",
        "opsmith lab down",
    ];

    /// <summary>How to start this same Opsmith (the lab runs it on its nodes as the demo service and hogs).</summary>
    public static IReadOnlyList<string> OpsmithCommand()
    {
        var process = Environment.ProcessPath ?? "opsmith";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, typeof(LabVerb).Assembly.Location]
            : [process];
    }

    /// <summary>A lab's layout. Labs are machine-wide (their namespaces and addresses are), so their folder is too: the same for every OPSMITH_HOME.</summary>
    public static LabLayout Layout(string name, int hosts) => LabLayout.For(name, hosts, LabLayout.MachineLabsDirectory);

    /// <summary>The layout of an existing lab: its host count comes from its state file (default when absent).</summary>
    public static LabLayout ExistingLayout(string name)
    {
        var probe = Layout(name, LabLayout.DefaultHostCount);
        return LabState.Read(probe.StatePath) is { Hosts: >= 2 and <= LabLayout.MaxHostCount } state ? Layout(name, state.Hosts) : probe;
    }

    public static Option<string> NameOption() => new("--name")
    {
        Description = "Which lab (several can run side by side).",
        DefaultValueFactory = _ => LabLayout.DefaultName,
    };

    public Command Build()
    {
        var command = new Command("lab", "A fault lab on this machine: hosts as network namespaces with sshd and real services, faults and hidden checks.");
        command.Subcommands.Add(Up());
        command.Subcommands.Add(Down());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Check());
        command.Subcommands.Add(Faults());
        command.Subcommands.Add(FaultVerb("inject", "Inject a fault on a lab node."));
        command.Subcommands.Add(FaultVerb("recover", "Undo a fault on a lab node (idempotent)."));
        command.Subcommands.Add(DemoService());
        command.Subcommands.Add(Hog());
        return command;
    }

    private Command Up()
    {
        var name = NameOption();
        var hosts = new Option<int>("--hosts") { Description = $"Hosts including the bastion (2 to {LabLayout.MaxHostCount}).", DefaultValueFactory = _ => LabLayout.DefaultHostCount };
        var command = new Command("up", "Create a lab (cleaning leftovers of an earlier one first), or use it as it is when it is already up. Needs root.") { name, hosts };
        command.SetAction((p, ct) => UpAsync(p.GetValue(name)!, p.GetValue(hosts), ct));
        return command;
    }

    public async Task<int> UpAsync(string name, int hosts, CancellationToken cancellationToken)
    {
        if (LabLayout.NameProblem(name) is { } problem) return context.Fail(problem, ExitCodes.Usage);
        if (hosts < 2 || hosts > LabLayout.MaxHostCount) return context.Fail($"--hosts must be 2 to {LabLayout.MaxHostCount}", ExitCodes.Usage);
        if (await LabController.PrepareMachineAsync(line => context.Stderr.WriteLine(context.Out.Dim(line)), cancellationToken) is { } missing)
            return context.Fail(missing, ExitCodes.Invalid);
        var lab = ExistingLayout(name);
        var controller = new LabController(lab, OpsmithCommand(), line => context.Stderr.WriteLine(context.Out.Dim(line)));
        try
        {
            if (controller.IsUp)
            {
                // Labs are machine-wide: one made from another OPSMITH_HOME (or by another person) is the same lab.
                // Tearing it down would pull it from under whoever uses it, so it is used as it is.
                var madeBy = LabState.Read(lab.StatePath) is { } state ? $" (made by {state.MadeBy} at {state.Created:yyyy-MM-dd HH:mm}Z)" : "";
                if (lab.Hosts.Count != hosts)
                    return context.Fail($"lab '{lab.Name}' is already up with {lab.Hosts.Count} hosts{madeBy}, not {hosts}; " +
                        $"use it as it is (--hosts {lab.Hosts.Count}) or remove it first with 'sudo ./opsmith lab down{NameSuffix(lab)}'", ExitCodes.Invalid);
                context.Stderr.WriteLine(context.Out.Dim($"Lab '{lab.Name}' is already up{madeBy}; using it as it is " +
                    $"('sudo ./opsmith lab down{NameSuffix(lab)}' first for a fresh one)"));
            }
            else
            {
                lab = Layout(name, hosts);
                controller = new LabController(lab, OpsmithCommand(), line => context.Stderr.WriteLine(context.Out.Dim(line)));
                await controller.UpAsync(LabState.Maker(OpsmithPaths.FromEnvironment().DataDirectory), cancellationToken);
            }
            context.Stderr.WriteLine(context.Out.Dim("Waiting for every hidden check to turn green"));
            var checks = await new HiddenChecks(lab).WaitForGreenAsync(TimeSpan.FromSeconds(90), cancellationToken);
            var red = checks.Where(c => !c.Healthy).ToList();
            context.Stdout.WriteLine(context.Out.Green($"Lab '{lab.Name}' is up: {lab.Hosts.Count} hosts on {lab.Subnet}."));
            foreach (var host in lab.Hosts)
                context.Stdout.WriteLine($"  {host.Name,-8} {(host == lab.Bastion ? lab.BastionOuterAddress : host.Address),-14} {RolesText(host)}");
            context.Stdout.WriteLine($"Inventory:  {lab.InventoryPath}");
            context.Stdout.WriteLine($"Prometheus: {lab.PrometheusUrl}");
            context.Stdout.WriteLine($"Try:        opsmith run skills/check-nginx-health.yaml -i {lab.InventoryPath} --input host=node1");
            context.Stdout.WriteLine($"            opsmith lab check{NameSuffix(lab)}   opsmith lab faults   opsmith lab down{NameSuffix(lab)}");
            if (red.Count > 0)
            {
                PrintChecks(red);
                return context.Fail($"{red.Count} hidden checks are still red after 90 s", ExitCodes.SkillFailed);
            }
            return ExitCodes.Ok;
        }
        catch (LabException e)
        {
            return context.Fail($"lab up: {e.Message}\nThe lab is partly built; 'opsmith lab down{NameSuffix(lab)}' removes it.", ExitCodes.Invalid);
        }
    }

    private static string NameSuffix(LabLayout lab) => lab.Name == LabLayout.DefaultName ? "" : $" --name {lab.Name}";

    private static string RolesText(LabHost host) => string.Join(", ", new[]
    {
        host.Is(HostRoles.Bastion) ? "bastion (jump host)" : null,
        host.Is(HostRoles.Prometheus) ? "prometheus" : null,
        host.Is(HostRoles.Web) ? "nginx" : null,
        host.Is(HostRoles.Demo) ? "opsmith-demo" : null,
        host.Is(HostRoles.Redis) ? "redis" : null,
        host.Is(HostRoles.Postgres) ? "postgresql" : null,
        host.Is(HostRoles.Bastion) ? null : "node-exporter",
    }.Where(r => r is not null));

    private Command Down()
    {
        var name = NameOption();
        var command = new Command("down", "Remove a lab: every namespace, process, mount, interface and file it made.") { name };
        command.SetAction((p, ct) => DownAsync(p.GetValue(name)!, ct));
        return command;
    }

    private async Task<int> DownAsync(string name, CancellationToken cancellationToken)
    {
        if (LabLayout.NameProblem(name) is { } problem) return context.Fail(problem, ExitCodes.Usage);
        if (!Environment.IsPrivilegedProcess) return context.Fail("lab down needs root, like lab up", ExitCodes.Invalid);
        var lab = ExistingLayout(name);
        try
        {
            var removed = await new LabController(lab, OpsmithCommand(), _ => { }).DownAsync(cancellationToken);
            context.Stdout.WriteLine(removed.Count == 0
                ? $"Lab '{lab.Name}' is not up; nothing to remove."
                : $"Lab '{lab.Name}' removed: {string.Join(", ", removed)}.");
            return ExitCodes.Ok;
        }
        catch (LabException e)
        {
            return context.Fail($"lab down: {e.Message}", ExitCodes.Invalid);
        }
    }

    private Command Status()
    {
        var name = NameOption();
        var output = CliContext.OutputOption();
        var command = new Command("status", "Show each host of a lab, its services and active faults.") { name, output };
        command.SetAction((p, ct) => StatusAsync(p.GetValue(name)!, p.GetValue(output), ct));
        return command;
    }

    private async Task<int> StatusAsync(string name, OutputFormat format, CancellationToken cancellationToken)
    {
        if (RequireRunningLab(name) is not { } lab) return ExitCodes.Invalid;
        var statuses = await new LabController(lab, OpsmithCommand(), _ => { }).StatusAsync(cancellationToken);
        var exit = statuses.All(s => s.Running) ? ExitCodes.Ok : ExitCodes.SkillFailed;
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new
            {
                lab = lab.Name, subnet = lab.Subnet, inventory = lab.InventoryPath,
                hosts = statuses.Select(s => new
                {
                    host = s.Host.Name, address = s.Host.Address, running = s.Running,
                    units = s.Units.Select(u => new { unit = u.Unit, state = u.State }), faults = s.ActiveFaults,
                }),
            });
            return exit;
        }
        context.Stdout.WriteLine($"Lab '{lab.Name}' ({lab.Subnet}); inventory {lab.InventoryPath}");
        foreach (var status in statuses)
        {
            if (!status.Running) { context.Stdout.WriteLine($"  {status.Host.Name,-8} {context.Out.Red("down")}"); continue; }
            var units = string.Join("  ", status.Units.Select(u => u.State == "active"
                ? context.Out.Green(u.Unit.Replace(".service", ""))
                : context.Out.Red($"{u.Unit.Replace(".service", "")} ({u.State})")));
            var faults = status.ActiveFaults.Count == 0 ? "" : context.Out.Yellow($"  faults: {string.Join(", ", status.ActiveFaults)}");
            context.Stdout.WriteLine($"  {status.Host.Name,-8} {status.Host.Address,-14} {units}{faults}");
        }
        return exit;
    }

    private Command Check()
    {
        var name = NameOption();
        var host = new Option<string?>("--host") { Description = "Only this node." };
        var output = CliContext.OutputOption();
        var command = new Command("check", "Run the hidden checks (what users see) on every node; exit 0 only when all are green.") { name, host, output };
        command.SetAction((p, ct) => CheckAsync(p.GetValue(name)!, p.GetValue(host), p.GetValue(output), ct));
        return command;
    }

    private async Task<int> CheckAsync(string name, string? hostName, OutputFormat format, CancellationToken cancellationToken)
    {
        if (RequireRunningLab(name) is not { } lab) return ExitCodes.Invalid;
        var checks = new HiddenChecks(lab);
        IReadOnlyList<HiddenCheckResult> results;
        if (hostName is null) results = await checks.RunAllAsync(cancellationToken);
        else if (lab.Find(hostName) is { } host && !host.Is(HostRoles.Bastion)) results = await checks.RunAsync(host, HiddenChecks.For(host), cancellationToken);
        else return context.Fail($"'{hostName}' is not a node of lab '{lab.Name}' (nodes: {string.Join(", ", lab.Nodes.Select(n => n.Name))})", ExitCodes.Usage);
        if (format == OutputFormat.Json)
            JsonOutput.Write(context.Stdout, results.Select(r => new { host = r.Host, check = r.Check, healthy = r.Healthy, detail = r.Detail, seconds = Math.Round(r.Duration.TotalSeconds, 2) }));
        else
        {
            PrintChecks(results);
            var red = results.Count(r => !r.Healthy);
            context.Stdout.WriteLine(red == 0 ? context.Out.Green($"All {results.Count} hidden checks are green.") : context.Out.Red($"{red} of {results.Count} hidden checks are red."));
        }
        return results.All(r => r.Healthy) ? ExitCodes.Ok : ExitCodes.SkillFailed;
    }

    private void PrintChecks(IEnumerable<HiddenCheckResult> results) => PrintChecks(context, results);

    /// <summary>One line per hidden check: green/red, host, check, what it saw.</summary>
    public static void PrintChecks(CliContext context, IEnumerable<HiddenCheckResult> results)
    {
        foreach (var r in results)
            context.Stdout.WriteLine($"  {(r.Healthy ? context.Out.Green("green") : context.Out.Red("red  "))}  {r.Host,-8} {r.Check,-9} {r.Detail.Replace('\n', ' ')}");
    }

    private Command Faults()
    {
        var output = CliContext.OutputOption();
        var command = new Command("faults", "List the fault types the lab can inject, their parameters and hidden checks.") { output };
        command.SetAction(p =>
        {
            if (p.GetValue(output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Stdout, FaultCatalog.All.Select(f => new
                {
                    name = f.Name, summary = f.Summary, mechanism = f.Mechanism,
                    parameters = f.Parameters.Select(x => new { name = x.Name, @default = x.Default, description = x.Description }),
                }));
                return ExitCodes.Ok;
            }
            foreach (var fault in FaultCatalog.All)
            {
                context.Stdout.WriteLine(context.Out.Bold(fault.Name));
                context.Stdout.WriteLine($"    {fault.Summary}");
                context.Stdout.WriteLine(context.Out.Dim($"    how: {fault.Mechanism}"));
                foreach (var parameter in fault.Parameters)
                    context.Stdout.WriteLine($"    --param {parameter.Name}=...  {parameter.Description}{(parameter.Default.Length > 0 ? $" (default {parameter.Default})" : "")}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private Command FaultVerb(string verb, string description)
    {
        var fault = new Argument<string>("FAULT") { Description = "Fault type (see 'opsmith lab faults')." };
        var host = new Option<string>("--host") { Description = "The node.", Required = true };
        var parameters = new Option<string[]>("--param") { Description = "Fault parameter NAME=VALUE (repeatable).", AllowMultipleArgumentsPerToken = false };
        var name = NameOption();
        var command = new Command(verb, description) { fault, host, parameters, name };
        command.SetAction((p, ct) => FaultAsync(verb, p.GetValue(fault)!, p.GetValue(host)!, p.GetValue(parameters) ?? [], p.GetValue(name)!, ct));
        return command;
    }

    private async Task<int> FaultAsync(string verb, string faultName, string hostName, string[] parameters, string name, CancellationToken cancellationToken)
    {
        if (RequireRunningLab(name) is not { } lab) return ExitCodes.Invalid;
        var values = new Dictionary<string, string>();
        foreach (var parameter in parameters)
        {
            var eq = parameter.IndexOf('=');
            if (eq <= 0) return context.Fail($"--param '{parameter}' must be NAME=VALUE", ExitCodes.Usage);
            values[parameter[..eq]] = parameter[(eq + 1)..];
        }
        var injector = new FaultInjector(lab, OpsmithCommand());
        var (target, problem) = injector.Resolve(faultName, hostName, values);
        if (target is null) return context.Fail(problem!, ExitCodes.Usage);
        try
        {
            var said = verb == "inject" ? await injector.InjectAsync(target, cancellationToken) : await injector.RecoverAsync(target, cancellationToken);
            context.Stdout.WriteLine($"{(verb == "inject" ? "Injected" : "Recovered")} {target.Describe()}.{(said.Length > 0 ? " " + said.Replace('\n', ' ') : "")}");
            context.Stdout.WriteLine(context.Out.Dim($"Hidden checks for it: {string.Join(", ", target.Checks)} (opsmith lab check --host {hostName}{NameSuffix(lab)})"));
            return ExitCodes.Ok;
        }
        catch (LabException e)
        {
            return context.Fail(e.Message, ExitCodes.SkillFailed);
        }
    }

    private Command DemoService()
    {
        var listen = new Option<string>("--listen") { DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var redis = new Option<string>("--redis") { DefaultValueFactory = _ => "127.0.0.1:6379" };
        var journal = new Option<string>("--journal") { Required = true };
        var node = new Option<string>("--node") { DefaultValueFactory = _ => Environment.MachineName };
        var command = new Command("demo-service", "Run the lab's demo service (the lab starts it on every node).") { listen, redis, journal, node };
        command.Hidden = true;
        command.SetAction(async (p, ct) =>
        {
            var (redisHost, redisPort) = SplitHostPort(p.GetValue(redis)!);
            await DemoServiceHost.RunAsync(new DemoServiceOptions(p.GetValue(listen)!, redisHost, redisPort, p.GetValue(journal)!, p.GetValue(node)!), context.Stdout, ct);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static (string, int) SplitHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], out var port) ? (value[..colon], port) : (value, 6379);
    }

    private Command Hog()
    {
        var kind = new Argument<string>("KIND") { Description = "cpu or memory" };
        kind.AcceptOnlyFromAmong("cpu", "memory");
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 1 };
        var megabytes = new Option<int>("--megabytes") { DefaultValueFactory = _ => 512 };
        var command = new Command("hog", "Burn CPU or hold memory until stopped (the lab's cpu-hog and memory-hog faults).") { kind, threads, megabytes };
        command.Hidden = true;
        command.SetAction(async (p, ct) =>
        {
            try
            {
                if (p.GetValue(kind) == "cpu") await Hogs.BurnCpuAsync(p.GetValue(threads), ct);
                else await Hogs.HoldMemoryAsync(p.GetValue(megabytes), ct);
            }
            catch (OperationCanceledException) { }
            return ExitCodes.Ok;
        });
        return command;
    }

    private LabLayout? RequireRunningLab(string name)
    {
        if (LabLayout.NameProblem(name) is { } problem) { context.Fail(problem, ExitCodes.Usage); return null; }
        if (!Environment.IsPrivilegedProcess) { context.Fail("the lab commands need root (they enter the lab's namespaces)", ExitCodes.Invalid); return null; }
        var lab = ExistingLayout(name);
        if (!new LabController(lab, [], _ => { }).IsUp)
        {
            context.Fail($"lab '{name}' is not up; start it with 'sudo ./opsmith lab up{NameSuffix(lab)}'", ExitCodes.Invalid);
            return null;
        }
        return lab;
    }

}
