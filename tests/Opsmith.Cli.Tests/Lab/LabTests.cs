using System.Net.Sockets;
using System.Text.Json;
using System.Xml.Linq;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests.Lab;

[Collection("lab")]
public sealed class LabTests(LabFixture lab)
{
    private async Task<List<(string Host, string Check, bool Healthy, string Detail)>> ChecksAsync(string host)
    {
        var result = await lab.Lab("check", "--host", host, "--output", "json");
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.EnumerateArray()
            .Select(c => (c.GetProperty("host").GetString()!, c.GetProperty("check").GetString()!, c.GetProperty("healthy").GetBoolean(), c.GetProperty("detail").GetString()!))
            .ToList();
    }

    [Fact]
    public async Task A_lab_that_is_up_is_green_everywhere_and_reachable_only_through_its_bastion()
    {
        lab.RequireUp();
        var check = await lab.Lab("check");
        Assert.True(check.ExitCode == 0, check.All);
        Assert.Contains("hidden checks are green", check.Stdout);
        var status = await lab.Lab("status");
        Assert.True(status.ExitCode == 0, status.All);
        Assert.Contains("postgresql", status.Stdout);
        // The same as one JSON document (the other --output json commands are walked in JsonOutputContractTests).
        var statusJson = await lab.Lab("status", "--output", "json");
        using (var document = JsonDocument.Parse(statusJson.Stdout))
        {
            Assert.Equal(lab.Name, document.RootElement.GetProperty("lab").GetString());
            Assert.All(document.RootElement.GetProperty("hosts").EnumerateArray(), h => Assert.True(h.GetProperty("running").GetBoolean()));
        }

        // A catalog skill runs on a node over real SSH through the bastion, strict host keys, the lab's systemctl.
        var inventory = status.Stdout.Split("inventory ")[1].Trim().Split('\n')[0].Trim();
        var run = await CliProcess.RunAsync("run", "skills/check-systemd-unit.yaml", "-i", inventory, "--input", "host=node2",
            "--input", "unit=nginx.service", "--execute");
        Assert.True(run.ExitCode == 0, run.All);

        // Nodes are not reachable from the machine, only the bastion is.
        var text = await File.ReadAllTextAsync(inventory);
        var node = text.Split("node1:")[1].Split("address: ")[1].Split('\n')[0].Trim();
        var bastion = text.Split("bastion:")[1].Split("address: ")[1].Split('\n')[0].Trim();
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(bastion, 22);
            Assert.True(client.Connected);
        }
        // The machine has no route into the lab's bridge: only the link to the bastion is the lab's.
        var route = await Opsmith.Execution.Processes.LocalProcess.RunAsync("ip", ["route", "get", node], TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.DoesNotContain($"osl-{lab.Name}", route.Stdout);
        var toBastion = await Opsmith.Execution.Processes.LocalProcess.RunAsync("ip", ["route", "get", bastion], TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Contains($"osl-{lab.Name}", toBastion.Stdout);
    }

    private const int RedRounds = 3;

    [Fact]
    public async Task Every_fault_turns_its_hidden_check_red_keeps_it_red_until_recovered_and_its_recovery_turns_it_green()
    {
        lab.RequireUp();
        var faults = await CliProcess.RunAsync("lab", "faults", "--output", "json");
        using var json = JsonDocument.Parse(faults.Stdout);
        var names = json.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToList();
        Assert.True(names.Count >= 11, $"only {names.Count} fault types");

        var failures = new List<string>();
        foreach (var fault in names)
        {
            var host = fault == "postgres-connections" ? "node3" : fault is "log-explosion" or "memory-hog" ? "node2" : "node1";
            var inject = await lab.Lab("inject", fault, "--host", host);
            if (inject.ExitCode != 0) { failures.Add($"{fault}: inject failed: {inject.All}"); continue; }
            var named = inject.Stdout.Split("Hidden checks for it: ")[1].Split(" (")[0].Split(", ").ToHashSet();
            // A fault stays until it is repaired: its checks are red in every one of several check rounds, not just
            // the first (a fault whose processes die with the injecting session heals on its own).
            for (var round = 1; round <= RedRounds; round++)
            {
                var during = await ChecksAsync(host);
                var red = during.Where(c => !c.Healthy).Select(c => c.Check).ToHashSet();
                if (fault == "none")
                {
                    if (red.Count > 0) { failures.Add($"none: checks red without a fault in round {round}: {string.Join(", ", red)}"); break; }
                }
                else if (!named.All(red.Contains))
                {
                    failures.Add($"{fault}: expected {string.Join(", ", named)} red in check round {round} of {RedRounds}, red were [{string.Join(", ", red)}]");
                    break;
                }
            }

            var recover = await lab.Lab("recover", fault, "--host", host);
            if (recover.ExitCode != 0) { failures.Add($"{fault}: recover failed: {recover.All}"); continue; }
            var green = false;
            for (var attempt = 0; attempt < 15 && !green; attempt++)
            {
                green = (await ChecksAsync(host)).All(c => c.Healthy);
                if (!green) await Task.Delay(1000);
            }
            if (!green) failures.Add($"{fault}: still red after recovery: {string.Join("; ", (await ChecksAsync(host)).Where(c => !c.Healthy).Select(c => $"{c.Check} {c.Detail}"))}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_node_sees_only_its_own_processes_and_ssh_sessions_land_among_them()
    {
        lab.RequireUp();

        var ps = await lab.SshAsync("node1", "echo \"me $$\"; ps -e -o pid=,comm=");

        Assert.True(ps.ExitCode == 0, ps.All);
        var lines = ps.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var me = lines[0].Split(' ')[1];
        var processes = lines.Skip(1).Select(l => l.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries)).ToDictionary(p => p[0], p => p[1].Trim());
        Assert.Equal("opsmith-init", processes["1"]);                // the host's own PID 1
        Assert.True(processes.ContainsKey(me), $"the SSH session's shell {me} is not among the node's processes:\n{ps.Stdout}");
        Assert.Single(processes.Values, name => name == "redis-server");  // not the other nodes' redis
        Assert.DoesNotContain("prometheus", processes.Values);       // the bastion's Prometheus is elsewhere
    }

    [Fact]
    public async Task A_service_killed_with_SIGKILL_comes_back_with_a_plain_restart()
    {
        lab.RequireUp();
        var failures = new List<string>();
        foreach (var (host, unit) in new[] { ("node1", "nginx"), ("node1", "redis-server"), ("node3", "postgresql"), ("node2", "opsmith-demo") })
        {
            // Only the main process dies, as with the OOM killer: its workers, backends or children are left over.
            var restart = await lab.SshAsync(host, $"kill -9 \"$(systemctl show -p MainPID --value {unit})\" && sleep 0.2 && " +
                $"! systemctl is-active --quiet {unit} && systemctl restart {unit} && systemctl is-active {unit}");
            if (restart.ExitCode != 0) { failures.Add($"{unit} on {host}: {restart.All}"); continue; }
            var green = false;
            for (var attempt = 0; attempt < 15 && !green; attempt++)
            {
                green = (await ChecksAsync(host)).All(c => c.Healthy);
                if (!green) await Task.Delay(1000);
            }
            if (!green) failures.Add($"{unit} on {host}: restarted, but hidden checks stay red: " +
                string.Join("; ", (await ChecksAsync(host)).Where(c => !c.Healthy).Select(c => $"{c.Check} {c.Detail}")));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Lab_up_from_another_home_uses_the_running_lab_and_refuses_another_size()
    {
        lab.RequireUp();
        var anchors = Directory.GetFiles(Path.Combine(lab.Folder, "hosts"), "anchor.pid", SearchOption.AllDirectories).Order()
            .Select(File.ReadAllText).ToList();
        var otherHome = Directory.CreateTempSubdirectory("opsmith-other-home-").FullName;
        var other = new Dictionary<string, string> { ["OPSMITH_HOME"] = otherHome };

        var up = await CliProcess.RunAsync(["lab", "up", "--name", lab.Name], other);
        var bigger = await CliProcess.RunAsync(["lab", "up", "--name", lab.Name, "--hosts", "5"], other);
        var status = await CliProcess.RunAsync(["lab", "status", "--name", lab.Name], other);

        Assert.True(up.ExitCode == 0, up.All);   // 0 only when every hidden check of the lab it uses is green
        Assert.Contains($"Lab '{lab.Name}' is already up (made by ", up.Stderr);
        Assert.Contains(Path.Combine(lab.Folder, "inventory.yaml"), up.Stdout);
        Assert.Equal(anchors, Directory.GetFiles(Path.Combine(lab.Folder, "hosts"), "anchor.pid", SearchOption.AllDirectories).Order()
            .Select(File.ReadAllText).ToList());   // the same hosts: nothing was torn down
        Assert.NotEqual(0, bigger.ExitCode);
        Assert.Contains($"lab '{lab.Name}' is already up with 4 hosts", bigger.Stderr);
        Assert.True(status.ExitCode == 0, status.All);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(lab.Folder));
        Assert.False(Directory.Exists(Path.Combine(otherHome, "data", "labs")), "lab state belongs in the machine-wide folder, not a home");
    }

    [Fact]
    public async Task Sigterm_during_a_bench_trial_exits_130_without_an_internal_error_and_leaves_the_lab_green()
    {
        lab.RequireUp();
        var folder = Directory.CreateTempSubdirectory("opsmith-bench-sigterm-").FullName;
        var suite = Path.Combine(folder, "suite.yaml");
        await File.WriteAllTextAsync(suite, """
            apiVersion: opsmith/v1
            kind: BenchSuite
            name: stopped
            instances:
              - {id: crash-demo, fault: service-crash, host: node1, params: {service: demo}, task: mitigation, time_limit: 10m}
            """);
        var start = new System.Diagnostics.ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "opsmith.dll"), "bench", "run", "--suite", suite, "--agent", "none", "--output", Path.Combine(folder, "out"), "--name", lab.Name])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        start.Environment["OPSMITH_HOME"] = Path.Combine(folder, "home");
        using var bench = System.Diagnostics.Process.Start(start)!;
        bench.StandardInput.Close();
        var stdout = bench.StandardOutput.ReadToEndAsync();
        var stderr = bench.StandardError.ReadToEndAsync();

        // When the trial's fault is in (node1's demo answers no more) and SIGTERM arrives
        using (var waiting = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            while ((await ChecksAsync("node1")).All(c => c.Healthy))
            {
                if (bench.HasExited) Assert.Fail($"bench ended before its fault was injected: {await stdout}{await stderr}");
                await Task.Delay(200, waiting.Token);
            }
        using (var kill = System.Diagnostics.Process.Start("kill", ["-s", "TERM", bench.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            await kill.WaitForExitAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3))) await bench.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;

        // Then it stopped as interrupted, said nothing of a bug, and put the fault back: the lab is green again
        Assert.True(bench.ExitCode == 130, $"exit {bench.ExitCode}: {output}");
        Assert.DoesNotContain("internal error", output);
        Assert.DoesNotContain("Exception", output);
        Assert.DoesNotContain("   at ", output);
        var check = await lab.Lab("check");
        Assert.True(check.ExitCode == 0, $"the lab is not green after the stopped trial:\n{check.All}\n{output}");
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Bench_runs_a_suite_with_both_agents_and_writes_the_table_and_chart()
    {
        lab.RequireUp();
        var folder = Directory.CreateTempSubdirectory("opsmith-bench-test-").FullName;
        var suite = Path.Combine(folder, "suite.yaml");
        await File.WriteAllTextAsync(suite, """
            apiVersion: opsmith/v1
            kind: BenchSuite
            name: smoke
            defaults: {time_limit: 40s}
            instances:
              - {id: crash-demo, fault: service-crash, host: node1, params: {service: demo}, task: mitigation}
              - {id: control, fault: none, host: node2, task: detection, expected: {anomaly: false}}
              - {id: crash-detect, fault: service-crash, host: node2, params: {service: nginx}, task: detection, expected: {anomaly: true}, time_limit: 60s}
            """);
        var script = Path.Combine(CliProcess.RepositoryRoot, "bench", "agents", "catalog.yaml");
        foreach (var agent in new[] { "none", $"script:{script}" })
        {
            var output = Path.Combine(folder, agent == "none" ? "none" : "script");
            var run = await CliProcess.RunAsync("bench", "run", "--suite", suite, "--agent", agent, "--output", output, "--name", lab.Name);
            Assert.True(run.ExitCode == 0, run.All);
            var lines = await File.ReadAllLinesAsync(Path.Combine(output, "results.jsonl"));
            Assert.Equal(3, lines.Length);
            var results = lines.Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(r => r.GetProperty("instance_id").GetString()!);
            Assert.True(results.Values.All(r => r.GetProperty("steady_state_restored").GetBoolean()), string.Join("\n", lines));
            Assert.True(results["control"].GetProperty("success").GetBoolean(), lines[1]);
            if (agent == "none")
            {
                Assert.False(results["crash-demo"].GetProperty("success").GetBoolean(), lines[0]);   // nothing restarts a killed service
                Assert.False(results["crash-detect"].GetProperty("success").GetBoolean(), lines[2]);
            }
            else
            {
                Assert.True(results["crash-demo"].GetProperty("success").GetBoolean(), lines[0]);    // restart-systemd-unit repairs it
                Assert.True(results["crash-demo"].GetProperty("time_to_mitigate_seconds").GetDouble() > 0);
                Assert.True(results["crash-detect"].GetProperty("success").GetBoolean(), lines[2]);  // check-systemd-unit finds it
                Assert.True(results["crash-demo"].GetProperty("commands_run").GetInt32() > 0);
            }
            var table = await File.ReadAllTextAsync(Path.Combine(output, "results.md"));
            Assert.Contains("| mitigation |", table);
            XDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "ttm.svg")));
            Assert.True(File.Exists(Path.Combine(output, "summary.json")));
        }
    }
}

