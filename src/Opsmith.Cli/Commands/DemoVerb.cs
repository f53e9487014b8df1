using System.CommandLine;
using Opsmith.Application;
using Opsmith.Application.Agents;
using Opsmith.Cli.Output;
using Opsmith.Core.Skills;
using Opsmith.Lab.Faults;
using Opsmith.Lab.Hosts;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Audit;
using Opsmith.Storage.Sessions;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith demo</c>: the agent in one command. Brings the lab up, crashes the demo service on node1, lets the monitor
/// open an incident, and hands it to the staged agent: it diagnoses (showing its evidence), repairs through the normal
/// run path, verifies, and the demo prints the audit trail of what the agent did. The lab stays up to explore.
/// </summary>
public sealed class DemoVerb(CliContext context) : IVerb
{
    private const string Host = "node1";

    /// <summary>The agent the demo runs: the lab's example agent, pointed at the demo's lab.</summary>
    public const string AgentFile = "examples/lab/lab-sre.agent.yaml";

    public string[] Examples => ["sudo ./opsmith demo", "sudo ./opsmith demo --name demo2"];

    public Command Build()
    {
        var name = LabVerb.NameOption();
        var command = new Command("demo", "Bring up the fault lab, break a service, and watch the agent detect, diagnose, repair and verify it (needs root).") { name };
        command.SetAction((p, ct) => RunAsync(p.GetValue(name)!, ct));
        return command;
    }

    private async Task<int> RunAsync(string name, CancellationToken cancellationToken)
    {
        var agentFile = FindFile(AgentFile);
        if (agentFile is null) return context.Fail($"cannot find {AgentFile}; run the demo from the Opsmith checkout", ExitCodes.Invalid);
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

        LoadedAgent agent;
        await using (var loading = CliServices.Open())
        {
            var loaded = await new AgentLoader(loading).LoadAsync(agentFile, lab.InventoryPath, lab.PrometheusUrl, null, cancellationToken);
            if (loaded.Error is { } error) return CliServices.Fail(context, error);
            agent = loaded.Value!;
        }
        await using var services = new OpsmithServices(CliServices.Options(), new Actor(agent.Name, ActorKind.Agent));
        var started = services.Time.GetUtcNow();

        var injector = new FaultInjector(lab, LabVerb.OpsmithCommand());
        var (target, problem) = injector.Resolve("service-crash", Host, new Dictionary<string, string> { ["service"] = "demo" });
        if (target is null) return context.Fail(problem!, ExitCodes.Invalid);
        var checks = new HiddenChecks(lab);

        Step($"2. Injecting a fault: the demo service on {Host} is killed (SIGKILL)");
        await injector.InjectAsync(target, cancellationToken);
        await ShowChecksAsync(checks, target, "what users see now");

        Step($"3. The monitor checks the {agent.Definition.Invariants.Count} invariants of agent '{agent.Name}' ({Path.GetRelativePath(Environment.CurrentDirectory, agentFile)})");
        var pass = await new MonitorService(services).CheckOnceAsync(agent, cancellationToken);
        foreach (var red in pass.Snapshot.Red) context.Stdout.WriteLine($"   {say.Red("red")}  {TerminalText.OneLine(red.Invariant)}{(red.Host.Length > 0 ? " on " + red.Host : "")}");
        foreach (var opened in pass.Opened) context.Stdout.WriteLine($"   {say.Bold("incident " + opened.Id)} opened: {TerminalText.OneLine(opened.Summary)}");
        var incident = pass.Opened.Concat(pass.Seen).FirstOrDefault(i => i.Host == Host) ?? pass.Opened.Concat(pass.Seen).FirstOrDefault();
        if (incident is null) return context.Fail("the monitor saw nothing red; the fault did not show (see opsmith lab check)", ExitCodes.SkillFailed);

        Step($"4. The agent works incident {incident.Id}: detect → localize → diagnose → recover → verify, every step through the executor, policy engine and audit trail");
        var trigger = new AgentTrigger(TriggerKind.Incident, $"{incident.Summary}: {incident.Evidence}", incident.Id, incident.Host.Length > 0 ? [incident.Host] : []);
        var result = await new AgentService(services, p => context.Stdout.WriteLine(say.Dim($"   [{p.Stage.ToString().ToLowerInvariant()}] {TerminalText.OneLine(p.Text)}")))
            .RunAsync(new AgentRequest(agent, trigger, AgentRequest.AllStages, AllowMutation: true), cancellationToken);
        context.Stdout.WriteLine();
        SessionPrinter.Print(context, result.SessionId, result.Status, result.Summary, result.Trajectory);

        Step("5. The hidden checks again");
        var healthy = await ShowChecksAsync(checks, target, "what users see after the agent");

        Step($"6. The audit trail of what agent:{agent.Name} did (hash-chained; opsmith audit list --since 10m shows every record)");
        await PrintTrailAsync(services, started, cancellationToken);

        var ok = healthy && result.Status == SessionStatus.Resolved;
        context.Stdout.WriteLine();
        context.Stdout.WriteLine(ok
            ? say.Green($"The agent repaired the service from the symptom alone and verified it: incident {incident.Id} is resolved.")
            : say.Red($"The agent did not repair the service ({result.Status.ToWireName()}): {TerminalText.OneLine(result.Summary)}"));
        if (!ok) await RecoverQuietlyAsync(injector, target);
        var suffix = lab.Name == LabLayout.DefaultName ? "" : $" --name {lab.Name}";
        context.Stdout.WriteLine($"""

            The lab is still up. Explore it:
              ./opsmith incidents list                          what the monitor opened, and who resolved it
              ./opsmith agent sessions show {result.SessionId}             the agent's trajectory: evidence, hypotheses, actions
              ./opsmith lab inject disk-full --host node2{suffix}
              ./opsmith agent run {AgentFile} -i {lab.InventoryPath} --description "node2 fails to write events" --allow-mutation
              ./opsmith dashboard {AgentFile} -i {lab.InventoryPath}
              ./opsmith bench run --agent heuristic{suffix}            the benchmark (docs/benchmark.md)
              ./opsmith lab down{suffix}                        remove everything the lab made
            """);
        return ok ? ExitCodes.Ok : ExitCodes.SkillFailed;
    }

