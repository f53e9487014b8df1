using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Opsmith.Execution.Hosts;

/// <summary>
/// A long-lived <c>/bin/sh</c> that runs commands sent on its stdin, locally or at the far end of one SSH
/// session. Starting a process (or an SSH session, ~110 ms here) per command is what makes remote
/// execution slow; one shell per host brings a command down to a few milliseconds.
///
/// Protocol: a driver function is defined once. Each command is sent base64-encoded (so no byte of it is
/// interpreted by the driver), runs as <c>sh -c</c> in its own session and process group (setsid) with
/// stdin from /dev/null, under a watchdog that kills the whole group at the timeout. The driver then prints
/// an end marker carrying a per-command random id and the exit code on stdout, and an end marker on stderr,
/// so both streams are framed and can never be confused with the command's own output.
/// </summary>
internal sealed class ShellSession : IAsyncDisposable
{
    private const string Driver = """
        __opsmith_run() {
          __o_id=$1
          __o_cmd=$(printf '%s' "$3" | base64 -d) || __o_cmd='exit 126'
          setsid sh -c "$__o_cmd" </dev/null &
          __o_pid=$!
          printf '__OPSMITH_PID_%s %s\n' "$__o_id" "$__o_pid" >&2
          setsid sh -c 'sleep "$1"; printf "\n__OPSMITH_TIMEOUT_%s\n" "$2" >&2; kill -TERM -"$3" 2>/dev/null; sleep 2; kill -KILL -"$3" 2>/dev/null' opsmith-watchdog "$2" "$__o_id" "$__o_pid" </dev/null >/dev/null &
          __o_wd=$!
          wait "$__o_pid"
          __o_rc=$?
          kill -TERM -"$__o_wd" 2>/dev/null
          printf '\n__OPSMITH_END_%s %s\n' "$__o_id" "$__o_rc"
          printf '\n__OPSMITH_END_%s\n' "$__o_id" >&2
        }
        for __o_tool in setsid base64 sleep kill; do
          command -v "$__o_tool" >/dev/null 2>&1 || printf '__OPSMITH_MISSING %s\n' "$__o_tool"
        done
        printf '__OPSMITH_READY\n'

        """;

    private readonly Process _process;
    private readonly Channel<string?> _stdout = Channel.CreateUnbounded<string?>();
    private readonly Channel<string?> _stderr = Channel.CreateUnbounded<string?>();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Func<int, Task> _killProcessGroup;
    private readonly List<string> _startupErrors = [];
    private bool _broken;

    private ShellSession(Process process, Func<int, Task> killProcessGroup)
    {
        _process = process;
        _killProcessGroup = killProcessGroup;
        _ = Pump(process.StandardOutput, _stdout);
        _ = Pump(process.StandardError, _stderr);
    }

