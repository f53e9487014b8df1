namespace Opsmith.Execution.Hosts;

public enum CommandStatus
{
    /// <summary>The command ran to its end; look at the exit code.</summary>
    Completed,
    /// <summary>The command ran past its timeout and was killed with its whole process group.</summary>
    TimedOut,
    /// <summary>The host could not be reached, or the connection was lost mid-command.</summary>
    Unreachable,
    /// <summary>The caller cancelled (Ctrl-C); the command's process group was killed.</summary>
    Canceled,
    /// <summary>Opsmith refused to run it (the policy blocked it, or it could not be recorded in the audit trail); nothing ran.</summary>
    Refused,
}

/// <summary>What one command on one host produced. Output is capped; <see cref="Truncated"/> says so.</summary>
public sealed record CommandResult(
    CommandStatus Status,
    int ExitCode,
    string Stdout,
    string Stderr,
    TimeSpan Duration,
    string? Error = null,
    bool Truncated = false)
{
    public bool Succeeded => Status == CommandStatus.Completed && ExitCode == 0;

    /// <summary>
    /// False only when the command certainly never reached the host (not connected, cancelled before it was
    /// sent). A lost connection mid-command counts as started: it may have run in part.
    /// </summary>
    public bool Started { get; init; } = true;

    /// <summary>The effective tier the executor decided for this command (declared risk raised by the classifier).</summary>
    public Opsmith.Core.Skills.RiskTier Tier { get; init; }

    /// <summary>For a read-tier command: whether it ran in the read-only sandbox or, where the host has none, without it.</summary>
    public ReadIsolation? Isolation { get; init; }

    /// <summary>A sandboxed read tried to write to disk and the read-only filesystem stopped it: the classifier misjudged the command.</summary>
    public bool ClassifierMiss { get; init; }

    /// <summary>The command prints secret values (the classifier's <c>SensitiveRead</c>): a model layer must not be shown its output.</summary>
    public bool Sensitive { get; init; }

    public static CommandResult NotStarted(CommandStatus status, string error) =>
        new(status, -1, "", "", TimeSpan.Zero, error) { Started = false };
}

/// <summary>How a read-tier command ran (wire names <c>read-only</c>, <c>unsandboxed</c>).</summary>
public enum ReadIsolation
{
    /// <summary>In a private mount namespace with every mount read-only and a private /tmp and /var/tmp.</summary>
    ReadOnly,
    /// <summary>The host has no working sandbox (not Linux, no unshare, neither root nor user namespaces): it ran as it is.</summary>
    Unsandboxed,
}

/// <summary>Limits applied to every command.</summary>
public sealed record CommandLimits(TimeSpan Timeout, int MaxOutputChars = 1024 * 1024)
{
    public static readonly CommandLimits Default = new(TimeSpan.FromMinutes(5));
}
