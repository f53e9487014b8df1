using System.Text.RegularExpressions;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>The skill docs/getting-started.md asks a new user to write validates, and its commands run.</summary>
public sealed partial class GettingStartedTests
{
    private static string SkillFromDoc()
    {
        var doc = File.ReadAllText(Path.Combine(CliProcess.RepositoryRoot, "docs", "getting-started.md"));
        return YamlBlock().Matches(doc).Select(m => m.Groups[1].Value).Single(b => b.Contains("kind: Skill", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_first_skill_validates_strictly_and_runs_against_a_local_web_server()
    {
        using var temp = new TempFolder();
        var skill = temp.Write("my-skills/nginx-answers.yaml", SkillFromDoc());
        var inventory = temp.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        // nginx itself may not be on this machine: a tiny HTTP server and a stand-in `nginx` on PATH play its part.
        var bin = Directory.CreateDirectory(Path.Combine(temp.Path, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "nginx"), "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(Path.Combine(bin, "nginx"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        using var listener = new System.Net.HttpListener();
        var port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                try { var c = await listener.GetContextAsync(); c.Response.StatusCode = 200; c.Response.Close(); }
                catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException) { break; }
            }
        });
        var environment = new Dictionary<string, string> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" };

        var validate = await CliProcess.RunAsync(["validate", "--strict", Path.GetDirectoryName(skill)!], environment);
        var run = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--input", "host=self", "--input", $"port={port}", "--execute",
            "--output", "json"], environment);

        // The page says the run "prints http_status per host": in text, as a person runs it, not only in JSON.
        var text = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--input", "host=self", "--input", $"port={port}", "--execute"], environment);

        Assert.True(validate.ExitCode == 0, validate.All);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("\"http_status\": \"200\"", run.Stdout);
        Assert.True(text.ExitCode == 0, text.All);
        Assert.Contains("http_status: 200", text.Stdout);
        listener.Stop();
        await serving;
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