/// <summary>lab down removes everything; lab up after a crash cleans the leftovers first.</summary>
[Collection("lab")]
public sealed class LabLifecycleTests
{
    [Fact]
    public async Task Down_leaves_no_namespace_process_mount_link_or_file_and_up_recovers_from_a_crash()
    {
        Assert.True(Environment.IsPrivilegedProcess, "the lab tests need root");
        var name = LabFixture.NameFor('d');
        var up = await CliProcess.RunAsync("lab", "up", "--name", name, "--hosts", "3");
        Assert.True(up.ExitCode == 0, up.All);
        var folder = up.Stdout.Split("Inventory:")[1].Trim().Split('\n')[0].Trim();
        folder = Path.GetDirectoryName(folder)!;

        // Leave work behind: a CPU hog and a runaway log writer are running when the "crash" happens.
        Assert.Equal(0, (await CliProcess.RunAsync("lab", "inject", "cpu-hog", "--host", "node1", "--param", "threads=1", "--name", name)).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync("lab", "inject", "log-explosion", "--host", "node2", "--name", name)).ExitCode);
        File.Delete(Path.Combine(folder, "state.json"));   // as if the machine lost track of the lab

        var again = await CliProcess.RunAsync("lab", "up", "--name", name, "--hosts", "3");
        Assert.True(again.ExitCode == 0, again.All);
        var check = await CliProcess.RunAsync("lab", "check", "--name", name);
        Assert.True(check.ExitCode == 0, check.All);

        var down = await CliProcess.RunAsync("lab", "down", "--name", name);
        Assert.True(down.ExitCode == 0, down.All);
        var prefix = $"osl-{name}";
        var namespaces = await Shell("ip netns list");
        Assert.DoesNotContain(prefix, namespaces);
        Assert.DoesNotContain(prefix, await Shell("ip -o link show"));
        Assert.DoesNotContain(prefix, await Shell("cat /proc/*/mountinfo 2>/dev/null"));
        Assert.DoesNotContain(folder, await Shell("cat /proc/*/cmdline 2>/dev/null | tr '\\0' ' '"));
        Assert.False(Directory.Exists(folder), $"{folder} still exists");
        var second = await CliProcess.RunAsync("lab", "down", "--name", name);
        Assert.True(second.ExitCode == 0 && second.Stdout.Contains("not up"), second.All);
    }

    private static async Task<string> Shell(string script)
    {
        var result = await Opsmith.Execution.Processes.LocalProcess.RunAsync("/bin/sh", ["-c", script], TimeSpan.FromSeconds(30), CancellationToken.None);
        return result.Stdout;
    }
}
