using Opsmith.Execution.Hosts;
using Opsmith.Execution.Processes;

namespace Opsmith.Execution.Tests.Hosts;

/// <summary>
/// The sandbox's shell text on hosts laid out in different ways: each case runs in a mount namespace of its own (as
/// root, like the test hosts) where the layout is made first, then the sandbox, then a read step that reads the host's
/// files in /tmp and /var/tmp and writes its own there. The host's directories must not change.
/// </summary>
public sealed class ReadSandboxScriptTests
{
    /// <summary>How to lay the host out, and what the step then reads at /var/tmp's copy of the file (null: no /var/tmp).</summary>
    public static TheoryData<string, string, string?> Layouts => new()
    {
        { "both directories", "", "var" },
        { "/var/tmp a link to /tmp", "mount -t tmpfs opsmith-test /var && ln -s /tmp /var/tmp", "tmp" },
        { "/var/tmp the same directory as /tmp, bind-mounted", "mount --bind /tmp /var/tmp", "tmp" },
        { "no /var/tmp", "mount -t tmpfs opsmith-test /var", null },
        {
            "/var/tmp a link to a directory inside /tmp",
            $"mkdir -p {LinkedVarTmp} && echo linked > {LinkedVarTmp}/$NAME && mount -t tmpfs opsmith-test /var && ln -s {LinkedVarTmp} /var/tmp",
            "linked"
        },
    };

    private const string LinkedVarTmp = "/tmp/opsmith-layout-linked-var-tmp";

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task A_read_step_gets_a_private_writable_tmp_and_var_tmp_that_show_the_hosts_files(string layout, string makeLayout, string? seenInVarTmp)
    {
        var name = $"opsmith-layout-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync($"/tmp/{name}", "tmp\n");
        await File.WriteAllTextAsync($"/var/tmp/{name}", "var\n");
        try
        {
            var varTmp = seenInVarTmp is null
                ? "echo none; echo mine-var"
                : $"cat /var/tmp/{name}; echo mine-var > /var/tmp/{name}.mine && cat /var/tmp/{name}.mine";
            var step = $"""
                NAME={name}
                {makeLayout}
                {ReadSandboxScript.Setup}
                cat /tmp/{name}
                echo mine > /tmp/{name}.mine && cat /tmp/{name}.mine
                {varTmp}
                touch /etc/{name} 2>/dev/null && echo etc-writable
                true
                """;

            var result = await LocalProcess.RunAsync("unshare", ["--mount", "--propagation", "private", "sh", "-c", step],
                TimeSpan.FromSeconds(60), CancellationToken.None);

            Assert.True(result.Succeeded, $"{layout}: exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
            Assert.Equal($"tmp\nmine\n{seenInVarTmp ?? "none"}\nmine-var\n", result.Stdout);
            foreach (var left in new[] { $"/tmp/{name}.mine", $"/var/tmp/{name}.mine", $"/etc/{name}" })
                Assert.False(File.Exists(left), $"{layout}: a read step wrote {left} on the host");
            Assert.Equal("tmp\n", await File.ReadAllTextAsync($"/tmp/{name}"));
            Assert.Equal("var\n", await File.ReadAllTextAsync($"/var/tmp/{name}"));
        }
        finally
        {
            foreach (var path in new[] { $"/tmp/{name}", $"/var/tmp/{name}", $"/tmp/{name}.mine", $"/var/tmp/{name}.mine", $"/etc/{name}" })
                File.Delete(path);
            if (Directory.Exists(LinkedVarTmp))
            {
                Assert.False(File.Exists($"{LinkedVarTmp}/{name}.mine"), $"{layout}: a read step wrote into the host's {LinkedVarTmp}");
                Directory.Delete(LinkedVarTmp, recursive: true);
            }
        }
    }
}
