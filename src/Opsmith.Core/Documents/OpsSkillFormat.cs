using Opsmith.Core.Yaml;

namespace Opsmith.Core.Documents;

/// <summary>What a header-less document looks like, judged from its fields.</summary>
public enum PlainFormat
{
    /// <summary>Nothing recognisable: the missing header is an error.</summary>
    Unrecognised,
    /// <summary>A task card in the plain format of OpsSkill (the same fields as an Opsmith task card, no header).</summary>
    OpsSkillTaskCard,
    /// <summary>A skill in OpsSkill's format (<c>steps</c> of <c>command</c>s): a different model that is converted, not read.</summary>
    OpsSkillSkill,
}

/// <summary>
/// Recognises documents written for OpsSkill, the tool before Opsmith, which had no <c>apiVersion</c>/<c>kind</c>
/// header. Its task cards carry the fields of an Opsmith task card under the same names (see docs/task-cards.md),
/// so they are read as task cards with a note; its skills (<c>actions</c> or <c>steps</c> with <c>command</c>,
/// <c>expect_stdout_contains</c>, <c>on_failure</c>, <c>rollback</c>) need a conversion.
/// </summary>
public static class OpsSkillFormat
{
    /// <summary>Fields only a task card has; one of them and an intent make a card.</summary>
    private static readonly string[] CardFields = ["expected_outcome", "symptom", "severity", "target", "service"];

    /// <summary>Fields that belong to an Opsmith document with a header or to another kind: never a plain card.</summary>
    private static readonly string[] OtherKindFields = ["spec", "steps", "actions", "hosts", "metadata", "cases", "faults"];

    public static PlainFormat Recognise(YamlMapping document)
    {
        if (document.Find("apiVersion") is not null || document.Find("kind") is not null) return PlainFormat.Unrecognised;
        if (document["spec"] is null && (document["steps"] is YamlSequence || document["actions"] is YamlSequence && document.Find("intent") is not null))
            return PlainFormat.OpsSkillSkill;
        if (OtherKindFields.Any(f => document.Find(f) is not null)) return PlainFormat.Unrecognised;
        return document.Find("intent") is not null && CardFields.Any(f => document.Find(f) is not null)
            ? PlainFormat.OpsSkillTaskCard
            : PlainFormat.Unrecognised;
    }
}
