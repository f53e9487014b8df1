using System.CommandLine;
using Opsmith.Cli.Output;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Lab.Bench;
using Opsmith.Lab.Faults;
using Opsmith.Lab.Hosts;

namespace Opsmith.Cli.Commands;

/// <summary><c>opsmith bench run</c>: score an agent on the fault lab against hidden checks. See docs/benchmark.md.</summary>
public sealed class BenchVerb(CliContext context) : IVerb
{
    public const string DefaultSuite = "bench/suites/standard.yaml";

    public string[] Examples =>
    [
        "sudo opsmith bench run --agent none",
        "sudo opsmith bench run --agent script:bench/agents/catalog.yaml --trials 3 --output bench-results/catalog",
        "sudo opsmith bench run --agent heuristic --trials 3",
        "sudo opsmith bench run --agent heuristic --agent-file examples/lab/lab-sre.agent.yaml",
        "sudo opsmith bench run --agent llm-tools --model gpt-4.1 --base-url http://127.0.0.1:8000/v1   # docs/llm.md",
    ];

    /// <summary>The agent definition the heuristic agent uses unless --agent-file names another.</summary>
    public const string DefaultAgentFile = "bench/agents/heuristic.agent.yaml";

    public Command Build()
    {
        var suite = new Option<string>("--suite") { Description = "Suite file (YAML, kind BenchSuite).", DefaultValueFactory = _ => DefaultSuite };
        var trials = new Option<int>("--trials") { Description = "Trials per instance.", DefaultValueFactory = _ => 1 };
        var agent = new Option<string>("--agent") { Description = "Agent under test: none, heuristic (the staged agent), llm-tools (a model investigating with tools; --provider/--model/--base-url; docs/llm.md), or script:PATH (an AgentScript file).", DefaultValueFactory = _ => "none" };
        var agentFile = new Option<string?>("--agent-file") { Description = $"With --agent heuristic: the agent definition (kind: Agent; default {DefaultAgentFile}). The lab's inventory replaces its environment's." };
        var output = new Option<string?>("--output") { Description = "Folder for results.jsonl, summary.json, results.md and ttm.svg (default bench-results/SUITE-AGENT-TIME)." };
        var autonomy = new Option<string>("--autonomy") { Description = "Autonomy the agent's runs get (observe, recommend, automate-safe, automate-destructive).", DefaultValueFactory = _ => "automate-destructive" };
        autonomy.AcceptOnlyFromAmong("observe", "recommend", "automate-safe", "automate-destructive");
        var lab = LabVerb.NameOption();
        var run = new Command("run", "Run a benchmark suite on the lab (brings the lab up when it is not).") { suite, trials, agent, agentFile, output, autonomy, lab };
        var models = new ModelFlags();
        models.AddTo(run);
        run.SetAction((p, ct) => RunAsync(p.GetValue(suite)!, p.GetValue(trials), p.GetValue(agent)!, p.GetValue(agentFile), p.GetValue(output), p.GetValue(autonomy)!, p.GetValue(lab)!,
            models.Read(p), ct));
        var command = new Command("bench", "Benchmark agents on the fault lab.") { run };
        return command;
    }

