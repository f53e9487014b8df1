using System.CommandLine;
using Opsmith.Lab.Faults;
using Opsmith.Lab.Hosts;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith demo</c>: the tour in one command. Brings the lab up, crashes the demo service on node1, shows
/// the hidden check going red, runs the catalog's recovery skill through the normal run path, and shows the
/// check green again. The lab stays up to explore.
/// </summary>
public sealed class DemoVerb(CliContext context) : IVerb
{
    private const string Host = "node1";

    public string[] Examples => ["sudo ./opsmith demo", "sudo ./opsmith demo --name demo2"];

    public Command Build()
    {
        var name = LabVerb.NameOption();
        var command = new Command("demo", "Bring up the fault lab, break a service, and watch a catalog skill repair it (needs root).") { name };
        command.SetAction((p, ct) => RunAsync(p.GetValue(name)!, ct));
        return command;
    }

    private async Task<int> RunAsync(string name, CancellationToken cancellationToken)
    {
        var skill = FindSkill("restart-systemd-unit.yaml");
        if (skill is null) return context.Fail("cannot find skills/restart-systemd-unit.yaml; run the demo from the Opsmith checkout", ExitCodes.Invalid);
        if (await LabController.PrepareMachineAsync(line => context.Stderr.WriteLine(context.Out.Dim(line)), cancellationToken) is { } missing)
            return context.Fail($"the demo builds a lab of network namespaces on this machine, and {missing}", ExitCodes.Invalid);
        var say = context.Out;
        var lab = LabVerb.ExistingLayout(name);
        if (!new LabController(lab, [], _ => { }).IsUp)
        {
            Step("1. Bringing the lab up (a bastion and three nodes, each a network namespace with sshd and real services)");
            var up = await new LabVerb(context).UpAsync(name, LabLayout.DefaultHostCount, cancellationToken);
            if (up != ExitCodes.Ok) return up;
            lab = LabVerb.ExistingLayout(name);
        }
        else Step($"1. Lab '{lab.Name}' is already up");

        var injector = new FaultInjector(lab, LabVerb.OpsmithCommand());
        var (target, problem) = injector.Resolve("service-crash", Host, new Dictionary<string, string> { ["service"] = "demo" });
        if (target is null) return context.Fail(problem!, ExitCodes.Invalid);
        var checks = new HiddenChecks(lab);

        Step($"2. Injecting a fault: the demo service on {Host} is killed (SIGKILL)");
        await injector.InjectAsync(target, cancellationToken);
        await ShowChecksAsync(checks, target, "what users see now");

        Step($"3. Running the catalog skill {Path.GetRelativePath(Environment.CurrentDirectory, skill)} on {Host}, through the executor, policy engine and audit trail");
        var run = await OpsmithCli.RunAsync(
            ["run", skill, "-i", lab.InventoryPath, "--input", $"host={Host}", "--input", "unit=opsmith-demo.service", "--execute"],
            context.Stdout, context.Stderr, cancellationToken, context.Hurried);

        Step("4. The hidden checks again");
        var healthy = await ShowChecksAsync(checks, target, "what users see after the skill");
        context.Stdout.WriteLine();
        context.Stdout.WriteLine(healthy && run == ExitCodes.Ok
            ? say.Green("The skill repaired the service: the hidden checks are green again.")
            : say.Red("The service is not healthy again; see the run's output above."));
        var suffix = lab.Name == LabLayout.DefaultName ? "" : $" --name {lab.Name}";
        context.Stdout.WriteLine($"""

            The lab is still up. Explore it:
              ./opsmith lab status{suffix}                      hosts, services, active faults
              ./opsmith lab faults                              the fault catalog
              ./opsmith lab inject disk-full --host node2{suffix}
              ./opsmith run skills/check-disk-usage.yaml -i {lab.InventoryPath} --input host=node2
              ./opsmith audit list --since 1h                   what the demo's run did, hash-chained
              ./opsmith bench run --agent none                  the benchmark (docs/benchmark.md)
              ./opsmith lab down{suffix}                        remove everything the lab made
            """);
        return healthy && run == ExitCodes.Ok ? ExitCodes.Ok : ExitCodes.SkillFailed;
    }

    private async Task<bool> ShowChecksAsync(HiddenChecks checks, FaultTarget target, string caption)
    {
        var results = await checks.RunAsync(target.Context.Host, target.Checks, CancellationToken.None);
        context.Stdout.WriteLine(context.Out.Dim($"   hidden checks ({caption}):"));
        LabVerb.PrintChecks(context, results);
        return results.All(r => r.Healthy);
    }

    private void Step(string text) => context.Stdout.WriteLine(context.Out.Bold($"\n{text}"));

    /// <summary>The catalog skill, next to the working folder or the checkout this Opsmith was built from.</summary>
    public static string? FindSkill(string file)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "skills", file);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

}
