using Opsmith.Core.Diagnostics;

namespace Opsmith.Core.Skills;

/// <summary>
/// A typed runbook: what it needs (inputs), where it runs (targets), what must hold first (preconditions),
/// what it does (actions), how we know it worked (success criteria) and how to undo it (rollback).
/// Built once from YAML by <see cref="SkillReader"/>; code past the reader trusts it.
/// </summary>
public sealed record Skill(SkillMetadata Metadata, SkillSpec Spec, string SourceFile, string ContentHash)
{
    public string Name => Metadata.Name;
}

public sealed record SkillMetadata(
    string Name,
    string Title,
    string Description,
    Stage Stage,
    string? Category,
    IReadOnlyList<string> Tags,
    int Version);

public sealed record SkillSpec(
    IReadOnlyList<InputDefinition> Inputs,
    string Targets,
    RiskTier Risk,
    IReadOnlyList<CheckStep> Preconditions,
    IReadOnlyList<ActionStep> Actions,
    IReadOnlyList<CheckStep> SuccessCriteria,
    RollbackPlan Rollback,
    IReadOnlyList<OutputDefinition> Outputs,
    TimeSpan? Cooldown,
    IReadOnlyDictionary<string, string>? ReadOnlyPrograms = null,
    IReadOnlyList<CheckStep>? SteadyState = null,
    IReadOnlyList<Finding>? FindingList = null,
    IReadOnlyList<string>? RemedyList = null)
{
    /// <summary>What the skill's outcome means (<c>spec.findings</c>): evaluated by the runner after every run.</summary>
    public IReadOnlyList<Finding> Findings => FindingList ?? [];

    /// <summary>The hypothesis ids this (recovery) skill fixes (<c>spec.remedies</c>).</summary>
    public IReadOnlyList<string> Remedies => RemedyList ?? [];

    /// <summary>
    /// How its commands reach the host (<c>spec.via</c>): <see cref="Transport.Console"/> only when the skill says so,
    /// and then every command of it (checks, actions, rollback) goes through the host's declared console.
    /// </summary>
    public Transport Via { get; init; }

    /// <summary>
    /// What holds before the skill runs and must hold again after a rollback: the preconditions and the
    /// skill's <c>steady_state</c> checks. A rollback is verified against these, not the success criteria it failed to reach.
    /// </summary>
    public IReadOnlyList<CheckStep> SteadyStateChecks => SteadyState ?? [];

    /// <summary>Programs the classifier does not know that this skill declares read-only, each with the reason a reviewer checks.</summary>
    public IReadOnlyDictionary<string, string> DeclaredReadPrograms => ReadOnlyPrograms ?? new Dictionary<string, string>();

    public InputDefinition? FindInput(string name) => Inputs.FirstOrDefault(i => i.Name == name);
}

public sealed record InputDefinition(
    string Name,
    InputType Type,
    bool Required,
    string? Description,
    string? Default,
    long? Min,
    long? Max,
    IReadOnlyList<string> Values,
    bool Secret,
    SourcePosition Position);

/// <summary>A named check (precondition or success criterion) with its probe and retry policy.</summary>
public sealed record CheckStep(string Name, Probe Probe, RetryPolicy? Retry, TimeSpan? Timeout, SourcePosition Position);

/// <summary>A mutating (or at least acting) step.</summary>
public sealed record ActionStep(
    string Name,
    string Run,
    RiskTier Risk,
    bool RiskDeclared,
    TimeSpan? Timeout,
    FailurePolicy OnFailure,
    string? Check,
    SourcePosition Position)
{
    /// <summary>Run only when this holds (<c>when:</c>); otherwise the step is reported as skipped and nothing runs.</summary>
    public Condition? When { get; init; }
}

public sealed record RollbackStep(string Name, string Run, TimeSpan? Timeout, SourcePosition Position);

/// <summary>Either ordered rollback steps or an explicit statement that there is nothing to roll back, and why.</summary>
public sealed record RollbackPlan(IReadOnlyList<RollbackStep> Steps, string? NoneReason)
{
    public static readonly RollbackPlan Missing = new([], null);
    public bool IsExplicitlyNone => NoneReason is not null;
    public bool IsMissing => Steps.Count == 0 && NoneReason is null;
}

public sealed record RetryPolicy(int Attempts, TimeSpan Interval, TimeSpan? Deadline);

public sealed record OutputDefinition(string Name, string From, SourcePosition Position);
