using Opsmith.Core.Documents;
using Opsmith.Core.Skills;
using Opsmith.Lab.Bench;
using Opsmith.Lab.Faults;

namespace Opsmith.Lab.Tests.Bench;

/// <summary>
/// The catalog knows every lab fault: for each fault type a detection or diagnosis skill has a finding whose
/// hypotheses a recovery skill remedies. The test may name faults (it is the lab's test); agent code may not.
/// </summary>
public sealed class CatalogCoverageTests
{
    private static readonly string Skills = Path.Combine(RepositoryRoot(), "skills");

    /// <summary>For each fault: the skill and finding that explain it (on the host it is injected on).</summary>
    private static readonly Dictionary<string, (string Skill, string Finding)[]> Explained = new()
    {
        ["service-crash"] = [("diagnose-failed-services", "service-failed")],
        ["service-hang"] = [("diagnose-failed-services", "service-stopped")],
        ["disk-full"] = [("check-disk-usage", "disk-full"), ("diagnose-disk-usage", "old-rotated-logs")],
        ["log-explosion"] = [("diagnose-disk-usage", "runaway-log-writer")],
        ["network-partition"] = [("diagnose-network-filtering", "undeclared-drop-rule")],
        ["latency"] = [("diagnose-network-filtering", "traffic-shaped")],
        ["nginx-bad-config"] = [("diagnose-nginx-config", "config-changed")],
        ["redis-paused"] = [("diagnose-redis-info", "redis-writes-paused")],
        ["redis-oom"] = [("diagnose-redis-info", "redis-oom")],
        ["postgres-connections"] = [("diagnose-postgres-connections", "idle-in-transaction-exhaustion")],
        ["cpu-hog"] = [("check-resource-hogs", "cpu-hog")],
        ["memory-hog"] = [("check-resource-hogs", "memory-hog")],
        ["tls-expired"] = [("diagnose-nginx-config", "certificate-expired"), ("check-tls-cert-expiry", "certificate-expired")],
        ["sshd-killed"] = [("diagnose-ssh-out-of-band", "nothing-listens-on-ssh-port")],
    };

    /// <summary>Faults the catalog cannot repair yet, said out loud (none today: sshd-killed is repaired through a console the inventory declares).</summary>
    private static readonly string[] NotCovered = [];

    private static Dictionary<string, Skill> Catalog() => Directory.GetFiles(Skills, "*.yaml")
        .Select(f => DocumentLoader.Load(f, File.ReadAllBytes(f)).Skill ?? throw new InvalidOperationException($"{f} does not load"))
        .ToDictionary(s => s.Name);

    [Fact]
    public void Every_fault_type_is_explained_or_listed_as_not_covered()
    {
        var faults = FaultCatalog.All.Select(f => f.Name).Where(n => n != "none").Order().ToList();

        Assert.Equal(faults, Explained.Keys.Concat(NotCovered).Order().ToList());
    }

    [Fact]
    public void Every_fault_has_a_finding_whose_hypotheses_a_recovery_skill_remedies()
    {
        var catalog = Catalog();
        var remedied = catalog.Values.Where(s => s.Metadata.Stage == Stage.Recovery).SelectMany(s => s.Spec.Remedies).ToHashSet();

        foreach (var (fault, explanations) in Explained)
        {
            foreach (var (skillName, findingName) in explanations)
            {
                Assert.True(catalog.TryGetValue(skillName, out var skill), $"{fault}: no skill {skillName}");
                Assert.Contains(skill!.Metadata.Stage, new[] { Stage.Detection, Stage.Diagnosis });
                var finding = skill.Spec.Findings.SingleOrDefault(f => f.Name == findingName);
                Assert.True(finding is not null, $"{fault}: {skillName} has no finding {findingName}");
                Assert.True(finding!.Hypotheses.Any(remedied.Contains), $"{fault}: no recovery skill remedies any of {string.Join(", ", finding.Hypotheses)}");
            }
        }
    }

