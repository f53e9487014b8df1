using Opsmith.Core.Diagnostics;

namespace Opsmith.Core.Skills;

/// <summary>How a step a condition looks at ended: it passed, it did not, or its own <c>when:</c> skipped it.</summary>
public enum ConditionOutcome { Succeeded, Failed, Skipped }

/// <summary>What a condition looks at: an action (<c>step:</c>) or a precondition / success criterion (<c>check:</c>).</summary>
public enum ConditionSubjectKind { Step, Check }

public sealed record ConditionSubject(ConditionSubjectKind Kind, string Name)
{
    public override string ToString() => $"{YamlNames.Of(Kind)} '{Name}'";
}

/// <summary>
/// A test on the result of an earlier step, used by an action's <c>when:</c> and by a finding's <c>when:</c>.
/// Every part that is present must hold (the keys of one YAML map are ANDed); <see cref="Any"/>, when not
/// empty, must have at least one holding branch. <see cref="StdoutMatches"/> is a .NET regular expression
/// whose named groups become the facts of the finding that matched. Text fields may hold templates
/// (<c>{{ inputs.port }}</c>), rendered before the condition is evaluated.
/// </summary>
public sealed record Condition(
    ConditionSubject? Subject,
    ConditionOutcome? Outcome,
    int? ExitCode,
    string? StdoutContains,
    string? StdoutNotContains,
    string? StdoutMatches,
    IReadOnlyList<Condition> Any,
    SourcePosition Position)
{
    /// <summary>Every step this condition (and its branches) looks at.</summary>
    public IEnumerable<ConditionSubject> Subjects() =>
        (Subject is null ? [] : new[] { Subject }).Concat(Any.SelectMany(a => a.Subjects()));
}

public enum FindingSeverity { Critical, Warning, Info }

/// <summary>
/// What a detection or diagnosis skill's outcome means: when <see cref="When"/> holds after the run, the
/// finding is reported for the host with its rendered <see cref="Summary"/>, the hypotheses it supports and the
/// facts its <c>stdout_matches</c> captured. A recovery skill names the hypotheses it remedies.
/// </summary>
public sealed record Finding(
    string Name,
    string Summary,
    Condition When,
    IReadOnlyList<string> Hypotheses,
    FindingSeverity Severity,
    SourcePosition Position);
