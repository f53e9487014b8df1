// In-process fan-out: what a command costs once each host's session is open (the "warm" path of a
// long-running Opsmith). Opens one session per host through the real executor (audit included), runs the
// three commands once (cold: includes connecting), then ROUNDS more times on the open sessions (warm).
//   dotnet run -c Release -- INVENTORY GROUP [ROUNDS=5]
using System.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Execution.Hosts;
using Opsmith.Execution.Hosts.Ssh;
using Opsmith.Execution.Runs;
using Opsmith.Storage.Audit;

var inventoryPath = args[0];
var group = args[1];
var rounds = args.Length > 2 ? int.Parse(args[2]) : 5;
var inventory = (Inventory)DocumentLoader.Load(inventoryPath, File.ReadAllBytes(inventoryPath)).Model!;
var hosts = inventory.Resolve(group)!;
var folder = Directory.CreateTempSubdirectory("opsmith-bench-inproc-").FullName;
await using var audit = await SqliteAuditStore.OpenAsync(new SqliteAuditOptions(Path.Combine(folder, "audit.db")), TimeProvider.System, CancellationToken.None);
var settings = Opsmith.Policy.Decisions.PolicySettings.Default;
var killSwitch = new KillSwitch(folder);
var guard = new StepGuard(new Opsmith.Policy.Classification.CommandClassifier(), settings,
    new Opsmith.Policy.Decisions.Actor("bench", Opsmith.Policy.Decisions.ActorKind.Human),
    Opsmith.Storage.Approvals.ApprovalStores.For(audit, settings, TimeProvider.System), killSwitch, TimeProvider.System);
var runId = RunAudit.NewRunId();
await using var executor = HostExecutor.ForInventory(inventory,
    new SshConnection(Path.Combine(folder, "ssh"), SshOptions.Default with { ControlPersist = TimeSpan.FromSeconds(5) }),
    new RunAudit(audit, runId, "user:bench", "bench", Opsmith.Core.Runs.RunMode.Execute, new SecretMasker(), new RunEventStream(runId, TimeProvider.System)),
    guard);
string[] commands = ["uname -r", "uptime", "df -P /"];

async Task<TimeSpan> RoundAsync()
{
    var watch = Stopwatch.StartNew();
    await Parallel.ForEachAsync(hosts, new ParallelOptions { MaxDegreeOfParallelism = hosts.Count }, async (host, ct) =>
    {
        foreach (var command in commands)
        {
            var result = await executor.RunAsync(host, new StepIdentity("fanout-read", Opsmith.Core.Runs.RunSection.Actions, "bench", Opsmith.Core.Skills.RiskTier.Read), command, CommandLimits.Default, ct);
            if (!result.Succeeded) throw new InvalidOperationException($"{host.Name}: {result.Error ?? result.Stderr}");
        }
    });
    return watch.Elapsed;
}

var cold = await RoundAsync();
var warm = new List<double>();
for (var i = 0; i < rounds; i++) warm.Add((await RoundAsync()).TotalMilliseconds);
warm.Sort();
var median = warm[warm.Count / 2];
Console.WriteLine($"in-process, {hosts.Count} hosts x {commands.Length} commands: first round (connect + run) {cold.TotalSeconds:0.00} s; " +
                  $"open sessions: median round {median:0} ms = {median / (hosts.Count * commands.Length):0.00} ms per command per host " +
                  $"({commands.Length} commands in sequence on each host, hosts in parallel)");
Directory.Delete(folder, recursive: true);