    /// <summary>
    /// Starts the process and waits until the driver answers. When it never does (the process exited, or the
    /// deadline passed) the session is null and the error holds what the process said on stderr.
    /// </summary>
    public static async Task<(ShellSession? Session, string? Error)> StartAsync(
        ProcessStartInfo start, Func<int, Task> killProcessGroup, TimeSpan readyTimeout, CancellationToken ct)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FileNotFoundException)
        {
            process.Dispose();
            return (null, $"cannot start '{start.FileName}': {e.Message}");
        }
        var session = new ShellSession(process, killProcessGroup);
        await session.WriteAsync(Driver);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(readyTimeout);
        var missing = new List<string>();
        try
        {
            while (true)
            {
                var line = await session._stdout.Reader.ReadAsync(deadline.Token);
                if (line is null) break;
                if (line.StartsWith("__OPSMITH_MISSING ", StringComparison.Ordinal)) missing.Add(line[18..]);
                if (line == "__OPSMITH_READY")
                {
                    if (missing.Count == 0) return (session, null);
                    await session.DisposeAsync();
                    return (null, $"the host lacks {string.Join(", ", missing)} (Opsmith needs setsid, base64, sleep and kill: util-linux and coreutils)");
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            session._startupErrors.Add($"no answer within {readyTimeout.TotalSeconds:0} s");
        }
        await session.DrainStartupErrorsAsync();
        await session.DisposeAsync();
        ct.ThrowIfCancellationRequested();
        return (null, string.Join("\n", session._startupErrors));
    }

    public async Task<CommandResult> RunAsync(string command, CommandLimits limits, CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(CancellationToken.None);
        var watch = Stopwatch.StartNew();
        try
        {
            if (_broken) return CommandResult.Unreachable("the connection was lost earlier in this run", watch.Elapsed);
            var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
            var timeoutSeconds = Math.Max(1, (int)Math.Ceiling(limits.Timeout.TotalSeconds));
            var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(command));
            if (!await WriteAsync($"__opsmith_run {id} {timeoutSeconds} '{encoded}'\n"))
                return Lost(watch, "the shell on the host is gone");

            var stdout = new CappedText(limits.MaxOutputChars);
            var stderr = new CappedText(limits.MaxOutputChars);
            var pid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var timedOut = false;
            var readStderr = ReadFramedAsync(_stderr, $"__OPSMITH_END_{id}", stderr, line =>
            {
                if (line.StartsWith($"__OPSMITH_PID_{id} ", StringComparison.Ordinal))
                {
                    pid.TrySetResult(int.Parse(line.AsSpan(line.IndexOf(' ') + 1), System.Globalization.CultureInfo.InvariantCulture));
                    return true;
                }
                if (line == $"__OPSMITH_TIMEOUT_{id}")
                {
                    timedOut = true;
                    stderr.DropTrailingEmptyLine();
                    return true;
                }
                return false;
            });
            var endMarker = $"__OPSMITH_END_{id} ";
            int? exitCode = null;
            var readStdout = ReadFramedAsync(_stdout, endMarker, stdout, _ => false, line => exitCode = int.Parse(line[endMarker.Length..], System.Globalization.CultureInfo.InvariantCulture));

            var canceled = false;
            // The remote watchdog enforces the timeout; this is only a safety net if the far end stops answering.
            using var safety = new CancellationTokenSource(limits.Timeout + TimeSpan.FromSeconds(15));
            using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, safety.Token);
            try
            {
                await Task.WhenAll(readStdout, readStderr).WaitAsync(either.Token);
            }
            catch (OperationCanceledException)
            {
                canceled = ct.IsCancellationRequested;
                if (pid.Task.IsCompleted) await _killProcessGroup(pid.Task.Result);
                try
                {
                    await Task.WhenAll(readStdout, readStderr).WaitAsync(TimeSpan.FromSeconds(5));
                }
                catch (TimeoutException)
                {
                    _broken = true;
                    return new CommandResult(canceled ? CommandStatus.Canceled : CommandStatus.Unreachable, -1, stdout.Text, stderr.Text,
                        watch.Elapsed, canceled ? "cancelled" : "the host stopped answering", stdout.Truncated || stderr.Truncated);
                }
            }
            if (!await readStdout || !await readStderr || exitCode is null) return Lost(watch, "the connection was lost while the command ran", stdout, stderr);

            var status = canceled ? CommandStatus.Canceled : timedOut ? CommandStatus.TimedOut : CommandStatus.Completed;
            var error = status switch
            {
                CommandStatus.TimedOut => $"timed out after {DescribeTimeout(limits.Timeout)}; the command and its process group were killed",
                CommandStatus.Canceled => "cancelled; the command and its process group were killed",
                _ => null,
            };
            return new CommandResult(status, exitCode.Value, stdout.Text, stderr.Text, watch.Elapsed, error, stdout.Truncated || stderr.Truncated);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private CommandResult Lost(Stopwatch watch, string why, CappedText? stdout = null, CappedText? stderr = null)
    {
        _broken = true;
        return new CommandResult(CommandStatus.Unreachable, -1, stdout?.Text ?? "", stderr?.Text ?? "", watch.Elapsed, why);
    }

    private static string DescribeTimeout(TimeSpan t) => t.TotalSeconds < 60 ? $"{t.TotalSeconds:0.#} s" : $"{t.TotalMinutes:0.#} min";

    /// <summary>Reads lines into <paramref name="text"/> until the end marker. False when the stream ended first.</summary>
    private static async Task<bool> ReadFramedAsync(Channel<string?> channel, string endMarker, CappedText text,
        Func<string, bool> isControlLine, Action<string>? onEnd = null)
    {
        while (true)
        {
            var line = await channel.Reader.ReadAsync();
            if (line is null) return false;
            if (line.StartsWith(endMarker, StringComparison.Ordinal))
            {
                onEnd?.Invoke(line);
                return true;
            }
            if (!isControlLine(line)) text.AppendLine(line);
        }
    }

    private async Task DrainStartupErrorsAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            while (await _stderr.Reader.ReadAsync(deadline.Token) is { } line)
                if (!string.IsNullOrWhiteSpace(line)) _startupErrors.Add(line.Trim());
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException) { }
    }

    private async Task<bool> WriteAsync(string text)
    {
        try
        {
            await _process.StandardInput.WriteAsync(text);
            await _process.StandardInput.FlushAsync();
            return true;
        }
        catch (IOException) { return false; }
        catch (ObjectDisposedException) { return false; }
    }

    private static async Task Pump(StreamReader reader, Channel<string?> channel)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line) await channel.Writer.WriteAsync(line);
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        await channel.Writer.WriteAsync(null);
        channel.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // the shell reads EOF and exits
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        _process.Dispose();
        _oneAtATime.Dispose();
    }

    /// <summary>Collects output up to a cap, then counts what was dropped and says so at the end.</summary>
    private sealed class CappedText(int cap)
    {
        private readonly StringBuilder _text = new();
        private long _dropped;
        private bool _first = true;

        public bool Truncated => _dropped > 0;

        public string Text => _dropped == 0 ? _text.ToString() : $"{_text}\n[... output truncated: {_dropped} more characters ...]";

        public void AppendLine(string line)
        {
            var piece = _first ? line : "\n" + line;
            _first = false;
            var room = cap - _text.Length;
            if (room >= piece.Length) _text.Append(piece);
            else
            {
                if (room > 0) _text.Append(piece.AsSpan(0, room));
                _dropped += piece.Length - Math.Max(0, room);
            }
        }

        public void DropTrailingEmptyLine()
        {
            if (_text.Length > 0 && _text[^1] == '\n' && _dropped == 0) _text.Length--;
        }
    }
}
