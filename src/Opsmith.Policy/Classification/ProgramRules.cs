using Opsmith.Core.Skills;
using Opsmith.Policy.Classification.Rules;

namespace Opsmith.Policy.Classification;

/// <summary>
/// Finds the rule for a program: a program-specific rule, else the read-only programs, else a declaration by the
/// skill or the environment, else <c>unknown-program</c>. It fails closed: an unknown program, an option a
/// read-only program is not known to take, or an argument known only at run time where an option could be, is
/// destructive and marked <see cref="ClassificationFlags.Uncertain"/>.
/// </summary>
internal static class ProgramRules
{
    private static readonly Dictionary<string, Func<Invocation, Verdict>> Table = Merge(
        Files.Rules, Archives.Rules, Permissions.Rules, Disks.Rules, Services.Rules, Processes.Rules, Network.Rules,
        Packages.Rules, Containers.Rules, Kubectl.Rules, Helm.Rules, Terraform.Rules, Redis.Rules, SqlClients.Rules,
        Http.Rules, Cloud.Rules, Interpreters.Rules, TextTools.Rules, DataStores.Rules, SystemTools.Rules, Git.Rules,
        ShellBuiltins.Rules, Listers.Rules, ClusterTools.Rules, Backups.Rules);

    /// <summary>
    /// Programs shaped <c>PROGRAM [GLOBAL OPTIONS] VERB ...</c>: an option before the verb that the rule does not know
    /// may take a value, which would make the next word the verb (<c>kubectl --cache-dir X delete ...</c>). Both
    /// readings are judged and the higher wins. The boolean global options listed here are known not to take one.
    /// </summary>
    private static readonly Dictionary<string, HashSet<string>> VerbShaped = new()
    {
        ["kubectl"] = ["--insecure-skip-tls-verify", "--match-server-version", "--warnings-as-errors", "--disable-compression", "-A", "--all-namespaces", "--help", "-h"],
        ["oc"] = ["--insecure-skip-tls-verify", "--match-server-version", "--warnings-as-errors", "-A", "--all-namespaces"],
        ["k"] = ["--insecure-skip-tls-verify", "-A", "--all-namespaces"],
        ["helm"] = ["--debug", "-A", "--all-namespaces"],
        ["aws"] = ["--debug", "--no-verify-ssl", "--no-paginate", "--no-cli-pager", "--no-sign-request", "--no-cli-auto-prompt", "--cli-auto-prompt"],
        ["gcloud"] = ["--quiet", "-q", "--log-http", "--no-user-output-enabled", "--verbosity=debug"],
        ["az"] = ["--debug", "--verbose", "--only-show-errors"],
        ["docker"] = ["--debug", "-D", "--tls", "--tlsverify"],
        ["podman"] = ["--remote", "-r"],
        ["nerdctl"] = ["--debug", "--debug-full"],
        ["git"] = ["--no-pager", "-P", "--paginate", "-p", "--bare", "--no-replace-objects", "--literal-pathspecs", "--glob-pathspecs", "--noglob-pathspecs", "--icase-pathspecs", "--no-optional-locks", "--version", "--help", "--no-lazy-fetch", "--no-advice"],
        ["terraform"] = ["-version", "--version", "-help"],
        ["vault"] = [],
        ["consul"] = [],
        ["etcdctl"] = ["--insecure-skip-tls-verify", "--insecure-transport", "--debug"],
        ["argocd"] = ["--grpc-web", "--insecure", "--plaintext", "--core", "--http-retry-max"],
        ["flux"] = ["--verbose"],
        ["velero"] = [],
        ["istioctl"] = [],
        ["nomad"] = [],
        ["systemctl"] = ["--no-pager", "--user", "--system", "-q", "--quiet", "--failed", "--all", "-a", "--no-legend", "--full", "-l", "--plain", "--no-ask-password", "--lines", "-n"],
        ["ceph"] = [],
        ["crictl"] = ["--debug", "-D"],
        ["ctr"] = ["--debug"],
    };

    /// <summary>Rule-judged programs where an argument known only at run time can be an option that writes or runs (<c>find . $(echo -delete)</c>).</summary>
    private static readonly HashSet<string> OptionSensitive =
        ["find", "sed", "gsed", "awk", "gawk", "mawk", "nawk", "sort", "uniq", "tar", "git", "rsync", "curl", "wget", "xxd", "tree", "dd", "journalctl", "dmesg", "date", "openssl", "tcpdump", "ip", "sysctl"];

