using System.Diagnostics;
using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>
/// A real `opsmith run --execute` hit by many signals at once, as when an SSH session drops (several SIGHUPs)
/// or a CI runner and a person both try to stop it: every signal is handled, the rollback runs, the run is
/// recorded as finished, and the step's process does not outlive Opsmith.
/// </summary>
public sealed class SignalStormTests
{
    [Fact]
    public async Task A_storm_of_signals_during_an_action_rolls_back_records_the_end_and_leaves_no_process_behind()
    {
        // Given a skill whose action marks the host, then runs a long sleep with an argument no other process has,
        // and whose rollback takes long enough for signals to arrive while it runs
        using var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path, ["OPSMITH_AUTONOMY"] = "automate-destructive" };
        var marker = Path.Combine(home.Path, "marker");
        var unique = $"1000.{Random.Shared.NextInt64(100_000_000, 999_999_999)}";
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var skill = home.Write("skill.yaml", $$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: slow-change, title: Slow change, description: Marks the host then works for a long time., stage: recovery}
            spec:
              targets: self
              risk: destructive
              actions:
                - name: mark-and-work
                  run: touch {{marker}} && sleep {{unique}}
                  risk: destructive
                  on_failure: rollback
              success_criteria:
                - name: marked
                  run: test -e {{marker}}
              rollback:
                - name: remove-marker
                  run: sleep 1 && rm -f -- {{marker}}
            """);
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "opsmith.dll"), "run", skill, "-i", inventory, "--execute"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var run = Process.Start(start)!;
        run.StandardInput.Close();
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();

        // When the action has started (its marker exists) and ten signals arrive in quick succession
        using (var waiting = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            while (!File.Exists(marker))
            {
                if (run.HasExited) Assert.Fail($"opsmith ended before the action started: {await stderr}");
                await Task.Delay(20, waiting.Token);
            }
        // A tenth of a second apart: signals of one kind sent at the same instant merge into one, which hides the
        // second SIGHUP a dropped session sends; ignoring errors, since Opsmith may already have ended.
        var storm = string.Join("; ", new[] { "HUP", "HUP", "TERM", "INT", "HUP", "TERM", "INT", "HUP", "TERM", "HUP" }
            .Select(s => $"kill -s {s} $1 2>/dev/null; sleep 0.1"));
        using (var kill = Process.Start("sh", ["-c", storm, "sh", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            await kill.WaitForExitAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2))) await run.WaitForExitAsync(timeout.Token);
        var output = $"{await stdout}\n{await stderr}";

        // Then Opsmith stopped as interrupted (or said the rollback failed), having rolled back
        Assert.True(run.ExitCode is 130 or 4, $"exit {run.ExitCode}: {output}");
        Assert.False(File.Exists(marker), $"the rollback did not run: {output}");
        Assert.DoesNotContain("internal error", output);
        // And the run's end is in the audit trail
        var list = await CliProcess.RunAsync(["audit", "list", "--output", "json"], environment);
        using var json = JsonDocument.Parse(list.Stdout);
        var kinds = json.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("kind").GetString()).ToList();
        Assert.Contains("run-started", kinds);
        Assert.True(kinds.Contains("run-finished"), $"no run-finished record: {string.Join(", ", kinds)}; {output}");
        // And the step's process did not outlive the run
        Assert.Empty(ProcessesWithArgument(unique));
    }

    [Fact]
    public async Task A_second_ctrl_c_during_the_rollback_hurries_it_and_the_run_is_still_recorded_as_finished()
    {
        // Given a run whose action marks the host and then works, and whose rollback says when it started
        using var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path, ["OPSMITH_AUTONOMY"] = "automate-destructive" };
        var marker = Path.Combine(home.Path, "marker");
        var rollingBack = Path.Combine(home.Path, "rolling-back");
        var unique = $"1000.{Random.Shared.NextInt64(100_000_000, 999_999_999)}";
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var skill = home.Write("skill.yaml", $$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: slow-change, title: Slow change, description: Marks the host then works for a long time., stage: recovery}
            spec:
              targets: self
              risk: destructive
              actions:
                - {name: mark-and-work, run: "touch {{marker}} && sleep {{unique}}", risk: destructive, on_failure: rollback}
              success_criteria:
                - {name: marked, run: "test -e {{marker}}"}
              rollback:
                - {name: remove-marker, run: "touch {{rollingBack}} && sleep 2 && rm -f -- {{marker}}"}
            """);
        var (run, stdout, stderr) = Start(["run", skill, "-i", inventory, "--execute"], environment);
        using var _ = run;

        // When Ctrl-C stops the action, and a SIGTERM follows while the rollback runs
        await WaitForFileAsync(run, marker, stderr);
        Signal(run, "INT");
        await WaitForFileAsync(run, rollingBack, stderr);
        Signal(run, "TERM");
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2))) await run.WaitForExitAsync(timeout.Token);
        var output = $"{await stdout}\n{await stderr}";

        // Then the rollback was hurried, not skipped, and the run's end is recorded
        Assert.True(run.ExitCode == 130, $"exit {run.ExitCode}: {output}");
        Assert.Contains("Stopping sooner: the rollback gets at most 30 s more", output);
        Assert.False(File.Exists(marker), $"the rollback did not finish: {output}");
        Assert.Contains("run-finished", await AuditKindsAsync(environment));
        Assert.Empty(ProcessesWithArgument(unique));
    }

    private static (Process Run, Task<string> Stdout, Task<string> Stderr) Start(string[] args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "opsmith.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var run = Process.Start(start)!;
        run.StandardInput.Close();
        return (run, run.StandardOutput.ReadToEndAsync(), run.StandardError.ReadToEndAsync());
    }

    private static async Task WaitForFileAsync(Process run, string file, Task<string> stderr)
    {
        using var waiting = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!File.Exists(file))
        {
            if (run.HasExited) Assert.Fail($"opsmith ended before {Path.GetFileName(file)} appeared: {await stderr}");
            await Task.Delay(20, waiting.Token);
        }
    }

    private static void Signal(Process run, string signal)
    {
        using var kill = Process.Start("kill", ["-s", signal, run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static async Task<List<string?>> AuditKindsAsync(Dictionary<string, string> environment)
    {
        var list = await CliProcess.RunAsync(["audit", "list", "--output", "json"], environment);
        using var json = JsonDocument.Parse(list.Stdout);
        return json.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("kind").GetString()).ToList();
    }

    private static List<int> ProcessesWithArgument(string argument)
    {
        var found = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(folder, "cmdline")).Split('\0').Contains(argument)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return found;
    }
}
