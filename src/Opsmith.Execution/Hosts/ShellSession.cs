using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Opsmith.Execution.Hosts;

/// <summary>
/// A long-lived <c>/bin/sh</c> that runs commands sent on its stdin, locally or at the far end of one SSH
/// session. Starting a process (or an SSH session, ~110 ms here) per command is what makes remote
/// execution slow; one shell per host brings a command down to a few milliseconds.
///
/// Protocol: a driver function is defined once. Each command is sent as a quoted here-document (so no byte of
/// it is interpreted by the driver) whose end line carries a random id, and runs in a shell of its own with
/// stdin from /dev/null, under GNU timeout, which puts it in its own process group and signals the whole group
/// at the timeout (TERM, then KILL two seconds later). The command reaches that shell through a file
/// descriptor, never as an argument, so it does not show in ps. The driver then prints
/// an end marker carrying a per-command random id and the exit code on stdout, and an end marker on stderr,
/// so both streams are framed and can never be confused with the command's own output.
/// </summary>
internal sealed class ShellSession : IAsyncDisposable
{
    private static readonly string Driver = $$"""
        __o_sandbox='{{ReadSandboxScript.Setup}}'
        __o_kept='{{ReadSandboxScript.Kept}}'
        __o_entered='{{ReadSandboxScript.Entered}}'
        __o_box_kind= __o_box_mounts=
        __o_box() {
          __o_m=$(cat /proc/self/mountinfo)
          [ "$1" = "$__o_box_kind" ] && [ "$__o_m" = "$__o_box_mounts" ] && return 0
          command exec 7<&- 8<&-
          __o_box_kind= __o_box_mounts=
          command -v nsenter >/dev/null 2>&1 || return 1
          __o_made=$($2 sh -c "$__o_kept"'printf "%s\n" "$$"; exec sleep 30 </dev/null >/dev/null 2>&1' </dev/null 2>/dev/null 3<&- &
            __o_hp=$!; (sleep 10; kill -KILL "$__o_hp") </dev/null >/dev/null 2>&1 3<&- & printf 'w%s\n' "$!")
          __o_holder= __o_dog=
          for __o_w in $__o_made; do
            case $__o_w in w*) __o_dog=${__o_w#w} ;; *) __o_holder=$__o_w ;; esac
          done
          case $__o_dog in ''|*[!0-9]*) ;; *) kill -KILL "$__o_dog" 2>/dev/null ;; esac
          case $__o_holder in ''|*[!0-9]*) return 1 ;; esac
          if { command exec 7</proc/"$__o_holder"/ns/user 8</proc/"$__o_holder"/ns/mnt; } 2>/dev/null; then
            __o_box_kind=$1 __o_box_mounts=$__o_m
          fi
          kill -KILL "$__o_holder" 2>/dev/null
          [ -n "$__o_box_kind" ]
        }
        __opsmith_run() {
          __o_id=$1
          printf '\n__OPSMITH_START_%s\n' "$__o_id"
          case $3 in
            ro) __o_new='unshare --mount --propagation private' __o_enter='nsenter --mount=/dev/fd/8 unshare --mount --propagation private' ;;
            ro-user) __o_new='unshare --mount --propagation private --map-root-user' __o_enter='nsenter --preserve-credentials --user=/dev/fd/7 --mount=/dev/fd/8 unshare --mount --propagation private' ;;
            *) __o_new= ;;
          esac
          __o_with= __o_setup=
          if [ -n "$__o_new" ]; then
            if __o_box "$3" "$__o_new"; then __o_with=$__o_enter __o_setup=$__o_entered
            else __o_with=$__o_new __o_setup=$__o_sandbox; fi
          fi
          timeout -k 2 "$2" $__o_with sh -c 'printf "\n__OPSMITH_PID_%s %s\n" "$1" "$PPID" >&2; exec </dev/null 7<&- 8<&-; eval "$2"; . /dev/fd/3' opsmith-step "$__o_id" "$__o_setup" "$PWD" &
          __o_pid=$!
          exec 3<&-
          wait "$__o_pid"
          __o_rc=$?
          kill -KILL -"$__o_pid" 2>/dev/null
          printf '\n__OPSMITH_END_%s %s\n' "$__o_id" "$__o_rc"
          printf '\n__OPSMITH_END_%s\n' "$__o_id" >&2
        }
        for __o_tool in timeout kill; do
          command -v "$__o_tool" >/dev/null 2>&1 || printf '__OPSMITH_MISSING %s\n' "$__o_tool"
        done
        printf '__OPSMITH_READY\n'

        """;

