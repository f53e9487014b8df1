using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Opsmith.Storage.Tests.Support;

/// <summary>
/// Opsmith.Storage.Writer running as a real, separate process. Collects the sequence numbers it reports
/// as committed ("committed N", printed only after the append returned).
/// </summary>
public sealed class WriterProcess : IDisposable
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "Opsmith.Storage.Writer.dll");
    private readonly Process _process;
    private readonly ConcurrentQueue<long> _committed = new();
    private readonly TaskCompletionSource _firstCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _stdout;
    private readonly Task<string> _stderr;

    private WriterProcess(Process process)
    {
        _process = process;
        _stdout = Task.Run(ReadStdoutAsync);
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public string RunId { get; private init; } = "";
    public bool Finished { get; private set; }
    public IReadOnlyCollection<long> Committed => _committed;

    /// <param name="waitForGo">Open the trail, report ready, and append only after <see cref="Go"/>.</param>
    /// <param name="pauseMilliseconds">Pause between appends, as the executor does while a command runs.</param>
    public static WriterProcess Start(IReadOnlyList<string> trail, string runId, int count, int batch, bool waitForGo = false,
        int pauseMilliseconds = 0)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Dll }.Concat(trail).Concat(["--run", runId, "--count", Num(count), "--batch", Num(batch)]))
            info.ArgumentList.Add(a);
        if (pauseMilliseconds > 0) { info.ArgumentList.Add("--pause-ms"); info.ArgumentList.Add(Num(pauseMilliseconds)); }
        if (waitForGo) { info.ArgumentList.Add("--wait-for-go"); info.ArgumentList.Add("yes"); }
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the writer process");
        if (!waitForGo) process.StandardInput.Close();
        return new WriterProcess(process) { RunId = runId };
    }

    /// <summary>Completes once the writer has committed its first record (the run has started).</summary>
    public Task FirstCommit => _firstCommit.Task;

    /// <summary>Completes once a writer started with waitForGo has opened the trail.</summary>
    public Task Ready => _ready.Task;

    public void Go()
    {
        _process.StandardInput.WriteLine("go");
        _process.StandardInput.Close();
    }

    /// <summary>SIGKILL: no chance to finish a transaction, flush or clean up.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await WaitAsync();
    }

    /// <summary>Waits for the process to end and its output to be read; fails on a crash other than our kill.</summary>
    public async Task<int> WaitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(1));
        await _process.WaitForExitAsync(cancel.Token);
        await _stdout;
        return _process.ExitCode;
    }

    public async Task<string> StderrAsync() => await _stderr;

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }

    private async Task ReadStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("committed ", StringComparison.Ordinal))
            {
                _committed.Enqueue(long.Parse(line["committed ".Length..], CultureInfo.InvariantCulture));
                _firstCommit.TrySetResult();
            }
            else if (line == "ready") _ready.TrySetResult();
            else if (line == "done") Finished = true;
        }
        var stderr = await _stderr;   // what the writer said is the only clue when it ends early
        _ready.TrySetException(new InvalidOperationException($"the writer ended before it was ready: {stderr}"));
        _firstCommit.TrySetException(new InvalidOperationException($"the writer ended before committing anything: {stderr}"));
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