    /// <summary>
    /// A diagnosis task is scored by the fault type the agent's best hypothesis stands for: every finding that explains a
    /// fault names a hypothesis the answer key maps to that fault, and no catalog hypothesis is missing from the key (it
    /// would be scored as itself, which no fault is called).
    /// </summary>
    [Fact]
    public void The_diagnosis_answer_key_maps_every_catalog_hypothesis_to_a_lab_fault()
    {
        var catalog = Catalog();
        var faults = FaultCatalog.All.Select(f => f.Name).ToHashSet();
        foreach (var (fault, explanations) in Explained)
            foreach (var (skillName, findingName) in explanations)
            {
                var finding = catalog[skillName].Spec.Findings.Single(f => f.Name == findingName);
                Assert.True(finding.Hypotheses.Any(h => DiagnosisKey.FaultOf(h) == fault),
                    $"{fault}: {skillName}'s finding {findingName} names {string.Join(", ", finding.Hypotheses)}, none of which the answer key maps to {fault}");
            }
        var unmapped = catalog.Values.SelectMany(s => s.Spec.Findings).SelectMany(f => f.Hypotheses).Distinct()
            .Where(h => !DiagnosisKey.Faults.ContainsKey(h)).Order().ToList();
        Assert.True(unmapped.Count == 0, $"hypotheses missing from the answer key (src/Opsmith.Lab/Bench/DiagnosisKey.cs): {string.Join(", ", unmapped)}");
        Assert.All(DiagnosisKey.Faults.Values, f => Assert.Contains(f, faults));
    }

    [Fact]
    public void A_recovery_skill_gets_every_required_input_besides_host_from_the_facts_of_a_finding_it_remedies()
    {
        var catalog = Catalog();
        var findings = catalog.Values.SelectMany(s => s.Spec.Findings).ToList();
        foreach (var recovery in catalog.Values.Where(s => s.Spec.Remedies.Count > 0))
        {
            var required = recovery.Spec.Inputs.Where(i => i.Required && i.Type != InputType.Host).Select(i => i.Name).ToList();
            if (required.Count == 0) continue;
            var suppliers = findings.Where(f => f.Hypotheses.Any(recovery.Spec.Remedies.Contains)).ToList();
            Assert.True(suppliers.Any(f => required.All(FactNames(f).Contains)),
                $"{recovery.Name} needs {string.Join(", ", required)}, which no finding it remedies captures as facts");
        }
    }

    /// <summary>
    /// How a probe ends when it cannot look at all — the program is missing, the service is absent from the host, the
    /// query is refused — as a finding's condition sees it: printing nothing on stdout (the error goes to stderr).
    /// </summary>
    public static TheoryData<string, ConditionOutcome, int?> ProbesThatCouldNotLook => new()
    {
        { "command not found", ConditionOutcome.Failed, 127 },
        { "cannot connect (psql, redis-cli)", ConditionOutcome.Failed, 2 },
        { "failed with exit 1", ConditionOutcome.Failed, 1 },
        { "exited 0 and printed nothing", ConditionOutcome.Succeeded, 0 },
        { "skipped", ConditionOutcome.Skipped, null },
    };

    /// <summary>
    /// A finding is evidence that something is wrong, so it must rest on what a probe printed, never on a probe
    /// merely failing: a finding that holds when its own query cannot run reports "connections exhausted" on a host
    /// without PostgreSQL and steers the agent to a repair nobody needs (it did, in the benchmark).
    /// </summary>
    [Theory]
    [MemberData(nameof(ProbesThatCouldNotLook))]
    public void No_finding_holds_when_every_probe_of_its_skill_could_not_look(string how, ConditionOutcome outcome, int? exitCode)
    {
        var observed = new Opsmith.Core.Checks.StepObservation(outcome, exitCode, "");
        var holding = Catalog().Values
            .SelectMany(skill => skill.Spec.Findings.Select(finding => (skill, finding)))
            .Where(x => Opsmith.Core.Checks.ConditionEvaluator.Evaluate(x.finding.When, _ => observed, text => text).Held)
            .Select(x => $"{x.skill.Name}: {x.finding.Name}")
            .ToList();

        Assert.True(holding.Count == 0, $"when every probe {how}, these findings still hold: {string.Join(", ", holding)}");
    }

    private static HashSet<string> FactNames(Finding finding)
    {
        var names = new HashSet<string>();
        void Walk(Condition c)
        {
            if (c.StdoutMatches is { } pattern)
                foreach (var name in new System.Text.RegularExpressions.Regex(pattern).GetGroupNames()) names.Add(name);
            foreach (var branch in c.Any) Walk(branch);
        }
        Walk(finding.When);
        return names;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Opsmith.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
