namespace Opsmith.Core.Agents;

/// <summary>A recovery skill the planner may choose: what it remedies, how risky it is, and which inputs it must be given.</summary>
/// <param name="RiskRank">Its declared risk as a rank (read 0, service-mutation 1, destructive 2, data-mutation 3).</param>
/// <param name="NeededInputs">Required inputs without a default, besides <c>host</c>.</param>
public sealed record RecoveryCandidate(string Skill, IReadOnlyList<string> Remedies, int RiskRank, IReadOnlyList<string> NeededInputs);

/// <summary>The recovery the planner picked for a hypothesis, with the inputs it binds.</summary>
public sealed record RecoveryChoice(RecoveryCandidate Skill, RankedHypothesis Hypothesis, IReadOnlyDictionary<string, string> Inputs);

/// <summary>
/// The heuristic planner: ranks hypotheses from findings and chooses the recovery whose <c>remedies</c> name the best
/// one. Pure: it knows no fault and no hypothesis by name; everything it weighs comes from the skills' declarations.
/// </summary>
public static class HeuristicPlanner
{
    /// <summary>
    /// One hypothesis per (id, host). Score: the findings' weights (critical 3, warning 2, info 1), plus one for each
    /// further skill that agrees, plus two when the host is a suspect (named by a person or red on an invariant).
    /// At equal score the more specific evidence goes first: a cause (a diagnosis skill's finding) before a symptom
    /// only (a detection skill's), then the evidence that names more facts (a path, a pid). Only then do id and host
    /// decide, so the same evidence always gives the same order.
    /// </summary>
    public static IReadOnlyList<RankedHypothesis> Rank(IReadOnlyList<ObservedFinding> findings, IReadOnlyCollection<string> suspectHosts)
    {
        return findings
            .SelectMany(f => f.Hypotheses.Distinct().Select(h => (Hypothesis: h, Finding: f)))
            .GroupBy(x => (x.Hypothesis, x.Finding.Host))
            .Select(g =>
            {
                var evidence = g.Select(x => x.Finding).DistinctBy(f => (f.Skill, f.Name)).ToList();
                var score = evidence.Sum(f => f.Weight) + (evidence.Select(f => f.Skill).Distinct().Count() - 1) + (suspectHosts.Contains(g.Key.Host) ? 2 : 0);
                return new RankedHypothesis(g.Key.Hypothesis, g.Key.Host, score, evidence);
            })
            .OrderByDescending(h => h.Score)
            .ThenByDescending(h => h.Evidence.Any(f => !f.Symptom))
            .ThenByDescending(h => h.Evidence.SelectMany(f => f.Facts.Keys).Distinct().Count())
            .ThenBy(h => h.Id, StringComparer.Ordinal).ThenBy(h => h.Host, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The recovery for <paramref name="hypothesis"/>: among the allowed skills that remedy it and whose required inputs
    /// can all be bound (from the findings' facts, then <paramref name="knownValues"/>), the least risky, then the most
    /// specific (fewest remedies), then by name. Null when none fits.
    /// </summary>
    /// <param name="tried">Skills already run for this hypothesis on this host.</param>
    public static RecoveryChoice? ChooseRecovery(RankedHypothesis hypothesis, IReadOnlyList<RecoveryCandidate> candidates,
        IReadOnlyDictionary<string, string> knownValues, IReadOnlyCollection<string> tried)
    {
        var facts = new Dictionary<string, string>(knownValues);
        // Facts of stronger evidence win over weaker ones.
        foreach (var finding in hypothesis.Evidence.OrderBy(f => f.Weight))
            foreach (var (name, value) in finding.Facts) facts[name] = value;
        return candidates
            .Where(c => c.Remedies.Contains(hypothesis.Id) && !tried.Contains(c.Skill) && c.NeededInputs.All(facts.ContainsKey))
            .OrderBy(c => c.RiskRank).ThenBy(c => c.Remedies.Count).ThenBy(c => c.Skill, StringComparer.Ordinal)
            .Select(c => new RecoveryChoice(c, hypothesis, facts))
            .FirstOrDefault();
    }

    /// <summary>Inventory host names a person wrote in free text (as whole words), in inventory order.</summary>
    public static IReadOnlyList<string> HostsNamedIn(string text, IEnumerable<string> hosts) =>
        hosts.Where(h => System.Text.RegularExpressions.Regex.IsMatch(text, $@"(?<![\w-]){System.Text.RegularExpressions.Regex.Escape(h)}(?![\w-])",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase)).ToList();

    /// <summary>
    /// The hosts to diagnose, most suspect first: the hosts the trigger names, then hosts with red invariants (most red
    /// first), then hosts a red invariant's evidence names — a probe on one host that cannot reach, or waits on, another
    /// blames that other host (a peer that drops packets or sends slowly is red only in its peers' probes).
    /// </summary>
    public static IReadOnlyList<string> Suspects(IEnumerable<string> named, IEnumerable<InvariantObservation> red, IEnumerable<string> hosts)
    {
        var redList = red.ToList();
        var known = hosts.ToList();
        var redHosts = redList.Where(o => o.Host.Length > 0).GroupBy(o => o.Host).OrderByDescending(g => g.Count()).Select(g => g.Key);
        var blamed = redList.SelectMany(o => HostsNamedIn(o.Detail, known));
        return named.Concat(redHosts).Concat(blamed).Distinct().ToList();
    }

    /// <summary>Invariants that were green in <paramref name="before"/> and are red in <paramref name="after"/>: a regression.</summary>
    public static IReadOnlyList<InvariantObservation> Regressions(IReadOnlyList<InvariantObservation> before, IReadOnlyList<InvariantObservation> after)
    {
        var green = before.Where(o => o.Green).Select(o => (o.Invariant, o.Host)).ToHashSet();
        return after.Where(o => !o.Green && green.Contains((o.Invariant, o.Host))).ToList();
    }
}