    private async Task RecoverQuietlyAsync(FaultInjector injector, FaultTarget target)
    {
        try { await injector.RecoverAsync(target, CancellationToken.None); }
        catch (LabException e) { context.Stderr.WriteLine($"recovering the fault failed: {e.Message}"); }
    }

    /// <summary>The agent's records since the demo started: incidents, its session, and every step above read with its decision.</summary>
    private async Task PrintTrailAsync(OpsmithServices services, DateTimeOffset since, CancellationToken ct)
    {
        var audit = await services.AuditAsync(ct);
        var records = await audit.ListAsync(new AuditQuery(Since: since, Limit: AuditQuery.MaxLimit), ct);
        var actor = services.Actor.ToString();
        var mine = records.Where(r => r.Actor == actor).ToList();
        var reads = mine.Count(r => r.Kind == AuditKind.Command && r.Facts.Tier is null or RiskTier.Read);
        foreach (var r in mine)
        {
            var shown = r.Kind switch
            {
                AuditKind.Incident or AuditKind.AgentSession => true,
                AuditKind.Decision or AuditKind.Command => r.Facts.Tier is { } tier && tier > RiskTier.Read,
                _ => false,
            };
            if (!shown) continue;
            var what = r.Kind switch
            {
                AuditKind.Decision => $"{r.Decision?.ToWireName()} {(r.Facts.Tier is { } t ? YamlNames.Of(t) : "")} {r.Skill}/{r.Facts.Step}",
                AuditKind.Command => $"ran {r.Skill}/{r.Facts.Step}: {r.Detail.Split('\n')[0]}",
                _ => r.Detail.Split('\n')[0],
            };
            context.Stdout.WriteLine($"   #{r.Sequence,-5} {r.Time:HH:mm:ss} {r.Kind.ToWireName(),-13} {(r.Host.Length > 0 ? r.Host : "-"),-6} {TerminalText.OneLine(Short(what))}");
        }
        context.Stdout.WriteLine(context.Out.Dim($"   and {reads} read-only commands (checks and diagnostics), each audited the same way"));
    }

    private static string Short(string text) => text.Length > 110 ? text[..110] + "…" : text;

    private async Task<bool> ShowChecksAsync(HiddenChecks checks, FaultTarget target, string caption)
    {
        var results = await checks.RunAsync(target.Context.Host, target.Checks, CancellationToken.None);
        context.Stdout.WriteLine(context.Out.Dim($"   hidden checks ({caption}):"));
        LabVerb.PrintChecks(context, results);
        return results.All(r => r.Healthy);
    }

    private void Step(string text) => context.Stdout.WriteLine(context.Out.Bold($"\n{text}"));

    /// <summary>A file of the checkout (such as examples/lab/lab-sre.agent.yaml), above the working folder or this program.</summary>
    public static string? FindFile(string relative)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

}
