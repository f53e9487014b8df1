namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Programs that only read or print. <see cref="Names"/> are read-only whatever their options: every option of
/// theirs was checked to only change what is printed (their redirections are judged apart). <see cref="Guarded"/>
/// programs are read-only only with the options listed for them (an output file, a kill or a command to run is
/// an option too: <c>sort -o</c>, <c>fuser -k</c>, <c>rg --pre</c>); any other option is unknown, so destructive.
/// Programs that are read-only only with some arguments (sed without -i, find without -delete, systemctl status,
/// kubectl get, ...) have rules of their own instead.
/// </summary>
internal static class ReadOnlyPrograms
{
    public static readonly HashSet<string> Names =
    [
        // files and text
        "cat", "tac", "ls", "dir", "vdir", "stat", "file", "head", "tail", "less", "more", "wc", "cut", "tr", "column", "nl", "fold",
        "fmt", "expand", "unexpand", "rev", "paste", "join", "comm", "diff", "diff3", "cmp", "grep", "egrep", "fgrep", "zgrep",
        "zegrep", "rg", "ag", "ack", "zcat", "bzcat", "xzcat", "zstdcat", "zless", "zmore", "strings", "od", "hexdump", "base64", "base32", "basenc", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum",
        "sum", "jq", "gojq", "jless", "xmllint", "tree", "realpath", "readlink", "basename", "dirname", "namei", "pwd", "lsattr",
        "getfacl", "look", "tsort", "numfmt", "seq", "yes", "printf", "echo",
        "test", "[", "[[", "true", "false", ":", "expr", "bc", "factor", "du", "df", "findmnt", "lsblk", "blkid", "lsof",
        "pathchk", "zipinfo", "gron", "tput", "clear", "sleep", "wait", "read", "cd", "pushd", "popd", "dirs",
        "shift", "return", "exit", "break", "continue", "set", "unset", "shopt", "local", "declare", "typeset", "readonly", "export",
        "unalias", "type", "which", "whereis", "whatis", "apropos", "help", "getopts", "let",
        "ulimit", "umask", "jobs", "logger", "printenv", "tty", "stty", "dirs", "times", "caller", "compgen", "complete", "disown", "suspend",
        "logname", "stat", "sha1sum", "lsinitramfs", "zgrep", "bzgrep", "xzgrep", "zstdgrep", "pgrep", "comm",
        // processes and system state
        "ps", "pgrep", "pidof", "pstree", "top", "htop", "atop", "btop", "uptime", "free", "vmstat", "iostat", "mpstat", "pidstat",
        "sar", "sadf", "nmon", "dstat", "iotop", "slabtop", "pmap", "smem", "w", "who", "whoami", "id", "groups", "users", "last",
        "lastb", "lastlog", "uname", "arch", "nproc", "getconf", "locale", "lscpu", "lsmem", "lspci", "lsusb",
        "lsmod", "modinfo", "lsipc", "lslocks", "lslogins", "lsns",
        "systemd-cgls", "systemd-cgtop", "systemd-detect-virt", "coredumpctl",
        "numastat", "tload", "cal", "ncal", "getent", "runlevel", "virt-what", "checkrestart", "ipcs",
        "execsnoop", "opensnoop", "biolatency", "tcptop",
        // network state and probes
        "ss", "netstat", "ping", "ping6", "fping", "arping", "traceroute", "traceroute6", "tracepath", "mtr", "dig", "nslookup",
        "host", "drill", "whois", "iftop", "nethogs", "bmon", "nload", "nstat", "lnstat", "delv", "kdig", "curlie",
        // checkers and reporters
        "kubeval", "kubeconform", "yamllint", "shellcheck", "hadolint", "named-checkconf",
        "ntpstat", "lsb_release", "hostid", "zdump", "redis-check-rdb", "mongostat", "mongotop", "dog", "pgcenter", "pg_activity", "mytop", "innotop",
        "ctop", "dive", "trivy", "grype", "syft", "kube-score", "kube-linter", "popeye", "pluto", "conftest",
    ];

    private static OptionRules Allow(string shortFlags, string shortWithValue, string[] longFlags, string[] longWithValue, bool digits = false) =>
        new(shortFlags, shortWithValue, longFlags, longWithValue, digits);

    private static OptionRules Refuse(string shortFlags, string shortWithValue, string[] longFlags, string[] longWithValue = null!) =>
        new(shortFlags, shortWithValue, longFlags, longWithValue ?? [], Deny: true);

