using System.Diagnostics;
using System.Globalization;
using Opsmith.Storage.Audit;
using Opsmith.Testing;

// Appends RECORDS audit records in batches of BATCH to a fresh SQLite trail and to a fresh PostgreSQL
// server (durable: fsync and synchronous_commit on), verifies the whole chain after, and prints appends/s.
// Also times SINGLE unbatched appends (one durable commit each), the rate the executor sees.
//   Opsmith.Bench.Audit [RECORDS=200000] [BATCH=500] [SINGLE=2000]
var records = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
var batch = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
var single = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2_000;
var failed = false;

var folder = Directory.CreateTempSubdirectory("opsmith-bench-audit-").FullName;
try
{
    await using (var sqlite = await SqliteAuditStore.OpenAsync(new SqliteAuditOptions(Path.Combine(folder, "audit.db")), TimeProvider.System, default))
        failed |= !await MeasureAsync("SQLite", sqlite);
    await using var server = await PostgresServer.StartAsync(durable: true);
    await using var postgres = await PostgresAuditStore.OpenAsync(new PostgresAuditOptions(server.ConnectionString()), TimeProvider.System, default);
    failed |= !await MeasureAsync("PostgreSQL", postgres);
}
finally
{
    Directory.Delete(folder, recursive: true);
}
return failed ? 1 : 0;

async Task<bool> MeasureAsync(string name, IAuditStore store)
{
    const string skillHash = "3c1f0a4e5b6d7c8e9f00112233445566778899aabbccddeeff0011223344556677";
    AuditEntry Entry(int i) => i % 2 == 0
        ? AuditEntry.ForDecision("bench-run", "bench", $"web{i % 50}", "fanout-read", skillHash, AuditDecision.Allowed,
            $"rule read-only allows: systemctl status nginx (step {i})")
        : AuditEntry.ForCommand("bench-run", "bench", $"web{i % 50}", "fanout-read", skillHash,
            $"curl -fsS -H 'Authorization: Bearer ***' https://web{i % 50}.internal/health # {i}");

    await store.AppendAsync(AuditEntry.RunStarted("bench-run", "bench", "fanout-read", skillHash, RunOwner.OfCurrentProcess()), default);
    var clock = Stopwatch.StartNew();
    for (var done = 0; done < records; done += batch)
        await store.AppendBatchAsync(Enumerable.Range(done, Math.Min(batch, records - done)).Select(Entry).ToList(), default);
    var batched = clock.Elapsed;

    clock.Restart();
    for (var i = 0; i < single; i++) await store.AppendAsync(Entry(i), default);
    var singles = clock.Elapsed;

    clock.Restart();
    var verification = await store.VerifyAsync(default);
    var verify = clock.Elapsed;

    Console.WriteLine($"{name,-10} batched ({batch}/transaction): {records} appends in {batched.TotalSeconds:F2} s = {records / batched.TotalSeconds:N0} appends/s");
    Console.WriteLine($"{name,-10} single (1/transaction): {single} appends in {singles.TotalSeconds:F2} s = {single / singles.TotalSeconds:N0} appends/s");
    Console.WriteLine($"{name,-10} verify: {verification.RecordsChecked} records in {verify.TotalSeconds:F2} s = {verification.RecordsChecked / verify.TotalSeconds:N0} records/s, " +
                      (verification.IsValid ? "chain valid" : $"CHAIN BROKEN: {verification.FirstBreak!.Reason}"));
    return verification.IsValid && verification.RecordsChecked == records + single + 1;
}
