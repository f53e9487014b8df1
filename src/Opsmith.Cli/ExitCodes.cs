namespace Opsmith.Cli;

/// <summary>Exit codes shared by every verb; documented in docs/cli.md.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The input was invalid (validate), or the verb failed for a reason it explained.</summary>
    public const int Invalid = 1;
    /// <summary>The command line was wrong: unknown verb or option, missing argument, path that does not exist.</summary>
    public const int Usage = 2;
    /// <summary>A skill ran and failed (a later issue).</summary>
    public const int SkillFailed = 3;
    /// <summary>A skill failed and its rollback did not restore the steady state (a later issue).</summary>
    public const int RollbackFailed = 4;
    /// <summary>A bug in Opsmith: the message says so and asks for a report.</summary>
    public const int InternalError = 70;
    /// <summary>Interrupted with Ctrl-C.</summary>
    public const int Interrupted = 130;
}
