using Opsmith.Core.Diagnostics;
using Opsmith.Core.Skills;
using Opsmith.Core.TaskCards;

namespace Opsmith.Core.Generation;

/// <summary>Short constructors for the records a family assembles; generated skills have no source positions.</summary>
internal static class SkillDraft
{
    private static readonly SourcePosition None = SourcePosition.Start;

    public static InputDefinition Input(string name, InputType type, string? @default, string description,
        long? min = null, long? max = null, bool required = false) =>
        new(name, type, required, description, @default, min, max, [], false, None);

    public static InputDefinition HostInput(TaskCard card) =>
        Input("host", InputType.Host, card.Target, "Host or group (from the inventory) to act on.");

    public static CheckStep Check(string name, string command, RetryPolicy? retry = null, RunExpectation? expect = null) =>
        new(name, new RunProbe(command, expect ?? RunExpectation.Success), retry, null, None);

    public static CheckStep Check(string name, Probe probe, RetryPolicy? retry = null) => new(name, probe, retry, null, None);

    public static ActionStep Action(string name, string run, RiskTier risk, string? check = null,
        FailurePolicy onFailure = FailurePolicy.Abort, TimeSpan? timeout = null) =>
        new(name, run, risk, true, timeout, onFailure, check, None);

    public static RollbackStep Undo(string name, string run) => new(name, run, null, None);

    public static RetryPolicy Retry(int attempts, int intervalSeconds) => new(attempts, TimeSpan.FromSeconds(intervalSeconds), null);

    public static Skill Skill(TaskCard card, string family, string title, string category, Stage stage, RiskTier risk,
        IReadOnlyList<InputDefinition> inputs, IReadOnlyList<CheckStep> preconditions, IReadOnlyList<ActionStep> actions,
        IReadOnlyList<CheckStep> successCriteria, RollbackPlan rollback, TimeSpan? cooldown = null)
    {
        var description = $"{Sentence(card.Intent)} Expected outcome: {Sentence(card.ExpectedOutcome)}";
        if (card.Symptom is not null) description += $" Symptom: {Sentence(card.Symptom)}";
        var tags = new[] { card.Service.ToLowerInvariant(), family, "generated" }.Distinct().ToList();
        var metadata = new SkillMetadata(card.Name, title, description, stage, category, tags, 1);
        var spec = new SkillSpec(inputs, "{{ inputs.host }}", risk, preconditions, actions, successCriteria, rollback, [], cooldown);
        return new Skill(metadata, spec, "", "");
    }

    public static string Param(TaskCard card, string key, string fallback) =>
        card.Params.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : fallback;

    private static string Sentence(string text)
    {
        text = text.Trim();
        return text.EndsWith('.') ? text : text + ".";
    }
}
