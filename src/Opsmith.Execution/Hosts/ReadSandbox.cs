namespace Opsmith.Execution.Hosts;

/// <summary>
/// How a read-tier command is isolated on its host: in a mount namespace of its own where every mount is read-only
/// and /tmp and /var/tmp are private (an overlay on the host's, so reads still see its files), so a command the
/// classifier misjudged as a read cannot change data on disk.
/// </summary>
public enum ReadSandbox
{
    /// <summary>No sandbox: the command sees the host's filesystem as it is.</summary>
    None,
    /// <summary>A private mount namespace (root, or CAP_SYS_ADMIN on the host).</summary>
    MountNamespace,
    /// <summary>A private mount namespace inside an unprivileged user namespace (<c>unshare --map-root-user</c>).</summary>
    UserNamespace,
}

/// <summary>The shell text of the sandbox, shared by the session's driver and its probe.</summary>
internal static class ReadSandboxScript
{
    /// <summary>The words put before the step's shell: <c>unshare</c> never forks, so timeout's process group still holds the command.</summary>
    public static string Prefix(ReadSandbox sandbox) => sandbox switch
    {
        ReadSandbox.MountNamespace => "ro",
        ReadSandbox.UserNamespace => "ro-user",
        _ => "plain",
    };

    /// <summary>The exit code and the stderr line of a sandbox that could not be set up; the command then never ran.</summary>
    public const int SetupFailedExitCode = 125;

    public const string SetupFailedText = "opsmith: the read-only sandbox could not be set up";

    /// <summary>What stderr says when a write hit the read-only filesystem.</summary>
    public const string ReadOnlyFileSystem = "Read-only file system";

    /// <summary>
    /// Runs inside the new mount namespace, before the command: every mount point read-only (<see cref="Remount"/>),
    /// then a private /tmp and /var/tmp (<see cref="PrivateTmp"/>). <c>mount -n</c>: there is no writable /etc/mtab or
    /// utab any more. No single quote in any part: the driver holds these texts in single quotes.
    /// </summary>
    public const string Setup = Fail + Remount + PrivateTmp + Done;

    /// <summary>What the session's holder runs once: the read-only view without the private /tmp (see <see cref="Entered"/>).</summary>
    public const string Kept = Fail + Remount + Done;

    /// <summary>
    /// Runs in the step's shell after it entered the view its session built earlier (<c>nsenter</c> into the namespaces
    /// the driver keeps open, then a mount namespace of the step's own): a last check that / refuses writes, then a
    /// fresh private /tmp. The overlays are made per step because an overlay's view of a lower directory that changes
    /// afterwards (the host's /tmp) is not kept up to date; the read-only bind mounts of the view are the host's
    /// file systems themselves, always current. Entering a mount namespace moves the process to its root, so the step
    /// goes back to the session's directory (<c>$3</c>), where every other step runs.
    /// </summary>
    public const string Entered = Fail + """
        [ -w / ] && __o_fail "/ is writable"

        """ + PrivateTmp + Done + """
        cd -- "$3" 2>/dev/null

        """;

    private const string Fail = """
        __o_fail() { printf "%s (%s); nothing ran\n" "opsmith: the read-only sandbox could not be set up" "$1" >&2; exit 125; }

        """;

    /// <summary>
    /// Every mount point read-only: remounting one mount leaves its children as they are, so each is remounted; a mount
    /// hidden under another, whose path does not exist any more, cannot be reached and is skipped (the lab's hosts hide
    /// /run/netns under their own /run).
    /// </summary>
    private const string Remount = """
        while read -r _ _ _ _ __o_mp _; do
          case $__o_mp in *\\*) __o_mp=$(printf "%b" "$__o_mp");; esac
          [ -e "$__o_mp" ] || [ -L "$__o_mp" ] || continue
          mount -n -o remount,bind,ro "$__o_mp" 2>/dev/null || __o_fail "$__o_mp stays writable"
        done </proc/self/mountinfo

        """;

    /// <summary>
    /// /tmp and /var/tmp as overlays on the host's (reads still see its files), whose upper layers are private tmpfs.
    /// In the common layout — both real directories, no link on the way — one tmpfs goes on /tmp (fds 9 and 6 keep the
    /// host's directories reachable as the lower layers), /var/tmp's overlay is mounted while the tmpfs is still
    /// visible, and /tmp's overlay is stacked on top, which hides the tmpfs from the step: four processes, because
    /// this runs before every read step. Any other layout (a link from one to the other or into it, a missing
    /// directory) takes the general way: a tmpfs, an overlay and a move for each directory in turn.
    /// </summary>
    private const string PrivateTmp = """
        if [ -d /tmp ] && [ -d /var/tmp ] && ! [ -L /tmp ] && ! [ -L /var ] && ! [ -L /var/tmp ]; then
          exec 9</tmp 6</var/tmp
          mount -n -t tmpfs -o mode=0700 opsmith-sandbox /tmp 2>/dev/null || __o_fail "no private /tmp"
          mkdir /tmp/.tu /tmp/.tw /tmp/.vu /tmp/.vw
          mount -n -t overlay -o "lowerdir=/proc/self/fd/6,upperdir=/tmp/.vu,workdir=/tmp/.vw" opsmith-sandbox /var/tmp 2>/dev/null \
            || __o_fail "no overlay on /var/tmp"
          mount -n -t overlay -o "lowerdir=/proc/self/fd/9,upperdir=/tmp/.tu,workdir=/tmp/.tw" opsmith-sandbox /tmp 2>/dev/null \
            || __o_fail "no overlay on /tmp"
          exec 9<&- 6<&-
        else
          for __o_d in /tmp /var/tmp; do
            [ -d "$__o_d" ] || continue
            exec 9<"$__o_d"
            mount -n -t tmpfs -o mode=0700 opsmith-sandbox "$__o_d" 2>/dev/null || __o_fail "no private $__o_d"
            mkdir "$__o_d/.u" "$__o_d/.w" "$__o_d/.m"
            mount -n -t overlay -o "lowerdir=/proc/self/fd/9,upperdir=$__o_d/.u,workdir=$__o_d/.w" opsmith-sandbox "$__o_d/.m" 2>/dev/null \
              || __o_fail "no overlay on $__o_d"
            mount -n --move "$__o_d/.m" "$__o_d" 2>/dev/null || __o_fail "no private $__o_d"
            exec 9<&-
          done
        fi

        """;

    private const string Done = """
        unset -f __o_fail; unset __o_mp __o_d

        """;

    /// <summary>
    /// The probe: run under a sandbox, it passes only when / and /etc refuse writes and /tmp takes them. It writes
    /// nothing (test -w asks, it does not write).
    /// </summary>
    public const string Probe = "test ! -w / && test ! -w /etc && test -w /tmp && echo __OPSMITH_SANDBOX_OK";
}
