using System.Diagnostics;

namespace Opsmith.Cli.Tests.Support;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string All => Stdout + Stderr;
}

/// <summary>Runs the built opsmith tool as a separate process, the way a user or a script does.</summary>
public static class CliProcess
{
    public static readonly string RepositoryRoot = FindRepositoryRoot();
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "opsmith.dll");

    /// <summary>One home per test process: runs of earlier test sessions never count against rate limits.</summary>
    private static readonly string SharedHome = Directory.CreateTempSubdirectory("opsmith-cli-tests-home-").FullName;

    public static async Task<CliResult> RunAsync(params string[] args) => await RunAsync(args, null);

    public static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment,
        string? workingDirectory = null, bool pseudoTerminal = false)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
        };
        if (pseudoTerminal)
        {
            // util-linux `script` gives the tool a real terminal, so colour detection can be tested.
            info.FileName = "script";
            var command = string.Join(' ', new[] { "dotnet", Dll }.Concat(args).Select(Quote));
            foreach (var a in new[] { "-qefc", command, "/dev/null" }) info.ArgumentList.Add(a);
        }
        else
        {
            info.FileName = "dotnet";
            info.ArgumentList.Add(Dll);
            foreach (var a in args) info.ArgumentList.Add(a);
        }
        info.Environment.Remove("NO_COLOR");
        info.Environment["OPSMITH_HOME"] = SharedHome;
        // Most CLI tests are about running, not approving; the approval tests set their own autonomy.
        info.Environment["OPSMITH_AUTONOMY"] = "automate-destructive";
        if (environment is not null)
            foreach (var (k, v) in environment) info.Environment[k] = v;

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    private static string FindRepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Opsmith.slnx"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Opsmith.slnx)");
    }
}
