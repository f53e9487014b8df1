using System.Diagnostics.CodeAnalysis;
using Opsmith.Policy.Decisions;

namespace Opsmith.Storage.Approvals;

/// <summary>
/// Actors as the audit trail and approval requests write them: <c>user:alice</c>, <c>agent:opsmith</c>. Reading
/// is <see cref="Actor.TryParse"/>'s, so stored text and a name typed by a person end in the same canonical actor.
/// </summary>
public static class ActorText
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out Actor? actor) => Actor.TryParse(text, out actor, out _);

    public static Actor Parse(string text) => Actor.Parse(text);
}
