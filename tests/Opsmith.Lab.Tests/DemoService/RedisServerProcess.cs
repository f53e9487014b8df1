using System.Diagnostics;
using System.Text;
using Opsmith.Lab.DemoService;

namespace Opsmith.Lab.Tests.DemoService;

/// <summary>
/// A throwaway redis-server (Debian's redis-server package) as a child process on a free loopback port, without
/// persistence; killed and its folder deleted on dispose.
/// </summary>
internal sealed class RedisServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private RedisServerProcess(Process process, StringBuilder output, int port, string folder)
    {
        _process = process;
        _output = output;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }
    public string Folder { get; }

    public static async Task<RedisServerProcess> StartAsync()
    {
        var binary = FindOnPath("redis-server") ?? throw new InvalidOperationException(
            "redis-server was not found on PATH. The demo service tests need a real redis: apt-get install -y redis-server");
        var port = LoopbackPort.Free();
        var folder = Directory.CreateTempSubdirectory("opsmith-redis-").FullName;
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[] { "--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder, "--daemonize", "no" })
            info.ArgumentList.Add(argument);
        var output = new StringBuilder();
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start redis-server");
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServerProcess(process, output, port, folder);
        try
        {
            await server.WaitUntilAnsweringAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Kills redis-server at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Sends a signal by name (STOP hangs redis with its sockets open, CONT resumes it).</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-s", name, $"{_process.Id}"]) ?? throw new InvalidOperationException("cannot start kill");
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -s {name} {_process.Id} failed (exit {kill.ExitCode})");
    }

    /// <summary>Runs <c>redis-cli -p PORT args</c> and returns what it printed.</summary>
    public async Task<string> CliAsync(params string[] args)
    {
        var info = new ProcessStartInfo("redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", $"{Port}" }.Concat(args)) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start redis-cli");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"redis-cli {string.Join(' ', args)} failed (exit {process.ExitCode}): {await stdout}{await stderr}");
        return (await stdout).Trim();
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        finally
        {
            _process.Dispose();
            try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        }
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var client = new RedisClient("127.0.0.1", Port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} on start:\n{OutputSoFar()}");
            var pong = await client.ExecuteAsync(["PING"], TimeSpan.FromSeconds(1), CancellationToken.None);
            if (pong.Failure is null) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"redis-server on port {Port} did not answer PING within 15 s ({pong.Failure}):\n{OutputSoFar()}");
            await Task.Delay(20);
        }
    }

    private string OutputSoFar()
    {
        lock (_output) return _output.ToString();
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
