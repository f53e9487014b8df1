using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification;

/// <summary>
/// Environment variables that change what runs: some load code into the program (<c>LD_PRELOAD</c>,
/// <c>PYTHONPATH</c>, <c>GIT_CONFIG_*</c>), some hold a command the program runs (<c>GIT_SSH_COMMAND</c>,
/// <c>PAGER</c>, <c>*_COMMAND</c>), and <c>PATH</c> decides which file a program name means.
/// </summary>
internal static class EnvironmentVariables
{
    private static readonly HashSet<string> LoadsCode =
    [
        "LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", "BASH_ENV", "ENV", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PYTHONUSERBASE",
        "PERL5LIB", "PERLLIB", "PERL5OPT", "RUBYLIB", "RUBYOPT", "NODE_OPTIONS", "NODE_PATH", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
        "GCONV_PATH", "LOCPATH", "HOSTALIASES", "GLIBC_TUNABLES", "SHELLOPTS", "BASHOPTS", "PS4",
        "DOCKER_CONFIG", "HELM_PLUGINS", "TERRAFORM_CONFIG", "TF_CLI_CONFIG_FILE", "LESSKEY", "LESSKEYIN", "INPUTRC",
        "PSQLRC", "MYSQL_HOME", "SQLITE_HISTORY", "MANOPT", "PROMPT_COMMAND", "ZDOTDIR", "HOME", "XDG_CONFIG_HOME",
    ];

    /// <summary>Variables whose value is a command line the program runs.</summary>
    private static readonly HashSet<string> HoldsCommand =
    [
        "PAGER", "EDITOR", "VISUAL", "MANPAGER", "SYSTEMD_PAGER", "GIT_PAGER", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_SSH", "GIT_ASKPASS",
        "GIT_EXTERNAL_DIFF", "SSH_ASKPASS", "SUDO_ASKPASS", "BROWSER", "PSQL_PAGER", "PSQL_EDITOR", "KUBE_EDITOR", "LESSOPEN", "LESSCLOSE", "RSYNC_RSH", "CVS_RSH", "TAR_OPTIONS",
    ];

    /// <summary>GIT_* variables that only change messages, identity or tracing.</summary>
    private static readonly HashSet<string> HarmlessGit =
    [
        "GIT_TERMINAL_PROMPT", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE", "GIT_TRACE", "GIT_TRACE_PACKET", "GIT_TRACE_PERFORMANCE", "GIT_TRACE_SETUP", "GIT_CURL_VERBOSE", "GIT_FLUSH",
        "GIT_OPTIONAL_LOCKS", "GIT_PROGRESS_DELAY", "GIT_LITERAL_PATHSPECS", "GIT_HTTP_LOW_SPEED_LIMIT", "GIT_HTTP_LOW_SPEED_TIME",
    ];

    private static readonly string[] TrustedPathEntries = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/snap/bin", "$PATH", "${PATH}"];

    public enum Effect { None, LoadsCode, RunsCommand, ChangesPath }

    public static Effect Of(Assignment assignment)
    {
        var name = assignment.Name;
        if (name == "PATH") return TrustedPath(assignment.Value) ? Effect.None : Effect.ChangesPath;
        if (HoldsCommand.Contains(name) || name.EndsWith("_COMMAND", StringComparison.Ordinal)) return Effect.RunsCommand;
        if (LoadsCode.Contains(name) || name.StartsWith("LD_", StringComparison.Ordinal) || name.StartsWith("GIT_CONFIG", StringComparison.Ordinal)
            || name.StartsWith("GIT_", StringComparison.Ordinal) && !HarmlessGit.Contains(name) || name.StartsWith("BASH_FUNC_", StringComparison.Ordinal))
            return Effect.LoadsCode;
        return Effect.None;
    }

    /// <summary>The command a command-holding variable names (LESSOPEN's leading | dropped).</summary>
    public static string CommandText(Assignment assignment) => assignment.Value.Text.TrimStart('|', ' ');

    private static bool TrustedPath(ShellWord value) =>
        value.Raw.Trim('"', '\'').Split(':').All(entry => TrustedPathEntries.Contains(entry.TrimEnd('/')));
}