    /// <summary>Read-only programs with an option that writes, kills or runs something: the options they may be given.</summary>
    public static readonly Dictionary<string, OptionRules> Guarded = new()
    {
        ["sort"] = Allow("bdfgiMhnRrVcCmsuz", "kStTo",
            ["--ignore-leading-blanks", "--dictionary-order", "--ignore-case", "--general-numeric-sort", "--ignore-nonprinting", "--month-sort", "--human-numeric-sort",
             "--numeric-sort", "--random-sort", "--reverse", "--version-sort", "--check", "--merge", "--stable", "--unique", "--zero-terminated", "--debug", "--help", "--version"],
            ["--key", "--field-separator", "--buffer-size", "--temporary-directory", "--parallel", "--output", "--sort", "--random-source", "--files0-from", "--batch-size"], digits: false),
        ["uniq"] = Allow("cdDiuz", "fsw", ["--count", "--repeated", "--all-repeated", "--ignore-case", "--unique", "--zero-terminated", "--group", "--help", "--version"],
            ["--skip-fields", "--skip-chars", "--check-chars"], digits: true),
        ["tree"] = Allow("adlfxRJXiqNQpugshDFvtcUrnCAS", "LPIHT",
            ["--noreport", "--dirsfirst", "--filesfirst", "--du", "--si", "--prune", "--inodes", "--device", "--gitignore", "--ignore-case", "--matchdirs",
             "--metafirst", "--info", "--nolinks", "--fromfile", "--help", "--version", "--noindent"], ["--charset", "--filelimit", "--timefmt", "--sort", "--gitfile"]),
        ["stern"] = Allow("Atphv", "ncslxeiEoH",
            ["--all-namespaces", "--timestamps", "--no-follow", "--only-log-lines", "--init-containers", "--ephemeral-containers", "--diff", "--prompt", "--version", "--help", "--stdin"],
            ["--namespace", "--container", "--since", "--selector", "--exclude", "--include", "--output", "--tail", "--context", "--kubeconfig", "--template", "--template-file",
             "--color", "--container-state", "--exclude-container", "--exclude-pod", "--field-selector", "--max-log-requests", "--timezone", "--node", "--verbosity", "--condition",
             "--highlight", "--container-colors", "--pod-colors", "--config"]),
        ["shuf"] = Refuse("", "o", [], ["--output", "--random-source"]),
        ["iconv"] = Refuse("", "o", [], ["--output"]),
        ["xmllint"] = Refuse("", "o", ["--shell", "--debugent", "--push"], ["--output", "--schema-out", "--dump-html"]),
        ["fuser"] = Refuse("kIw", "", ["--kill", "--interactive"]),
        ["ss"] = Refuse("K", "D", ["--kill"], ["--diag", "--filter"]),
        ["tshark"] = Refuse("", "wbX", ["--export-objects"], ["--export-objects", "--capture-comment"]),
        ["sar"] = Refuse("", "o", [], []),
        ["bpftrace"] = Refuse("", "oc", ["--unsafe"], ["--output"]),
        ["ack"] = Refuse("", "", [], ["--pager", "--output"]),
        ["rg"] = Refuse("z", "", ["--pre", "--hostname-bin", "--search-zip"], ["--pre", "--hostname-bin"]),
        ["base64"] = Refuse("", "o", [], ["--output"]),
        ["base32"] = Refuse("", "o", [], ["--output"]),
        // less/more/zless: "+CMD" runs CMD at start; "!" and "|" in it start a shell
        ["less"] = Refuse("+!|", "oO", [], ["--log-file", "--LOG-FILE", "--lesskey-file", "--lesskey-src", "--lesskey-content"]),
        ["more"] = Refuse("+!|", "", [], []),
        ["zless"] = Refuse("+!|", "oO", [], ["--log-file", "--LOG-FILE"]),
        ["man"] = Refuse("H", "PCp", ["--html"], ["--pager", "--config-file", "--preprocessor", "--html", "--browser"]),
        ["info"] = Refuse("", "o", [], ["--output", "--dribble", "--restore", "--init-file"]),
        ["lastlog"] = Refuse("CS", "", ["--clear", "--set"]),
        ["atop"] = Refuse("", "w", [], []),
        ["nmon"] = Refuse("fF", "", [], []),
        ["dstat"] = Refuse("", "", [], ["--output"]),
        ["ngrep"] = Refuse("", "O", [], []),
        ["named-checkzone"] = Refuse("", "o", [], []),
        ["ntpq"] = Refuse("", "c", [], []),
        ["sensors"] = Refuse("s", "", ["--set"]),
        ["arping"] = Refuse("UA", "", []),
        ["dmidecode"] = Refuse("", "", [], ["--dump-bin"]),
        ["hwinfo"] = Refuse("", "", [], ["--log", "--save-config"]),
        ["inxi"] = Refuse("U", "", ["--update"]),
        ["lshw"] = Refuse("", "", ["-dump"]),
        ["file"] = Refuse("C", "", ["--compile"]),
        ["sslscan"] = Refuse("", "", [], ["--xml"]),
        ["vnstat"] = Refuse("", "", ["--add", "--remove", "--delete", "--rename", "--setalias", "--create", "--update", "--sync", "--reset"], ["--rename", "--setalias", "--import"]),
        ["testssl"] = Refuse("", "", [], ["--logfile", "--jsonfile", "--jsonfile-pretty", "--csvfile", "--htmlfile", "--outfile", "--outFile"]),
        ["testssl.sh"] = Refuse("", "", [], ["--logfile", "--jsonfile", "--jsonfile-pretty", "--csvfile", "--htmlfile", "--outfile", "--outFile"]),
        ["nvidia-smi"] = Refuse("rea", "cf", ["--gpu-reset", "-pm", "-pl", "-ac", "-rac", "-lgc", "-rgc", "-lmc", "-rmc", "-mig", "-am", "-cc", "-caa", "-acp", "--persistence-mode", "--ecc-config", "--compute-mode", "--power-limit", "--applications-clocks", "--multi-instance-gpu"], ["--filename", "--persistence-mode", "--ecc-config", "--compute-mode", "--power-limit"]),
        ["coredumpctl"] = Refuse("", "o", [], ["--output"]),
        ["iperf"] = Refuse("sD", "", ["--server", "--daemon"], ["--logfile", "--pidfile"]),
        ["iperf3"] = Refuse("sD", "", ["--server", "--daemon"], ["--logfile", "--pidfile"]),
        ["nmap"] = Refuse("", "o", ["-oN", "-oX", "-oG", "-oA", "-oS", "-oM", "-oH", "--script", "--resume", "--datadir", "--stylesheet", "--script-updatedb"], ["-oN", "-oX", "-oG", "-oA", "-oS", "-oM", "--script", "--resume", "--datadir", "--stylesheet"]),
    };

    /// <summary>Programs that stay read whatever their options (listed in <see cref="Names"/>) or whose options are listed in <see cref="Guarded"/>.</summary>
    public static bool IsReadOnly(string name) => Names.Contains(name) || Guarded.ContainsKey(name);
}