    private async Task<int> RunAsync(string suitePath, int trials, string agentSpec, string? agentFile, string? output, string autonomy, string labName,
        Opsmith.Llm.Tiers.ModelOverrides modelFlags, CancellationToken cancellationToken)
    {
        if (trials < 1 || trials > 100) return context.Fail("--trials must be 1 to 100", ExitCodes.Usage);
        if (!File.Exists(suitePath)) return context.Fail($"suite file '{suitePath}' does not exist", ExitCodes.Usage);
        var text = await File.ReadAllTextAsync(suitePath, cancellationToken);
        var diagnostics = new DiagnosticBag(suitePath);
        var suite = BenchSuiteReader.Read(suitePath, text, FaultCatalog.ParameterNames(), diagnostics);
        if (suite is null) return PrintDiagnostics(suitePath, text, diagnostics);

        var labLayout = LabVerb.ExistingLayout(labName);
        foreach (var instance in suite.Instances)
            if (labLayout.Find(instance.Host) is not { } host || host.Is(HostRoles.Bastion))
                return context.Fail($"{suitePath}:{instance.Line}: instance '{instance.Id}' names host '{instance.Host}', which is not a node of lab '{labLayout.Name}' " +
                    $"(nodes: {string.Join(", ", labLayout.Nodes.Select(n => n.Name))})", ExitCodes.Invalid);

        IBenchAgent agent;
        if (agentSpec == "none") agent = new NoneAgent();
        else if (agentSpec.StartsWith("script:", StringComparison.Ordinal))
        {
            var path = agentSpec["script:".Length..];
            if (!File.Exists(path)) return context.Fail($"agent script '{path}' does not exist", ExitCodes.Usage);
            var scriptText = await File.ReadAllTextAsync(path, cancellationToken);
            var scriptDiagnostics = new DiagnosticBag(path);
            var script = AgentScript.Read(path, scriptText, scriptDiagnostics);
            if (script is null) return PrintDiagnostics(path, scriptText, scriptDiagnostics);
            var groups = labLayout.Nodes.SelectMany(n => n.Groups.Select(group => (Group: group, Host: n.Name)))
                .GroupBy(g => g.Group).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(x => x.Host).ToList());
            var instances = suite.Instances.ToDictionary(i => i.Id, i => (i.Fault, i.Params));
            agent = new ScriptAgent(script, instances, groups);
        }
        else if (agentSpec == "heuristic")
        {
            var file = agentFile ?? DefaultAgentFile;
            if (!File.Exists(file)) return context.Fail($"agent file '{file}' does not exist", ExitCodes.Usage);
            agent = new HeuristicAgent(Path.GetFullPath(file), labLayout.PrometheusUrl, null, DiagnosisKey.FaultOf);
        }
        else if (agentSpec == "llm-tools")
        {
            var file = agentFile ?? DefaultAgentFile;
            if (!File.Exists(file)) return context.Fail($"agent file '{file}' does not exist", ExitCodes.Usage);
            agent = new LlmToolsAgent(Path.GetFullPath(file), labLayout.PrometheusUrl, modelFlags, DiagnosisKey.FaultOf);
        }
        else return context.Fail($"--agent must be 'none', 'heuristic', 'llm-tools' or 'script:PATH' (got '{agentSpec}')", ExitCodes.Usage);
        if (agentFile is not null && agentSpec is not ("heuristic" or "llm-tools")) return context.Fail("--agent-file goes with --agent heuristic or llm-tools", ExitCodes.Usage);

        if (!Environment.IsPrivilegedProcess) return context.Fail("bench run needs root: it injects faults into the lab's namespaces", ExitCodes.Invalid);
        var lab = new LabVerb(context);
        if (!new LabController(labLayout, [], _ => { }).IsUp)
        {
            context.Stderr.WriteLine($"Lab '{labLayout.Name}' is not up; bringing it up.");
            var up = await lab.UpAsync(labLayout.Name, LabLayout.DefaultHostCount, cancellationToken);
            if (up != ExitCodes.Ok) return up;
            labLayout = LabVerb.ExistingLayout(labName);
        }

        var started = DateTimeOffset.UtcNow;
        var folder = output ?? Path.Combine("bench-results",
            $"{suite.Name}-{(agent is NoneAgent or HeuristicAgent ? agent.Name : "script-" + Path.GetFileNameWithoutExtension(agentSpec["script:".Length..]))}-{started:yyyyMMdd-HHmmss}");
        if (File.Exists(Path.Combine(folder, "results.jsonl"))) File.Delete(Path.Combine(folder, "results.jsonl"));
        var harness = new BenchHarness(labLayout, LabVerb.OpsmithCommand(), agent, Path.GetFullPath(folder),
            Opsmith.Application.Configuration.OptionsLoader.ParseAutonomy(autonomy)!.Value,
            line => context.Stderr.WriteLine(line));
        context.Stderr.WriteLine($"Running {suite.Instances.Count} instances × {trials} trials of '{suite.Name}' with agent {agent.Name}; results in {folder}");
        var results = await harness.RunAsync(suite, trials, cancellationToken);
        var info = new BenchRunInfo(suite.Name, agent.Name, trials, started, DateTimeOffset.UtcNow,
            $"opsmith bench run --suite {suitePath} --agent {agentSpec}{(agentFile is null ? "" : " --agent-file " + agentFile)} --trials {trials}", $"{Environment.ProcessorCount} cores, {Environment.OSVersion}");
        BenchReport.WriteAll(folder, info, results);
        context.Stdout.Write(BenchReport.MarkdownTable(BenchReport.Summarize(info, results)));
        context.Stdout.WriteLine($"Wrote {Path.Combine(folder, "results.jsonl")}, summary.json, results.md and ttm.svg.");
        return results.Any(r => r.Outcome == "error") ? ExitCodes.SkillFailed : ExitCodes.Ok;
    }

    private int PrintDiagnostics(string path, string text, DiagnosticBag diagnostics)
    {
        var document = new LoadedDocument(path, DocumentKind.Unknown, null, diagnostics.Sorted(), [], text);
        foreach (var diagnostic in diagnostics.Sorted()) DiagnosticPrinter.Print(context.Out, document, diagnostic);
        return ExitCodes.Invalid;
    }

}
