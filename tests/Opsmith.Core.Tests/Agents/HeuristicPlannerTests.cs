using Opsmith.Core.Agents;

namespace Opsmith.Core.Tests.Agents;

public sealed class HeuristicPlannerTests
{
    private static ObservedFinding Finding(string skill, string host, string hypothesis, int weight, IReadOnlyDictionary<string, string>? facts = null) =>
        new(skill, host, $"{skill}-finding", $"{skill} saw something", [hypothesis], weight, facts ?? new Dictionary<string, string>());

    [Fact]
    public void Hypotheses_rank_by_the_weight_of_their_evidence_with_agreeing_skills_and_suspect_hosts_counting_more()
    {
        var ranked = HeuristicPlanner.Rank(
        [
            Finding("diagnose-a", "node1", "h-weak", 2),
            Finding("diagnose-b", "node2", "h-strong", 3),
            Finding("diagnose-c", "node2", "h-strong", 1),
            Finding("diagnose-d", "node3", "h-elsewhere", 3),
        ], ["node2"]);

        Assert.Equal([("h-strong", "node2"), ("h-elsewhere", "node3"), ("h-weak", "node1")], ranked.Select(h => (h.Id, h.Host)));
        Assert.Equal(3 + 1 + 1 + 2, ranked[0].Score);
        Assert.Equal(2, ranked[0].Evidence.Count);
    }

    [Theory]
    [InlineData("disk-full", "runaway-log-writer")]
    [InlineData("runaway-log-writer", "disk-full")]
    public void At_equal_score_a_cause_a_diagnosis_found_goes_before_a_symptom_a_detection_found_whatever_their_ids(string symptom, string cause)
    {
        // Given a full disk seen by the invariant's detection skill and a runaway log writer found by a diagnosis skill,
        // both critical on the suspect host: the same score.
        var ranked = HeuristicPlanner.Rank(
        [
            Finding("check-disk-usage", "node2", symptom, 3, new Dictionary<string, string> { ["used_percent"] = "100" }) with { Symptom = true },
            Finding("diagnose-disk-usage", "node2", cause, 3, new Dictionary<string, string> { ["path"] = "/var/log/x.log", ["pid"] = "42" }),
        ], ["node2"]);

        Assert.Equal(ranked[0].Score, ranked[1].Score);
        Assert.Equal([cause, symptom], ranked.Select(h => h.Id));
    }

    [Theory]
    [InlineData("a-vague", "b-precise")]
    [InlineData("b-vague", "a-precise")]
    public void At_equal_score_and_kind_the_evidence_that_names_more_facts_goes_first(string vague, string precise)
    {
        var ranked = HeuristicPlanner.Rank(
        [
            Finding("diagnose-a", "node1", vague, 2),
            Finding("diagnose-b", "node1", precise, 2, new Dictionary<string, string> { ["unit"] = "x.service" }),
        ], ["node1"]);

        Assert.Equal([precise, vague], ranked.Select(h => h.Id));
    }

    [Fact]
    public void The_chosen_recovery_remedies_the_hypothesis_binds_facts_and_prefers_the_least_risky()
    {
        var hypothesis = HeuristicPlanner.Rank([Finding("diagnose-a", "node1", "h", 3, new Dictionary<string, string> { ["unit"] = "x.service" })], [])[0];
        RecoveryCandidate[] candidates =
        [
            new("destroy-and-rebuild", ["h"], 2, []),
            new("restart-unit", ["h", "other"], 1, ["unit"]),
            new("needs-a-path", ["h"], 0, ["path"]),
            new("unrelated", ["other"], 0, []),
        ];

        var first = HeuristicPlanner.ChooseRecovery(hypothesis, candidates, new Dictionary<string, string>(), []);
        var second = HeuristicPlanner.ChooseRecovery(hypothesis, candidates, new Dictionary<string, string>(), ["restart-unit"]);
        var none = HeuristicPlanner.ChooseRecovery(hypothesis, candidates, new Dictionary<string, string>(), ["restart-unit", "destroy-and-rebuild"]);

        Assert.Equal("restart-unit", first!.Skill.Skill);
        Assert.Equal("x.service", first.Inputs["unit"]);
        Assert.Equal("destroy-and-rebuild", second!.Skill.Skill);
        Assert.Null(none);
    }

    [Fact]
    public void A_regression_is_an_invariant_green_before_and_red_after()
    {
        var t = DateTimeOffset.UnixEpoch;
        InvariantObservation O(string name, string host, bool green) => new(name, host, green, "", AgentStage.Detect, t);

        var regressions = HeuristicPlanner.Regressions([O("a", "n1", true), O("b", "n1", false), O("c", "n2", true)],
            [O("a", "n1", false), O("b", "n1", false), O("c", "n2", true)]);

        Assert.Equal([("a", "n1")], regressions.Select(r => (r.Invariant, r.Host)));
    }

    [Theory]
    [InlineData("The API on node1 answers 502 Bad Gateway.", new[] { "node1" })]
    [InlineData("node1 and node2 cannot reach each other.", new[] { "node1", "node2" })]
    [InlineData("node10 is slow", new string[0])]
    [InlineData("Something is wrong on the lab.", new string[0])]
    public void Hosts_named_in_a_description_are_found_as_whole_words(string text, string[] expected) =>
        Assert.Equal(expected, HeuristicPlanner.HostsNamedIn(text, ["node1", "node2", "node3"]));

    [Fact]
    public void Suspects_are_the_named_hosts_then_red_hosts_most_red_first_then_hosts_the_red_evidence_blames()
    {
        static InvariantObservation Red(string invariant, string host, string detail) =>
            new(invariant, host, false, detail, AgentStage.Detect, DateTimeOffset.UnixEpoch);
        var red = new[]
        {
            Red("peers-reachable", "web1", "reaches-every-peer failed (stdout: 'cannot reach db1 within 2 s')"),
            Red("site-answers", "web2", "answers-in-time failed (stdout: 'status=502')"),
            Red("peers-reachable", "web2", "reaches-every-peer failed (stdout: 'cannot reach db1 within 2 s')"),
            Red("latency", "", "p99 above 2 s"),
        };

        Assert.Equal(["cache1", "web2", "web1", "db1"], HeuristicPlanner.Suspects(["cache1"], red, ["web1", "web2", "db1", "cache1", "db10"]));
        Assert.Empty(HeuristicPlanner.Suspects([], [], ["web1"]));
    }
}
