namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Programs that only read or print, whatever their arguments (their redirections are judged apart).
/// Programs that are read-only only with some arguments (sed without -i, find without -delete,
/// systemctl status, kubectl get, ...) have rules of their own instead.
/// </summary>
internal static class ReadOnlyPrograms
{
    public static readonly HashSet<string> Names =
    [
        // files and text
        "cat", "tac", "ls", "dir", "vdir", "stat", "file", "head", "tail", "less", "more", "wc", "cut", "tr", "column", "nl", "fold",
        "fmt", "expand", "unexpand", "rev", "paste", "join", "comm", "diff", "diff3", "cmp", "grep", "egrep", "fgrep", "zgrep",
        "zegrep", "rg", "ag", "ack", "zcat", "bzcat", "xzcat", "zstdcat", "zless", "zmore", "strings", "od", "hexdump", "xxd",
        "base64", "base32", "basenc", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum",
        "sum", "jq", "gojq", "jless", "xmllint", "tree", "realpath", "readlink", "basename", "dirname", "namei", "pwd", "lsattr",
        "getfacl", "look", "iconv", "tsort", "numfmt", "shuf", "seq", "yes", "printf", "echo",
        "test", "[", "[[", "true", "false", ":", "expr", "bc", "dc", "factor", "du", "df", "findmnt", "lsblk", "blkid", "lsof",
        "fuser", "pathchk", "zipinfo", "jc", "gron", "dasel", "tput", "clear", "sleep", "wait", "read", "cd", "pushd", "popd", "dirs",
        "shift", "return", "exit", "break", "continue", "set", "unset", "shopt", "local", "declare", "typeset", "readonly", "export",
        "unalias", "type", "hash", "which", "whereis", "whatis", "apropos", "man", "info", "help", "getopts", "let",
        "ulimit", "umask", "jobs", "logger", "mapfile", "readarray", "printenv", "tty", "stty", "mktemp",
        // processes and system state
        "ps", "pgrep", "pidof", "pstree", "top", "htop", "atop", "btop", "uptime", "free", "vmstat", "iostat", "mpstat", "pidstat",
        "sar", "sadf", "nmon", "dstat", "iotop", "slabtop", "pmap", "smem", "w", "who", "whoami", "id", "groups", "users", "last",
        "lastb", "lastlog", "uname", "arch", "nproc", "getconf", "locale", "lscpu", "lsmem", "lspci", "lsusb",
        "lsmod", "modinfo", "lshw", "dmidecode", "hwinfo", "inxi", "sensors", "lsipc", "lslocks", "lslogins", "lsns", 
        "systemd-analyze", "systemd-cgls", "systemd-cgtop", "systemd-detect-virt", "coredumpctl",
        "numastat", "tload", "cal", "ncal", "getent", "runlevel", "virt-what", "checkrestart", "ipcs", "vnstat", "bpftrace",
        "execsnoop", "opensnoop", "biolatency", "tcptop",
        // network state and probes
        "ss", "netstat", "ping", "ping6", "fping", "arping", "traceroute", "traceroute6", "tracepath", "mtr", "dig", "nslookup",
        "host", "drill", "whois", "systemd-resolve", "nmap", "tshark", "ngrep", "iftop", "nethogs", "bmon", "nload", "iperf",
        "iperf3", "nstat", "lnstat", "telnet", "httpstat", "sslscan", "testssl", "testssl.sh",
        // checkers and reporters
        "promtool", "amtool", "kubeval", "kubeconform", "yamllint", "shellcheck", "hadolint", "named-checkconf", "named-checkzone",
        "ntpq", "ntpstat", "nvidia-smi", "lsb_release", "hostid", "zdump",
    ];
}
