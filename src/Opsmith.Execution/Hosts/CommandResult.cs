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

    public static CommandResult NotStarted(CommandStatus status, string error) =>
        new(status, -1, "", "", TimeSpan.Zero, error) { Started = false };
}

/// <summary>Limits applied to every command.</summary>
public sealed record CommandLimits(TimeSpan Timeout, int MaxOutputChars = 1024 * 1024)
{
    public static readonly CommandLimits Default = new(TimeSpan.FromMinutes(5));
}
