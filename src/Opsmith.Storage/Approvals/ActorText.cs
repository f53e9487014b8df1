using Opsmith.Policy.Decisions;

namespace Opsmith.Storage.Approvals;

/// <summary>Actors as the audit trail and approval requests write them: <c>user:alice</c>, <c>agent:opsmith</c>.</summary>
public static class ActorText
{
    public static bool TryParse(string? text, out Actor actor)
    {
        actor = null!;
        if (text is null) return false;
        var colon = text.IndexOf(':');
        if (colon < 1 || colon == text.Length - 1) return false;
        var name = text[(colon + 1)..];
        switch (text[..colon])
        {
            case "user": actor = new Actor(name, ActorKind.Human); return true;
            case "agent": actor = new Actor(name, ActorKind.Agent); return true;
            default: return false;
        }
    }

    public static Actor Parse(string text) =>
        TryParse(text, out var actor)
            ? actor
            : throw new FormatException($"'{text}' is not an actor: expected user:NAME or agent:NAME");
}
