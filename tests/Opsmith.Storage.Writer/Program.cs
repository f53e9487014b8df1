using System.Globalization;
using Opsmith.Storage.Audit;

// Appends one run's records to an audit trail, the way the executor will, and reports every commit on
// stdout ("committed N" once the append has returned) so a test that kills this process knows which records
// must have survived. Exit 2 on bad arguments.
//   --count N         records between run-started and run-finished; 0 appends until killed
//   --batch B         records per AppendBatchAsync
//   --pause-ms P      wait between appends, as the executor does while a command runs
//   --wait-for-go yes print "ready" once the trail is open, then wait for a line on stdin, so a test can
//                     make several writers start appending together
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
if (!options.TryGetValue("--run", out var runId) || !(options.ContainsKey("--sqlite") ^ options.ContainsKey("--postgres")))
{
    Console.Error.WriteLine("usage: Opsmith.Storage.Writer (--sqlite FILE | --postgres CONNECTION) --run ID " +
                            "[--count N] [--batch B] [--pause-ms P] [--wait-for-go yes]");
    return 2;
}
var count = int.Parse(options.GetValueOrDefault("--count", "100"), CultureInfo.InvariantCulture);
var batch = int.Parse(options.GetValueOrDefault("--batch", "1"), CultureInfo.InvariantCulture);
var pause = TimeSpan.FromMilliseconds(int.Parse(options.GetValueOrDefault("--pause-ms", "0"), CultureInfo.InvariantCulture));
const string Skill = "writer-test", SkillHash = "5f2b0c3d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c";

await using IAuditStore store = options.TryGetValue("--sqlite", out var file)
    ? await SqliteAuditStore.OpenAsync(new SqliteAuditOptions(file), TimeProvider.System, CancellationToken.None)
    : await PostgresAuditStore.OpenAsync(new PostgresAuditOptions(options["--postgres"]), TimeProvider.System, CancellationToken.None);

if (options.ContainsKey("--wait-for-go"))
{
    Console.WriteLine("ready");
    await Console.In.ReadLineAsync();
}

var started = await store.AppendAsync(AuditEntry.RunStarted(runId, "writer", Skill, SkillHash, RunOwner.OfCurrentProcess()), CancellationToken.None);
Console.WriteLine($"committed {started.Sequence}");
for (var written = 0; count == 0 || written < count;)
{
    var entries = new List<AuditEntry>(batch);
    for (var i = 0; i < batch && (count == 0 || written < count); i++, written++)
        entries.Add(written % 2 == 0
            ? AuditEntry.ForDecision(runId, "writer", $"node{written % 3}", Skill, SkillHash, AuditDecision.Allowed, $"rule read-only allows step {written}")
            : AuditEntry.ForCommand(runId, "writer", $"node{written % 3}", Skill, SkillHash, $"echo step {written} token=***"));
    foreach (var record in await store.AppendBatchAsync(entries, CancellationToken.None))
        Console.WriteLine($"committed {record.Sequence}");
    if (pause > TimeSpan.Zero) await Task.Delay(pause);
}
var finished = await store.AppendAsync(AuditEntry.RunFinished(runId, "writer", Skill, SkillHash, "succeeded"), CancellationToken.None);
Console.WriteLine($"committed {finished.Sequence}");
Console.WriteLine("done");
return 0;
