using System.Diagnostics;
using System.Text;

namespace Opsmith.Execution.Processes;

/// <summary>What a finished (or stopped) local process produced. A non-zero exit is a result, not an exception.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, TimeSpan Duration, bool TimedOut, string? StartError)
{
    public bool Started => StartError is null;
    public bool Succeeded => Started && !TimedOut && ExitCode == 0;
}

/// <summary>
/// Runs a local program with arguments (never through a shell unless the caller asks for /bin/sh), writes
/// <c>standardInput</c> (if any) and closes its stdin, captures its output, and stops it on timeout or cancellation.
/// </summary>
internal static class LocalProcess
{
    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout,
        CancellationToken cancellationToken, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;

        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FileNotFoundException)
        {
            return new ProcessResult(-1, "", "", watch.Elapsed, false, $"could not start '{program}': {e.Message}");
        }
        if (standardInput is not null)
        {
            try { await process.StandardInput.WriteAsync(standardInput); }
            catch (IOException) { }   // it exited before reading: its output says why
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr, watch.Elapsed, timedOut, null);
    }

    /// <summary>Finds a program on PATH, or null.</summary>
    public static string? Which(string program)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
