using Opsmith.Policy.Classification.Rules;

namespace Opsmith.Policy.Classification;

/// <summary>
/// Finds the rule for a program: a program-specific rule, else the list of read-only programs, else a
/// skill's declaration, else <c>unknown-program</c> (service-mutation).
/// </summary>
internal static class ProgramRules
{
    private static readonly Dictionary<string, Func<Invocation, Verdict>> Table = Merge(
        Files.Rules, Archives.Rules, Permissions.Rules, Disks.Rules, Services.Rules, Processes.Rules, Network.Rules,
        Packages.Rules, Containers.Rules, Kubectl.Rules, Helm.Rules, Terraform.Rules, Redis.Rules, SqlClients.Rules,
        Http.Rules, Cloud.Rules, Interpreters.Rules, TextTools.Rules, DataStores.Rules, SystemTools.Rules, Git.Rules);

    /// <summary>Every program with a rule of its own (for documentation and tests).</summary>
    public static IReadOnlyCollection<string> KnownPrograms => Table.Keys;

    public static Verdict Judge(Invocation call, ClassifierOptions options)
    {
        var name = LookupName(call.Program);
        if (Table.TryGetValue(name, out var rule)) return rule(call);
        if (ReadOnlyPrograms.Names.Contains(name)) return Verdict.Read("read-only-program", $"{call.Program} only reads");
        if (options.DeclaredReadPrograms.TryGetValue(call.Program, out var reason))
            return Verdict.Read("declared-read", $"the skill declares {call.Program} read-only: {reason}");
        return Verdict.Service("unknown-program", $"{call.Program} is not known to the classifier; unknown programs count as service-mutation unless the skill declares them read");
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
