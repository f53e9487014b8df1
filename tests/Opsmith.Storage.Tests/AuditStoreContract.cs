using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using System.Data.Common;
using System.Text.Json;
using Opsmith.Storage.Audit;
using Opsmith.Storage.Tests.Support;
using Xunit.Abstractions;

namespace Opsmith.Storage.Tests;

/// <summary>
/// The behaviour every audit store must have, run once per implementation (SQLite and PostgreSQL) against a
/// real database: each test gets its own empty trail from <see cref="NewTrailAsync"/>.
/// </summary>
public abstract class AuditStoreContract(ITestOutputHelper output)
{
    protected const string SkillHash = "3c1f0a4e5b6d7c8e9f00112233445566778899aabbccddeeff0011223344556677";
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 9, 30, 0, TimeSpan.Zero);
    private static CancellationToken None => CancellationToken.None;

    protected abstract Task<ITrailLocation> NewTrailAsync();

    // ---- appending and reading -------------------------------------------------------------------------

    [Fact]
    public async Task Appended_records_are_numbered_from_1_and_each_is_chained_to_the_one_before()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();

        var started = await store.AppendAsync(Start("run-1"), None);
        var batch = await store.AppendBatchAsync([Decision("run-1"), Command("run-1")], None);

        Assert.Equal([1L, 2L, 3L], new[] { started }.Concat(batch).Select(r => r.Sequence));
        Assert.Equal(AuditCanonicalForm.GenesisHash, started.PreviousHash);
        Assert.Equal(started.Hash, batch[0].PreviousHash);
        Assert.Equal(batch[0].Hash, batch[1].PreviousHash);
        Assert.All(new[] { started }.Concat(batch), r => Assert.Equal(AuditCanonicalForm.ComputeHash(r), r.Hash));
    }

    [Fact]
    public async Task A_record_reads_back_exactly_as_appended_with_the_time_from_the_injected_clock_in_microseconds()
    {
        await using var trail = await NewTrailAsync();
        var clock = new ManualClock(T0.AddTicks(1_234_567)); // 0.1234567 s: the last digit is below a microsecond
        await using var store = await trail.OpenAsync(clock);

        var appended = await store.AppendAsync(Start("run-1"), None);
        var decision = await store.AppendAsync(Decision("run-1", decision: AuditDecision.ApprovalRequested), None);

        Assert.Equal(T0.AddTicks(1_234_560), appended.Time);
        Assert.Equal(appended, await store.GetAsync(1, None));
        Assert.Equal(decision, await store.GetAsync(2, None));
        Assert.Equal(RunOwner.OfCurrentProcess(), appended.Owner);
        Assert.Null(await store.GetAsync(3, None));
    }

    [Fact]
    public async Task List_filters_by_skill_host_decision_kind_run_and_time()
    {
        await using var trail = await NewTrailAsync();
        var clock = new ManualClock(T0);
        await using var store = await trail.OpenAsync(clock);
        await store.AppendBatchAsync([
            Start("run-1", skill: "restart-nginx"),
            Decision("run-1", host: "web1", skill: "restart-nginx", decision: AuditDecision.Allowed),
            Command("run-1", host: "web1", skill: "restart-nginx"),
            Decision("run-1", host: "web2", skill: "restart-nginx", decision: AuditDecision.Blocked),
        ], None);
        clock.Advance(TimeSpan.FromHours(1));
        await store.AppendBatchAsync([
            Start("run-2", skill: "rotate-logs"),
            Decision("run-2", host: "web2", skill: "rotate-logs", decision: AuditDecision.ApprovalDenied),
            AuditEntry.RunFinished("run-2", "alice", "rotate-logs", SkillHash, "failed: approval denied"),
        ], None);

        async Task<long[]> Sequences(AuditQuery query) => (await store.ListAsync(query, None)).Select(r => r.Sequence).ToArray();

        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6, 7 }, await Sequences(new AuditQuery()));
        Assert.Equal(new long[] { 5, 6, 7 }, await Sequences(new AuditQuery(Skill: "rotate-logs")));
        Assert.Equal(new long[] { 4, 6 }, await Sequences(new AuditQuery(Host: "web2")));
        Assert.Equal(new long[] { 6 }, await Sequences(new AuditQuery(Decision: AuditDecision.ApprovalDenied)));
        Assert.Equal(new long[] { 2, 4, 6 }, await Sequences(new AuditQuery(Kind: AuditKind.Decision)));
        Assert.Equal(new long[] { 1, 2, 3, 4 }, await Sequences(new AuditQuery(RunId: "run-1")));
        Assert.Equal(new long[] { 5, 6, 7 }, await Sequences(new AuditQuery(Since: T0.AddMinutes(30))));
        Assert.Equal(new long[] { 5, 6, 7 }, await Sequences(new AuditQuery(Since: T0.AddHours(1))));
        Assert.Equal(new long[] { 4 }, await Sequences(new AuditQuery(Skill: "restart-nginx", Host: "web2", Decision: AuditDecision.Blocked)));
        Assert.Equal(new long[] { 7, 6 }, await Sequences(new AuditQuery(Limit: 2, NewestFirst: true)));
        Assert.Empty(await Sequences(new AuditQuery(Skill: "no-such-skill")));
    }

    [Fact]
    public async Task A_batch_with_an_invalid_entry_appends_nothing()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        var invalid = new AuditEntry("run-1", AuditKind.Decision, "alice", "web1", "s", SkillHash, Decision: null, "no decision given");

        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendBatchAsync([Start("run-1"), invalid], None));

        Assert.Empty(await store.ListAsync(new AuditQuery(), None));
        Assert.Equal(1, (await store.AppendAsync(Start("run-1"), None)).Sequence);
        Assert.True((await store.VerifyAsync(None)).IsValid);
    }

    [Fact]
    public async Task Text_a_database_cannot_keep_verbatim_is_stored_as_replacement_characters_and_still_verifies()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();

        var record = await store.AppendAsync(Command("run-1", detail: "a\0b\uD800c 日本 ✓"), None);

        Assert.Equal("a\uFFFDb\uFFFDc 日本 ✓", record.Detail);
        Assert.Equal(record, await store.GetAsync(record.Sequence, None));
        Assert.True((await store.VerifyAsync(None)).IsValid);
    }

    [Fact]
    public async Task Opening_a_trail_again_applies_no_migration_twice()
    {
        await using var trail = await NewTrailAsync();
        await (await trail.OpenAsync()).DisposeAsync();
        await (await trail.OpenAsync()).DisposeAsync();

        // Both dialects ship the same numbered migrations (SchemaMigratorTests), so either list gives the count.
        long shipped = Migrations.SchemaMigrator.Load(Migrations.SqlDialect.Sqlite).Count;
        Assert.Equal(shipped, await trail.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(shipped, await trail.ScalarAsync<long>("SELECT max(version) FROM schema_migrations"));
    }

    [Fact]
    public async Task Updates_and_deletes_are_refused_by_the_database_itself()
    {
        await using var trail = await NewTrailAsync();
        await using (var store = await trail.OpenAsync()) await store.AppendAsync(Start("run-1"), None);

        await Assert.ThrowsAnyAsync<DbException>(() => trail.ExecuteAsync("UPDATE audit_records SET detail = 'nothing happened'"));
        await Assert.ThrowsAnyAsync<DbException>(() => trail.ExecuteAsync("DELETE FROM audit_records"));
    }

    [Fact]
    public async Task Export_writes_every_record_as_one_json_line_in_sequence_order()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        var records = await store.AppendBatchAsync(
            [Start("run-1"), Decision("run-1", decision: AuditDecision.ApprovalGranted), Command("run-1", detail: "echo \"hi\"\nline 2")], None);

        var output = new StringWriter();
        var count = await store.ExportJsonlAsync(output, None);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, count);
        Assert.Equal(3, lines.Length);
        for (var i = 0; i < 3; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            var root = json.RootElement;
            Assert.Equal(records[i].Sequence, root.GetProperty("sequence").GetInt64());
            Assert.Equal(records[i].Kind.ToWireName(), root.GetProperty("kind").GetString());
            Assert.Equal(records[i].Detail, root.GetProperty("detail").GetString());
            Assert.Equal(AuditCanonicalForm.FormatTime(records[i].Time), root.GetProperty("time").GetString());
            Assert.Equal(records[i].PreviousHash, root.GetProperty("previous_hash").GetString());
            Assert.Equal(records[i].Hash, root.GetProperty("hash").GetString());
        }
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(Environment.ProcessId, first.RootElement.GetProperty("owner").GetProperty("pid").GetInt32());
        Assert.Equal(JsonValueKind.Null, first.RootElement.GetProperty("decision").ValueKind);
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("approval-granted", second.RootElement.GetProperty("decision").GetString());
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("owner").ValueKind);
    }

    // ---- verify ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Verify_passes_on_an_empty_trail_and_on_an_untouched_chain()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        Assert.Equal(new AuditVerification(0, 0, null), await store.VerifyAsync(None));

        await AppendRunAsync(store, "run-1", commands: 10);

        Assert.Equal(new AuditVerification(22, 22, null), await store.VerifyAsync(None));
    }

    [Fact]
    public async Task A_trail_written_before_structured_fields_existed_still_verifies_and_grows()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        await AppendRunAsync(store, "run-1", commands: 3);
        // Rewrite the trail as an older Opsmith wrote it: format 1, no structured fields, version 1 hashes.
        var previous = AuditCanonicalForm.GenesisHash;
        foreach (var record in await store.ListAsync(AuditQuery.All, None))
        {
            var old = record with { Format = 1, Facts = AuditFacts.None, PreviousHash = previous };
            old = old with { Hash = AuditCanonicalForm.ComputeHash(old) };
            await trail.TamperAsync("UPDATE audit_records SET format = 1, section = '', step = '', tier = '', mode = '', outcome = '', " +
                                    "previous_hash = @PreviousHash, hash = @Hash WHERE sequence = @Sequence", new { old.PreviousHash, old.Hash, old.Sequence });
            previous = old.Hash;
        }
        await trail.TamperAsync("UPDATE audit_head SET hash = @Hash WHERE id = 1", new { Hash = previous });
        Assert.Null((await store.VerifyAsync(None)).FirstBreak);

        await store.AppendAsync(Command("run-2") with { Facts = new AuditFacts(RunSection.Actions, "restart", RiskTier.ServiceMutation, RunMode.Execute) }, None);

        var verification = await store.VerifyAsync(None);
        Assert.Null(verification.FirstBreak);
        var all = await store.ListAsync(AuditQuery.All, None);
        Assert.All(all.SkipLast(1), r => Assert.Equal(1, r.Format));
        Assert.Equal(2, all[^1].Format);
    }

    [Fact]
    public async Task Structured_fields_round_trip_and_can_be_queried_without_reading_text()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        await store.AppendAsync(Command("run-1") with { Facts = new AuditFacts(RunSection.Checks, "status", RiskTier.Read, RunMode.DryRun) }, None);
        await store.AppendAsync(Command("run-2") with { Facts = new AuditFacts(RunSection.Actions, "restart", RiskTier.ServiceMutation, RunMode.Execute) }, None);
        await store.AppendAsync(Command("run-3") with { Facts = new AuditFacts(RunSection.Rollback, "undo", RiskTier.Destructive, RunMode.Execute) }, None);
        await store.AppendAsync(Decision("run-3") with { Facts = new AuditFacts(RunSection.Actions, "wipe", RiskTier.DataMutation, RunMode.Execute, "data-protection") }, None);

        var changes = await store.ListAsync(new AuditQuery(Kind: AuditKind.Command, MinTier: RiskTier.ServiceMutation, Limit: 10), None);
        Assert.Equal(["run-2", "run-3"], changes.Select(r => r.RunId));
        var actions = await store.ListAsync(new AuditQuery(Section: RunSection.Actions, Mode: RunMode.Execute, Limit: 10), None);
        Assert.Equal(["restart", "wipe"], actions.Select(r => r.Facts.Step));
        var decision = Assert.Single(await store.ListAsync(new AuditQuery(Kind: AuditKind.Decision, Limit: 10), None));
        Assert.Equal(new AuditFacts(RunSection.Actions, "wipe", RiskTier.DataMutation, RunMode.Execute, "data-protection"), decision.Facts);
        Assert.Null((await store.VerifyAsync(None)).FirstBreak);
    }

    [Fact]
    public async Task Changing_a_structured_field_in_the_database_fails_verify()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        await store.AppendAsync(Command("run-1") with { Facts = new AuditFacts(RunSection.Actions, "restart", RiskTier.ServiceMutation, RunMode.Execute) }, None);
        await store.AppendAsync(Command("run-1"), None);

        await trail.TamperAsync("UPDATE audit_records SET tier = 'read' WHERE sequence = 1");

        var broken = (await store.VerifyAsync(None)).FirstBreak;
        Assert.Equal(1, broken!.Sequence);
        Assert.Equal(AuditBreakKind.Edited, broken.Kind);
    }

    [Fact]
    public async Task Editing_one_byte_of_a_detail_in_the_database_fails_verify_naming_that_record()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        await AppendRunAsync(store, "run-1", commands: 5);

        await trail.TamperAsync("UPDATE audit_records SET detail = 'X' || substr(detail, 2) WHERE sequence = 6");

        var broken = (await store.VerifyAsync(None)).FirstBreak;
        Assert.NotNull(broken);
        Assert.Equal(6, broken.Sequence);
        Assert.Equal(AuditBreakKind.Edited, broken.Kind);
        Assert.Contains("record 6 was edited", broken.Reason);
    }

    [Fact]
    public async Task Rewriting_a_record_together_with_its_hash_is_detected_at_that_record()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        await AppendRunAsync(store, "run-1", commands: 5);
        var original = (await store.GetAsync(4, None))!;
        var forged = original with { Detail = "echo harmless" };

        await trail.TamperAsync("UPDATE audit_records SET detail = @Detail, hash = @Hash WHERE sequence = 4",
            new { forged.Detail, Hash = AuditCanonicalForm.ComputeHash(forged) });

        var broken = (await store.VerifyAsync(None)).FirstBreak;
        Assert.Equal(new AuditBreak(4, AuditBreakKind.Edited, broken!.Reason), broken);
        Assert.Contains("record 4 was rewritten", broken.Reason);
    }

    [Fact]
    public async Task Deleting_a_record_is_detected_as_missing()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        await AppendRunAsync(store, "run-1", commands: 5);

        await trail.TamperAsync("DELETE FROM audit_records WHERE sequence = 5");

        var broken = (await store.VerifyAsync(None)).FirstBreak;
        Assert.Equal(new AuditBreak(5, AuditBreakKind.Missing, broken!.Reason), broken);
        Assert.Contains("record 5 is missing", broken.Reason);
    }

    [Fact]
    public async Task Deleting_the_last_records_is_detected_as_missing()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        await AppendRunAsync(store, "run-1", commands: 5); // 12 records

        await trail.TamperAsync("DELETE FROM audit_records WHERE sequence >= 11");

        var broken = (await store.VerifyAsync(None)).FirstBreak;
        Assert.Equal(new AuditBreak(11, AuditBreakKind.Missing, broken!.Reason), broken);
        Assert.Contains("records 11 to 12 are missing", broken.Reason);
    }

    [Fact]
    public async Task Swapping_two_records_is_detected_as_reordered()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        await AppendRunAsync(store, "run-1", commands: 5);

        await trail.TamperAsync("""
            UPDATE audit_records SET sequence = -1 WHERE sequence = 7;
            UPDATE audit_records SET sequence = 7 WHERE sequence = 8;
            UPDATE audit_records SET sequence = 8 WHERE sequence = -1;
            """);

        var broken = (await store.VerifyAsync(None)).FirstBreak;
        Assert.Equal(new AuditBreak(7, AuditBreakKind.Reordered, broken!.Reason), broken);
    }

    // ---- concurrency and crashes -------------------------------------------------------------------------

    [Fact]
    public async Task Concurrent_appends_from_many_tasks_and_two_stores_keep_one_valid_chain()
    {
        await using var trail = await NewTrailAsync();
        await using var first = await trail.OpenAsync();
        await using var second = await trail.OpenAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(task => Task.Run(async () =>
        {
            var store = task % 2 == 0 ? first : second;
            for (var i = 0; i < 10; i++)
            {
                await store.AppendAsync(Command($"run-{task}", detail: $"task {task} single {i}"), None);
                await store.AppendBatchAsync([Decision($"run-{task}"), Command($"run-{task}", detail: $"task {task} batch {i}")], None);
            }
        })));

        Assert.Equal(new AuditVerification(240, 240, null), await first.VerifyAsync(None));
        var all = await first.ListAsync(AuditQuery.All, None);
        Assert.Equal(Enumerable.Range(1, 240).Select(i => (long)i), all.Select(r => r.Sequence));
        // A batch is contiguous: its two records are never split by another writer.
        Assert.All(all.Where(r => r.Kind == AuditKind.Decision), d => Assert.Equal(d.RunId, all[(int)d.Sequence].RunId));
    }

    /// <remarks>
    /// The writers pause a millisecond between appends, as the executor does while commands run. Without
    /// pauses SQLite's lock is not fair: the process holding it re-takes it before the others' busy handlers
    /// wake, and the writers run one after another (valid, but then nothing concurrent is tested).
    /// </remarks>
    [Fact]
    public async Task Three_writer_processes_appending_at_once_keep_one_valid_chain()
    {
        await using var trail = await NewTrailAsync();
        await (await trail.OpenAsync()).DisposeAsync(); // create the schema once, so the test measures appends
        var writers = Enumerable.Range(1, 3)
            .Select(i => WriterProcess.Start(trail.WriterArguments, $"writer-{i}", count: 100, batch: 1, waitForGo: true, pauseMilliseconds: 1)).ToList();
        try
        {
            await Task.WhenAll(writers.Select(w => w.Ready)).WaitAsync(TimeSpan.FromSeconds(60));
            writers.ForEach(w => w.Go());
            foreach (var writer in writers)
                Assert.True(await writer.WaitAsync() == 0, await writer.StderrAsync());

            await using var store = await trail.OpenAsync();
            Assert.Equal(new AuditVerification(306, 306, null), await store.VerifyAsync(None));
            var interleaved = 0;
            foreach (var writer in writers)
            {
                var records = await store.ListAsync(new AuditQuery(RunId: writer.RunId, Limit: AuditQuery.MaxLimit), None);
                Assert.Equal(writer.Committed.Order(), records.Select(r => r.Sequence));
                Assert.Equal(AuditKind.RunFinished, records[^1].Kind);
                if (records[^1].Sequence - records[0].Sequence + 1 > records.Count) interleaved++;
                output.WriteLine($"{writer.RunId}: records {records[0].Sequence} to {records[^1].Sequence}, {records.Count} of them");
            }
            Assert.True(interleaved >= 2, "the writers ran one after the other; the test did not exercise concurrent appends");
        }
        finally
        {
            writers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public async Task Writers_killed_mid_run_lose_no_committed_record_leave_a_valid_chain_and_get_marked_interrupted()
    {
        await using var trail = await NewTrailAsync();
        await (await trail.OpenAsync()).DisposeAsync();
        var random = new Random(20261121);
        var killed = new List<WriterProcess>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var writer = WriterProcess.Start(trail.WriterArguments, $"killed-{i}", count: 0, batch: random.Next(1, 9));
                killed.Add(writer);
                await writer.FirstCommit.WaitAsync(TimeSpan.FromSeconds(60));
                await Task.Delay(random.Next(0, 150));
                await writer.KillAsync();
                output.WriteLine($"{writer.RunId}: killed after {writer.Committed.Count} reported commits");
            }

            await using var store = await trail.OpenAsync();
            var verification = await store.VerifyAsync(None);
            Assert.True(verification.IsValid, verification.FirstBreak?.Reason);
            foreach (var writer in killed)
            {
                Assert.False(writer.Finished);
                var stored = (await store.ListAsync(new AuditQuery(RunId: writer.RunId, Limit: AuditQuery.MaxLimit), None))
                    .Select(r => r.Sequence).ToHashSet();
                Assert.Subset(stored, writer.Committed.ToHashSet());
            }

            var interrupted = await store.MarkInterruptedRunsAsync(None);

            Assert.Equal(killed.Select(w => w.RunId).Order(), interrupted.Select(r => r.RunId).Order());
            Assert.All(interrupted, r => Assert.Equal(AuditKind.RunInterrupted, r.Kind));
            Assert.All(interrupted, r => Assert.Matches("no longer exists|its id now belongs to another process", r.Detail));
            Assert.Empty(await store.MarkInterruptedRunsAsync(None));
            Assert.True((await store.VerifyAsync(None)).IsValid);
        }
        finally
        {
            killed.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public async Task Only_unfinished_runs_whose_process_is_gone_from_this_machine_are_marked_interrupted()
    {
        await using var trail = await NewTrailAsync();
        await using var store = await trail.OpenAsync();
        var me = RunOwner.OfCurrentProcess();
        await store.AppendBatchAsync([
            Start("alive", me),
            Start("dead", me with { ProcessId = 999_999_999 }),
            Start("reused-pid", me with { StartTicks = me.StartTicks + 1 }),
            Start("rebooted", me with { BootId = "00000000-0000-0000-0000-000000000000" }),
            Start("elsewhere", me with { Machine = me.Machine + "-other", ProcessId = 999_999_999 }),
            Start("dead-but-finished", me with { ProcessId = 999_999_999 }),
            AuditEntry.RunFinished("dead-but-finished", "alice", "restart-nginx", SkillHash, "succeeded"),
        ], None);

        var interrupted = await store.MarkInterruptedRunsAsync(None);

        Assert.Equal(["dead", "reused-pid", "rebooted"], interrupted.Select(r => r.RunId));
        Assert.Contains("process 999999999", interrupted[0].Detail);
        Assert.Contains("its id now belongs to another process", interrupted[1].Detail);
        Assert.Contains("has restarted", interrupted[2].Detail);
        Assert.All(interrupted, r => Assert.Equal(("opsmith", "restart-nginx", SkillHash), (r.Actor, r.Skill, r.SkillHash)));
        Assert.Empty(await store.MarkInterruptedRunsAsync(None));
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /// <summary>run-started, then a decision and a command per step, then run-finished: 2 + 2 × commands records.</summary>
    private static async Task AppendRunAsync(IAuditStore store, string runId, int commands)
    {
        await store.AppendAsync(Start(runId), None);
        for (var i = 0; i < commands; i++)
        {
            await store.AppendAsync(Decision(runId, detail: $"rule read-only allows step {i}"), None);
            await store.AppendAsync(Command(runId, detail: $"systemctl status nginx # step {i}"), None);
        }
        await store.AppendAsync(AuditEntry.RunFinished(runId, "alice", "restart-nginx", SkillHash, "succeeded"), None);
    }

    protected static AuditEntry Start(string runId, RunOwner? owner = null, string skill = "restart-nginx") =>
        AuditEntry.RunStarted(runId, "alice", skill, SkillHash, owner ?? RunOwner.OfCurrentProcess(), "opsmith run restart-nginx --limit web");

    protected static AuditEntry Decision(string runId, string host = "web1", string skill = "restart-nginx",
        AuditDecision decision = AuditDecision.Allowed, string detail = "rule read-only allows: systemctl status nginx") =>
        AuditEntry.ForDecision(runId, "alice", host, skill, SkillHash, decision, detail);

    protected static AuditEntry Command(string runId, string host = "web1", string skill = "restart-nginx",
        string detail = "curl -H 'Authorization: ***' https://web1/health") =>
        AuditEntry.ForCommand(runId, "alice", host, skill, SkillHash, detail);
}