    private readonly Process _process;
    private readonly Channel<string?> _stdout = Channel.CreateUnbounded<string?>();
    private readonly Channel<string?> _stderr = Channel.CreateUnbounded<string?>();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Func<int, string, Task> _killProcessGroup;
    private readonly List<string> _startupErrors = [];
    private bool _broken;

    public bool IsBroken => _broken;

    private ShellSession(Process process, Func<int, string, Task> killProcessGroup)
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
    /// <summary>How the error of a session that never answered begins.</summary>
    public const string NoAnswer = "no answer within";

    public static async Task<(ShellSession? Session, string? Error)> StartAsync(
        ProcessStartInfo start, Func<int, string, Task> killProcessGroup, TimeSpan readyTimeout, CancellationToken ct)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        // Secrets given to Opsmith through its environment are for templates, not for every child process.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("OPSMITH_SECRET_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        // Its own session: a Ctrl-C on Opsmith's terminal must not kill the shell that will run the rollback.
        start.ArgumentList.Insert(0, start.FileName);
        start.ArgumentList.Insert(0, "--wait");
        start.FileName = "setsid";
        var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FileNotFoundException)
        {
            process.Dispose();
            return (null, $"cannot start '{start.ArgumentList[1]}': {e.Message}");
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
                    return (null, $"the host lacks {string.Join(", ", missing)} (Opsmith needs timeout and kill from coreutils)");
                }
            }
        }
        catch (OperationCanceledException)
        {
            if (ct.IsCancellationRequested)
            {
                await session.DisposeAsync();
                throw;
            }
            session._startupErrors.Add($"{NoAnswer} {readyTimeout.TotalSeconds:0} s");
        }
        await session.DrainStartupErrorsAsync();
        await session.DisposeAsync();
        ct.ThrowIfCancellationRequested();
        return (null, string.Join("\n", session._startupErrors));
    }

    private Task<ReadSandbox>? _sandbox;

    /// <summary>
    /// Which read sandbox works on this host, probed once per session: a plain mount namespace, else one inside a
    /// user namespace, else none. The probe writes nothing.
    /// </summary>
    public Task<ReadSandbox> ReadSandboxAsync(CancellationToken ct) => _sandbox ??= ProbeAsync(ct);

    private async Task<ReadSandbox> ProbeAsync(CancellationToken ct)
    {
        foreach (var sandbox in new[] { ReadSandbox.MountNamespace, ReadSandbox.UserNamespace })
        {
            var result = await RunAsync(ReadSandboxScript.Probe, new CommandLimits(TimeSpan.FromSeconds(10), 4096), sandbox, ct);
            if (result.Succeeded && result.Stdout.Contains("__OPSMITH_SANDBOX_OK", StringComparison.Ordinal)) return sandbox;
            if (result.Status != CommandStatus.Completed)
            {
                // A lost or cancelled probe says nothing about the host: ask again next time.
                _sandbox = null;
                return ReadSandbox.None;
            }
        }
        return ReadSandbox.None;
    }

    public Task<CommandResult> RunAsync(string command, CommandLimits limits, CancellationToken ct) => RunAsync(command, limits, ReadSandbox.None, ct);

    /// <summary>Runs one command; with <paramref name="sandbox"/> it runs in the read-only view of the host's filesystem.</summary>
    public async Task<CommandResult> RunAsync(string command, CommandLimits limits, ReadSandbox sandbox, CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(CancellationToken.None);
        var watch = Stopwatch.StartNew();
        try
        {
            if (_broken) return CommandResult.NotStarted(CommandStatus.Unreachable, "the connection was lost earlier in this run");
            if (ct.IsCancellationRequested) return CommandResult.NotStarted(CommandStatus.Canceled, "cancelled before it started; nothing ran");
            var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
            var timeoutSeconds = (long)Math.Clamp(Math.Ceiling(limits.Timeout.TotalSeconds), 1, int.MaxValue);
            // The command travels as a quoted here-document (nothing in it is expanded) whose end line holds the
            // random id, so no command text can end it early; the step's shell reads it from fd 3.
            var text = command.EndsWith('\n') ? command : command + "\n";
            if (!await WriteAsync($"__opsmith_run {id} {timeoutSeconds} {ReadSandboxScript.Prefix(sandbox)} 3<<'__OPSMITH_CMD_{id}'\n{text}__OPSMITH_CMD_{id}\n"))
            {
                _broken = true;
                return CommandResult.NotStarted(CommandStatus.Unreachable, "the shell on the host is gone");
            }
            return await CollectAsync(id, limits, watch, ct);
        }
        catch (Exception e) when (e is ChannelClosedException or FormatException or ObjectDisposedException or OverflowException)
        {
            _broken = true;
            return new CommandResult(CommandStatus.Unreachable, -1, "", "", watch.Elapsed, $"the session broke: {e.Message}");
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Reads both framed streams of one command; on timeout or cancellation stops its process group.</summary>
    private async Task<CommandResult> CollectAsync(string id, CommandLimits limits, Stopwatch watch, CancellationToken ct)
    {
        var stdout = new CappedText(limits.MaxOutputChars);
        var stderr = new CappedText(limits.MaxOutputChars);
        var pid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var timedOut = false;
        int? exitCode = null;
        var endMarker = $"__OPSMITH_END_{id} ";
        var pidMarker = $"__OPSMITH_PID_{id} ";
        // The process prints its pid before it runs anything, so whatever comes before belongs to nobody.
        var readStderr = ReadFramedAsync(_stderr, pidMarker, $"__OPSMITH_END_{id}", stderr,
            start => pid.TrySetResult(int.Parse(start.AsSpan(pidMarker.Length), System.Globalization.CultureInfo.InvariantCulture)));
        var readStdout = ReadFramedAsync(_stdout, $"__OPSMITH_START_{id}", endMarker, stdout, _ => { },
            end => exitCode = int.Parse(end.AsSpan(endMarker.Length), System.Globalization.CultureInfo.InvariantCulture));

        var canceled = false;
        // timeout(1) on the host enforces the limit; this is only a safety net if the far end stops answering.
        using var safety = new CancellationTokenSource(limits.Timeout + TimeSpan.FromSeconds(15));
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, safety.Token);
        var both = Task.WhenAll(readStdout, readStderr);
        try
        {
            await both.WaitAsync(either.Token);
        }
        catch (OperationCanceledException)
        {
            canceled = ct.IsCancellationRequested;
            timedOut |= !canceled;
            if (!await StopAsync(pid.Task, both))
            {
                _broken = true;
                return new CommandResult(canceled ? CommandStatus.Canceled : CommandStatus.TimedOut, -1, stdout.Text, stderr.Text,
                    watch.Elapsed, canceled ? "cancelled; the host did not confirm the command stopped" : "the host stopped answering",
                    stdout.Truncated || stderr.Truncated);
            }
        }
        if (!await readStdout || !await readStderr || exitCode is null)
        {
            _broken = true;
            return new CommandResult(CommandStatus.Unreachable, -1, stdout.Text, stderr.Text, watch.Elapsed,
                "the connection was lost while the command ran; it may have run in part", stdout.Truncated || stderr.Truncated);
        }

        // GNU timeout exits 124 (137 after its KILL) when the time ran out; the elapsed time tells that from a command's own 124.
        timedOut |= exitCode is 124 or 137 && watch.Elapsed >= limits.Timeout - TimeSpan.FromMilliseconds(100);
        var status = canceled ? CommandStatus.Canceled : timedOut ? CommandStatus.TimedOut : CommandStatus.Completed;
        var error = status switch
        {
            CommandStatus.TimedOut => $"timed out after {DescribeTimeout(limits.Timeout)}; the command and its process group were killed",
            CommandStatus.Canceled => "cancelled; the command and its process group were killed",
            _ => null,
        };
        return new CommandResult(status, exitCode.Value, stdout.Text, stderr.Text, watch.Elapsed, error, stdout.Truncated || stderr.Truncated);
    }

    /// <summary>TERM to the command's process group, then KILL two seconds later. True when the driver confirmed the end.</summary>
    private async Task<bool> StopAsync(Task<int> pid, Task framed)
    {
        if (!pid.IsCompleted) await Task.WhenAny(pid, Task.Delay(TimeSpan.FromSeconds(1)));
        if (pid.IsCompleted)
        {
            await _killProcessGroup(pid.Result, "TERM");
            if (await Finished(framed, TimeSpan.FromSeconds(2))) return true;
            await _killProcessGroup(pid.Result, "KILL");
        }
        return await Finished(framed, TimeSpan.FromSeconds(3));
    }

    private static async Task<bool> Finished(Task task, TimeSpan within)
    {
        try
        {
            await task.WaitAsync(within);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static string DescribeTimeout(TimeSpan t) => t.TotalSeconds < 60 ? $"{t.TotalSeconds:0.#} s" : $"{t.TotalMinutes:0.#} min";

    /// <summary>
    /// Skips lines up to the start marker (output left over from earlier processes), then reads lines into
    /// <paramref name="text"/> until the end marker. False when the stream ended first. An end marker before any start
    /// means the command never started (its wrapper failed first: an <c>unshare</c> the host refuses); the last lines
    /// skipped are then most likely what the wrapper said, and are kept.
    /// </summary>
    private static async Task<bool> ReadFramedAsync(Channel<string?> channel, string startMarker, string endMarker, CappedText text,
        Action<string> onStart, Action<string>? onEnd = null)
    {
        var started = false;
        var skipped = new Queue<string>();
        while (true)
        {
            var line = await channel.Reader.ReadAsync();
            if (line is null) return false;
            if (!started)
            {
                if (IsEnd(line))
                {
                    foreach (var said in skipped) text.AppendLine(said);
                    onEnd?.Invoke(line);
                    return true;
                }
                if (!line.StartsWith(startMarker, StringComparison.Ordinal))
                {
                    skipped.Enqueue(line);
                    if (skipped.Count > 20) skipped.Dequeue();
                    continue;
                }
                started = true;
                onStart(line);
                continue;
            }
            if (IsEnd(line))
            {
                onEnd?.Invoke(line);
                return true;
            }
            text.AppendLine(line);
        }

        // This command's end marker, not a later command's whose id begins with this one's (1 and 10).
        bool IsEnd(string line) => line.StartsWith(endMarker, StringComparison.Ordinal)
                                   && (endMarker.EndsWith(' ') || line.Length == endMarker.Length || line[endMarker.Length] == ' ');
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

    /// <summary>Longest line kept whole; the rest of a longer line is dropped and counted, so no output can exhaust memory.</summary>
    private const int MaxLineChars = 4 * 1024 * 1024;

    /// <summary>Splits a stream into lines on '\n' only (a '\r' stays part of the text), and always completes the channel.</summary>
    private static async Task Pump(StreamReader reader, Channel<string?> channel)
    {
        var buffer = new char[16 * 1024];
        var line = new StringBuilder();
        long dropped = 0;
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory())) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] == '\n')
                    {
                        if (dropped > 0) line.Append($" [... line truncated: {dropped} more characters ...]");
                        await channel.Writer.WriteAsync(line.ToString());
                        line.Clear();
                        dropped = 0;
                    }
                    else if (line.Length < MaxLineChars) line.Append(buffer[i]);
                    else dropped++;
                }
            }
            if (line.Length > 0) await channel.Writer.WriteAsync(line.ToString());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OutOfMemoryException or InvalidOperationException)
        {
        }
        finally
        {
            channel.Writer.TryWrite(null);
            channel.Writer.TryComplete();
        }
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
    }
}
