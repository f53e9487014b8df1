// Policy-decision latency: for every command of the classifier corpora, the full decision the executor will
// make before a step — classify the rendered command, then PolicyEngine.DecideStep — timed one decision at a
// time. Prints p50/p99/max per phase.   dotnet run -c Release -- CORPUS_FOLDER [ROUNDS=200]
using System.Diagnostics;
using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;
using Opsmith.Policy.Decisions;

var folder = args[0];
var rounds = args.Length > 1 ? int.Parse(args[1]) : 200;
var commands = File.ReadAllLines(Path.Combine(folder, "everyday-read.txt"))
    .Concat(File.ReadAllLines(Path.Combine(folder, "dangerous.txt")).Select(l => l.Contains('\t') ? l[(l.IndexOf('\t') + 1)..] : l))
    .Where(l => l.Trim().Length > 0 && !l.StartsWith('#'))
    .ToArray();
var classifier = new CommandClassifier();
var settings = PolicySettings.Default;
var actor = new Actor("opsmith", ActorKind.Agent);

PolicyDecision Decide(string command)
{
    var tier = classifier.Classify(command).Tier;
    return PolicyEngine.DecideStep(new StepProposal(actor, "bench-skill", "web1", "step", command, tier), settings, killSwitchOn: false);
}

foreach (var command in commands) Decide(command); // warm up: JIT and tiered compilation
for (var i = 0; i < 3; i++) foreach (var command in commands) Decide(command);

var full = new List<double>(commands.Length * rounds);
var engineOnly = new List<double>(commands.Length * rounds);
var proposal = new StepProposal(actor, "bench-skill", "web1", "step", "systemctl restart nginx", RiskTier.ServiceMutation);
for (var r = 0; r < rounds; r++)
{
    foreach (var command in commands)
    {
        var start = Stopwatch.GetTimestamp();
        Decide(command);
        full.Add(Microseconds(start));
        start = Stopwatch.GetTimestamp();
        PolicyEngine.DecideStep(proposal, settings, killSwitchOn: false);
        engineOnly.Add(Microseconds(start));
    }
}

// Raw timestamps: TimeSpan would round to 100 ns ticks.
static double Microseconds(long start) => (Stopwatch.GetTimestamp() - start) * 1_000_000.0 / Stopwatch.Frequency;

static string Percentiles(List<double> values)
{
    values.Sort();
    double At(double p) => values[(int)Math.Min(values.Count - 1, Math.Floor(p * values.Count))];
    return $"p50 {At(0.50):0.00} µs, p99 {At(0.99):0.00} µs, max {values[^1]:0.0} µs";
}

Console.WriteLine($"{commands.Length} corpus commands x {rounds} rounds = {full.Count} decisions");
Console.WriteLine($"classify + decide: {Percentiles(full)}");
Console.WriteLine($"decide only (PolicyEngine.DecideStep): {Percentiles(engineOnly)}");
