using System.Diagnostics;
using System.Text.Json;
using Opsmith.Cli.Tests.Support;
using Opsmith.Testing;

namespace Opsmith.Cli.Tests;

/// <summary>A real `opsmith run` killed with SIGKILL mid-run, many times: no committed record lost, chain intact, runs marked interrupted.</summary>
public sealed class CrashSafetyTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Killing_runs_with_sigkill_leaves_a_verifiable_trail_and_the_next_start_marks_them_interrupted(string database)
    {
        using var home = new TempFolder();
        await using var postgres = database == "postgresql" ? await PostgresServer.StartAsync() : null;
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path };
        if (postgres is not null) environment["OPSMITH_AUDIT_POSTGRES"] = postgres.ConnectionString();
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var skill = home.Write("skill.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: many-steps, title: Many steps, description: Twenty short steps., stage: diagnosis}
            spec:
              targets: self
              risk: read
              actions:
                - {name: s1, run: sleep 0.2}
                - {name: s2, run: sleep 0.2}
                - {name: s3, run: sleep 0.2}
                - {name: s4, run: sleep 0.2}
                - {name: s5, run: sleep 0.2}
                - {name: s6, run: sleep 0.2}
                - {name: s7, run: sleep 0.2}
                - {name: s8, run: sleep 0.2}
                - {name: s9, run: sleep 0.2}
                - {name: s10, run: sleep 0.2}
            """);
        var random = new Random(42);
        const int Kills = 8;
        for (var i = 0; i < Kills; i++)
        {
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "opsmith.dll"), "run", skill, "-i", inventory, "--execute"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var (key, value) in environment) start.Environment[key] = value;
            using var run = Process.Start(start)!;
            // Kill mid-run, whatever the machine's load: the first step's line comes once it passed (after the run
            // was recorded as started); nine steps of at least 0.2 s each remain, longer than any random delay below.
            var firstLine = run.StandardOutput.ReadLineAsync();
            _ = run.StandardError.ReadToEndAsync();
            Assert.NotNull(await firstLine.WaitAsync(TimeSpan.FromMinutes(2)));
            _ = run.StandardOutput.ReadToEndAsync();
            await Task.Delay(random.Next(1200));
            run.Kill(entireProcessTree: false); // SIGKILL to opsmith alone, as the OOM killer would
            await run.WaitForExitAsync();
        }

        var verify = await CliProcess.RunAsync(["audit", "verify"], environment);
        Assert.True(verify.ExitCode == 0, verify.All);

        // The next start marks every killed run interrupted.
        var clean = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);
        Assert.True(clean.ExitCode == 0, clean.All);
        var list = await CliProcess.RunAsync(["audit", "list", "--limit", "10000", "--output", "json"], environment);
        using var json = JsonDocument.Parse(list.Stdout);
        var records = json.RootElement.GetProperty("records").EnumerateArray().ToList();
        var started = records.Where(r => r.GetProperty("kind").GetString() == "run-started").Select(r => r.GetProperty("run_id").GetString()).ToList();
        var ended = records.Where(r => r.GetProperty("kind").GetString() is "run-finished" or "run-interrupted").Select(r => r.GetProperty("run_id").GetString()).ToList();
        // Every run started (each was killed after its first step); each killed one is now marked interrupted,
        // the clean one finished.
        Assert.Equal(Kills + 1, started.Count);
        Assert.Equal(started.Order(), ended.Order());
        Assert.True(records.Count(r => r.GetProperty("kind").GetString() == "run-interrupted") == Kills,
            $"every killed run should be marked interrupted; records: {string.Join(", ", records.Select(r => r.GetProperty("kind").GetString()))}");
        Assert.True((await CliProcess.RunAsync(["audit", "verify"], environment)).ExitCode == 0);
        // The trail really is where the configuration says: no SQLite file when PostgreSQL is configured.
        Assert.Equal(database == "sqlite", File.Exists(Path.Combine(home.Path, "data", "audit.db")));
    }
}
