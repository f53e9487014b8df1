using Opsmith.Core.TaskCards;

namespace Opsmith.Core.Generation;

/// <summary>The result of turning a task card into a skill: the YAML to write, or why it could not be done.</summary>
public sealed record GenerationResult(string? Yaml, string? Family, string? Error)
{
    public static GenerationResult Failed(string error) => new(null, null, error);
}

/// <summary>
/// Turns a task card into a skill document. The template generator is deterministic and needs nothing;
/// an LLM-backed generator (a later issue) implements the same interface, and its output goes through
/// the same validation before it is written.
/// </summary>
public interface ISkillGenerator
{
    string Name { get; }
    Task<GenerationResult> GenerateAsync(TaskCard card, CancellationToken cancellationToken);
}
