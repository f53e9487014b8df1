using Opsmith.Core.Skills;
using Opsmith.Core.TaskCards;

namespace Opsmith.Core.Generation;

/// <summary>A kind of skill the template generator knows how to write, and the words that point to it.</summary>
public sealed record SkillFamily(string Name, string Summary, IReadOnlyList<string> Keywords, Func<TaskCard, Skill> Build)
{
    /// <summary>How strongly a card's text points at this family: keyword hits, whole words only.</summary>
    public int Score(TaskCard card)
    {
        var words = $"{card.Name} {card.Intent} {card.Symptom} {card.ExpectedOutcome}"
            .ToLowerInvariant()
            .Split([' ', '-', '_', ',', '.', ':', ';', '(', ')', '/', '\'', '"'], StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet();
        return Keywords.Count(words.Contains);
    }
}