    /// <summary>Read-only programs that print names, sizes or hashes of files, never their content.</summary>
    private static readonly HashSet<string> MetadataOnly =
        ["ls", "dir", "vdir", "stat", "file", "du", "lsattr", "getfacl", "namei", "realpath", "readlink", "basename", "dirname", "test", "[", "[[", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "wc", "tree", "lsof", "fuser", "pathchk", "which", "type", "whereis"];

    /// <summary>Every program with a rule of its own (for documentation and tests).</summary>
    public static IReadOnlyCollection<string> KnownPrograms => Table.Keys;

    public static Verdict Judge(Invocation call, ClassifierOptions options)
    {
        var name = LookupName(call.Program);
        Verdict verdict;
        if (Table.TryGetValue(name, out var rule))
        {
            verdict = rule(call);
            if (VerbShaped.TryGetValue(name, out var flags) && AlternativeReading(call, flags) is { } alternative)
                verdict = Verdict.Max(verdict, rule(alternative));
        }
        else if (ReadOnlyPrograms.IsReadOnly(name)) verdict = Verdict.Read("read-only-program", $"{call.Program} only reads");
        else if (options.DeclaredReason(call.Program) is { } reason) verdict = Verdict.Read("declared-read", reason);
        else
        {
            return Verdict.Unknown("unknown-program",
                $"{call.Program} is not known to the classifier; unknown programs count as destructive unless the skill (read_only_programs) or the environment declares them read-only, with the reason");
        }

        if (ReadOnlyPrograms.Guarded.TryGetValue(name, out var guard) && guard.Offending(call.Args) is { } offending)
            verdict = Verdict.Max(verdict, Verdict.Unknown("unknown-option", $"{call.Program} {offending}: an option not known to leave {call.Program} read-only (it may write a file, kill or run a program)"));
        if (verdict.Tier == RiskTier.Read && (ReadOnlyPrograms.Guarded.ContainsKey(name) || OptionSensitive.Contains(name))
            && RuntimeOption(call) is { } runtime)
            verdict = Verdict.Max(verdict, Verdict.Unknown("opaque.runtime-argument", $"{runtime} is known only when the command runs and may be an option of {call.Program} (one that writes or runs something)"));
        // Only programs that print what they read disclose a secret file; kubectl --kubeconfig admin.conf or ls -l /etc/shadow do not.
        return ReadOnlyPrograms.IsReadOnly(name) && !MetadataOnly.Contains(name) || name is "xxd" or "dc" ? Secrets.Mark(call, verdict) : verdict;
    }

    /// <summary>The first argument before <c>--</c> that starts with an expansion, so that it may turn out to be an option.</summary>
    private static string? RuntimeOption(Invocation call)
    {
        foreach (var word in call.Words)
        {
            if (word.IsLiteral && word.Text == "--") return null;
            // $((...)) is a number: at worst negative, never an option with letters.
            if (word.Parts.Count > 0 && word.Parts[0] is not Shell.LiteralPart and not Shell.RuntimePart and not Shell.ArithmeticPart) return word.Raw;
        }
        return null;
    }

    /// <summary>The invocation with the first unknown pre-verb option taken as having a value (that value removed).</summary>
    private static Invocation? AlternativeReading(Invocation call, HashSet<string> booleanGlobals)
    {
        for (var i = 0; i < call.Args.Count; i++)
        {
            var arg = call.Args[i];
            if (arg == "--" || arg.Length < 2 || arg[0] != '-') return null;
            if (arg.Contains('=') || booleanGlobals.Contains(arg)) continue;
            if (i + 1 >= call.Args.Count || call.Args[i + 1].StartsWith('-')) continue;
            // Reading the option as taking a value: the option and the word after it are not the verb.
            return call.WithWords(call.Words.Where((_, index) => index != i && index != i + 1));
        }
        return null;
    }

    /// <summary>mkfs.ext4 → mkfs, fsck.xfs → fsck, python3.11 → python3, kafka-topics.sh → kafka-topics.</summary>
    private static string LookupName(string program)
    {
        var dot = program.IndexOf('.');
        if (dot > 0 && program[..dot] is "mkfs" or "fsck" or "mount" or "umount") return program[..dot];
        var canonical = Interpreters.Canonical(program);
        if (canonical != program) return canonical;
        if (program.EndsWith(".sh", StringComparison.Ordinal) && Table.ContainsKey(program[..^3])) return program[..^3];
        return program;
    }

    private static Dictionary<string, Func<Invocation, Verdict>> Merge(params Dictionary<string, Func<Invocation, Verdict>>[] families)
    {
        var table = new Dictionary<string, Func<Invocation, Verdict>>();
        foreach (var family in families)
        {
            foreach (var (name, rule) in family) table.Add(name, rule);
        }
        return table;
    }
}
