using Opsmith.Execution.Hosts;
using Opsmith.Execution.Tests.Support;
using Opsmith.Testing;

namespace Opsmith.Execution.Tests.Hosts;

/// <summary>The command protocol, over SSH through the bastion and on the local host alike.</summary>
public sealed class ShellSessionTests(SshClusterFixture fixture) : IClassFixture<SshClusterFixture>
{
    public static TheoryData<string> Hosts => new() { "node1", "self" };

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Stdout_stderr_and_exit_code_are_kept_apart(string name)
    {
        await using var connector = Connect.Connector(fixture.Cluster);
        var host = await Connect.HostAsync(connector, name);

        var result = await Connect.RunAsync(host, "echo out; echo err >&2; exit 3");

        Assert.Equal(CommandStatus.Completed, result.Status);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Output_is_exact_without_trailing_newline_and_with_marker_lookalikes(string name)
    {
        await using var connector = Connect.Connector(fixture.Cluster);
        var host = await Connect.HostAsync(connector, name);

        var bare = await Connect.RunAsync(host, "printf abc");
        var lookalike = await Connect.RunAsync(host, "printf '__OPSMITH_END_0 0\\n\\nline\\n'");
        var empty = await Connect.RunAsync(host, "true");

        Assert.Equal("abc", bare.Stdout);
        Assert.Equal("__OPSMITH_END_0 0\n\nline\n", lookalike.Stdout);
        Assert.Equal("", empty.Stdout);
        Assert.Equal(0, empty.ExitCode);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Commands_on_one_host_share_one_shell_session_but_not_state(string name)
    {
        await using var connector = Connect.Connector(fixture.Cluster);
        var host = await Connect.HostAsync(connector, name);

        await Connect.RunAsync(host, "cd /tmp; export OPSMITH_LEAK=1");
        var after = await Connect.RunAsync(host, "echo \"${OPSMITH_LEAK:-unset}\"");

        Assert.Equal("unset\n", after.Stdout);
        Assert.Equal("1", (await Connect.RunAsync(host, "exit 1")).ExitCode.ToString());
        Assert.Equal(0, (await Connect.RunAsync(host, "true")).ExitCode); // an exit in one command does not end the session
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Timeout_kills_the_command_and_everything_it_started(string name)
    {
        await using var connector = Connect.Connector(fixture.Cluster);
        var host = await Connect.HostAsync(connector, name);
        var pidFile = Path.Combine(Path.GetTempPath(), $"opsmith-timeout-{Guid.NewGuid():N}");

        var result = await Connect.RunAsync(host, $"sleep 300 & echo $! > {pidFile}; wait", timeoutSeconds: 1);

        Assert.Equal(CommandStatus.TimedOut, result.Status);
        Assert.Contains("timed out after 1 s", result.Error);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        await WaitUntil(() => !Directory.Exists($"/proc/{pid}"));
        Assert.False(Directory.Exists($"/proc/{pid}"), $"background child {pid} survived the timeout");
        Assert.Equal("still works\n", (await Connect.RunAsync(host, "echo still works")).Stdout);
        File.Delete(pidFile);
    }

    [Fact]
    public async Task A_sandboxed_command_that_times_out_is_killed_with_everything_it_started()
    {
        await using var connector = Connect.Connector(fixture.Cluster);
        var host = await Connect.HostAsync(connector, "node1");
        var sandbox = await host.ReadSandboxAsync(CancellationToken.None);

        // The sandbox's /tmp is private, so the child's pid comes back on stdout.
        var result = await host.RunAsync("sleep 300 & echo $!; wait", new CommandLimits(TimeSpan.FromSeconds(1)), sandbox, CancellationToken.None);

        Assert.Equal(ReadSandbox.MountNamespace, sandbox); // sshd runs as root here
        Assert.Equal(CommandStatus.TimedOut, result.Status);
        var pid = int.Parse(result.Stdout.Trim());
        await WaitUntil(() => !Directory.Exists($"/proc/{pid}"));
        Assert.False(Directory.Exists($"/proc/{pid}"), $"background child {pid} survived the timeout");
        Assert.Equal("still works\n", (await host.RunAsync("echo still works", CommandLimits.Default, sandbox, CancellationToken.None)).Stdout);
    }

    [Fact]
    public async Task Read_steps_of_a_session_see_the_host_as_it_is_now_read_only_each_with_a_fresh_private_tmp()
    {
        // The session builds its read-only view once and keeps it: each step must still see the host's current files and
        // mounts, and a /tmp of its own.
        await using var connector = Connect.Connector(fixture.Cluster);
        var host = await Connect.HostAsync(connector, "node1");
        var sandbox = await host.ReadSandboxAsync(CancellationToken.None);
        Assert.Equal(ReadSandbox.MountNamespace, sandbox); // sshd runs as root here
        var mountPoint = $"/run/opsmith-sandbox-test-{Guid.NewGuid():N}";
        var marker = $"/tmp/opsmith-sandbox-marker-{Guid.NewGuid():N}";
        var onHost = $"/tmp/opsmith-sandbox-host-{Guid.NewGuid():N}";
        Task<CommandResult> Read(string command) => host.RunAsync(command, CommandLimits.Default, sandbox, CancellationToken.None);

        var first = await Read($"echo mine > {marker}; cat {marker}; touch /etc/opsmith-sandbox-test");
        await File.WriteAllTextAsync(onHost, "host\n");
        var second = await Read($"cat {marker} 2>/dev/null || echo no-marker; cat {onHost}");
        File.Delete(onHost);
        var third = await Read($"cat {onHost} 2>/dev/null || echo gone; readlink /proc/self/ns/mnt");

        Assert.Equal("mine", first.Stdout.Trim()); // a read may write to its private /tmp...
        Assert.Contains("Read-only file system", first.Stderr); // ...and nowhere else
        Assert.False(File.Exists("/etc/opsmith-sandbox-test"));
        Assert.False(File.Exists(marker)); // the private /tmp is not the host's
        Assert.Equal("no-marker\nhost", second.Stdout.Trim()); // nor the next step's; a file the host wrote meanwhile shows
        var lines = third.Stdout.Trim().Split('\n');
        Assert.Equal("gone", lines[0]); // and one the host deleted is gone
        // No process is left in a step's namespace once the step is over
        Assert.NotEqual(File.ResolveLinkTarget("/proc/self/ns/mnt", false)!.ToString(), lines[1]);
        Assert.Empty(ProcessesIn(lines[1]));

        // A mount made on the host after the view was built: the next read step sees it, read-only
        Directory.CreateDirectory(mountPoint);
        var mounted = await Processes.LocalProcess.RunAsync("mount", ["-t", "tmpfs", "opsmith-test", mountPoint], TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.True(mounted.Succeeded, mounted.Stderr);
        try
        {
            var fourth = await Read($"grep -c ' {mountPoint} ' /proc/self/mountinfo; touch {mountPoint}/f");
            Assert.Equal("1", fourth.Stdout.Trim());
            Assert.Contains("Read-only file system", fourth.Stderr);
            Assert.False(File.Exists($"{mountPoint}/f"));
        }
        finally
        {
            await Processes.LocalProcess.RunAsync("umount", [mountPoint], TimeSpan.FromSeconds(10), CancellationToken.None);
            Directory.Delete(mountPoint);
        }
    }

    [Fact]
    public async Task A_read_step_runs_in_the_sessions_directory_like_every_other_step()
    {
        // Entering the kept view (nsenter) moves a process to the namespace's root: relative paths in a read step must
        // still mean what they mean in a write step.
        await using var connector = Connect.Connector(fixture.Cluster);
        var host = await Connect.HostAsync(connector, "node1");
        var sandbox = await host.ReadSandboxAsync(CancellationToken.None);
        Assert.NotEqual(ReadSandbox.None, sandbox);

        var plain = await host.RunAsync("pwd", CommandLimits.Default, CancellationToken.None);
        var first = await host.RunAsync("pwd", CommandLimits.Default, sandbox, CancellationToken.None);
        var second = await host.RunAsync("pwd", CommandLimits.Default, sandbox, CancellationToken.None);

        Assert.Equal(0, plain.ExitCode);
        Assert.NotEqual("/", plain.Stdout.Trim()); // sshd starts the session in the user's home
        Assert.Equal(plain.Stdout, first.Stdout);
        Assert.Equal(plain.Stdout, second.Stdout);
    }

    /// <summary>The pids of processes in the mount namespace <paramref name="id"/> (as readlink prints it).</summary>
    private static List<string> ProcessesIn(string id) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(p => p!.All(char.IsAsciiDigit))
            .Where(p =>
            {
                try { return File.ResolveLinkTarget($"/proc/{p}/ns/mnt", false)?.ToString() == id; }
                catch (IOException) { return false; }
                catch (UnauthorizedAccessException) { return false; }
            })
            .Select(p => p!).ToList();

    [Fact]
    public async Task Cancellation_kills_the_remote_command()
    {
        await using var connector = Connect.Connector(fixture.Cluster);
        var host = await Connect.HostAsync(connector, "node2");
        var pidFile = Path.Combine(Path.GetTempPath(), $"opsmith-cancel-{Guid.NewGuid():N}");
        using var cancel = new CancellationTokenSource();

        var running = host.RunAsync($"echo $$ > {pidFile}; sleep 300", new CommandLimits(TimeSpan.FromMinutes(5)), cancel.Token);
        await WaitUntil(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0);
        cancel.Cancel();
        var result = await running;

        Assert.Equal(CommandStatus.Canceled, result.Status);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        await WaitUntil(() => !Directory.Exists($"/proc/{pid}"));
        Assert.False(Directory.Exists($"/proc/{pid}"));
        File.Delete(pidFile);
    }

    [Fact]
    public async Task Output_beyond_the_cap_is_cut_with_a_visible_marker()
    {
        await using var connector = Connect.Connector(fixture.Cluster);
        var host = await Connect.HostAsync(connector, "self");

        var result = await host.RunAsync("yes 0123456789 | head -n 20000", new CommandLimits(TimeSpan.FromSeconds(30), MaxOutputChars: 1000), CancellationToken.None);

        Assert.True(result.Truncated);
        Assert.StartsWith("0123456789\n0123456789", result.Stdout);
        Assert.EndsWith("[... output truncated: 219000 more characters ...]", result.Stdout);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(50);
    }
}
