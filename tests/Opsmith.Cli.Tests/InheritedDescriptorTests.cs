using System.Diagnostics;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>
/// A descriptor Opsmith inherits (a lock held by <c>flock LOCK opsmith lab up</c>, a CI step's pipe) is not handed
/// on to what Opsmith starts: a lab's services would otherwise hold the lock for as long as the lab runs.
/// </summary>
public sealed class InheritedDescriptorTests
{
    [Fact]
    public async Task Commands_opsmith_starts_do_not_inherit_the_descriptors_opsmith_was_given()
    {
        using var home = new TempFolder();
        var marker = home.Write("held-lock", "");
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var skill = home.Write("skill.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: list-descriptors, title: List descriptors, description: What a step's process has open., stage: diagnosis}
            spec:
              targets: self
              risk: read
              actions:
                - {name: descriptors, run: ls -l /proc/self/fd/}
            """);

        // The control: a shell's children do inherit descriptor 200, so the assertion below can fail.
        var control = await ShellAsync($"exec 200<{CliProcess.Quote(marker)}; ls -l /proc/self/fd/", home.Path);
        Assert.Contains(marker, control);

        var dll = Path.Combine(AppContext.BaseDirectory, "opsmith.dll");
        var output = await ShellAsync(
            $"exec 200<{CliProcess.Quote(marker)}; exec dotnet {CliProcess.Quote(dll)} run {CliProcess.Quote(skill)} " +
            $"-i {CliProcess.Quote(inventory)} --execute --output json", home.Path);
        Assert.Contains("\"descriptors\"", output);
        Assert.Contains("/proc/", output);   // the step ran and listed its descriptors
        Assert.DoesNotContain(marker, output);
    }

    private static async Task<string> ShellAsync(string script, string home)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["OPSMITH_HOME"] = home;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return await stdout + await stderr;
    }
}
