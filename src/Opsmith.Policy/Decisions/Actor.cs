using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Opsmith.Policy.Decisions;

public enum ActorKind { Human, Agent }

/// <summary>
/// Who or what wants something to happen, in one canonical form, so that one identity has one spelling:
/// four-eyes compares names, and <c>Alice</c>, <c> alice </c>, <c>ａｌｉｃｅ</c> and <c>user:alice</c> must all be
/// the same person. Every way in (<see cref="TryParse"/>, <see cref="Parse"/>, the constructor) canonicalizes:
/// Unicode NFKC (see <see cref="Compatibility"/>), lower case, surrounding white space trimmed and inner runs of
/// it made one space; an optional
/// <c>user:</c> or <c>agent:</c> prefix is accepted once. Control and format characters (newlines, zero-width
/// and bidi characters), a colon in the name and an empty name are refused, never cleaned up: an identity that
/// needs cleaning is someone trying to be two people. Compare actors with <see cref="IsSameIdentityAs"/>.
/// </summary>
public sealed record Actor
{
    public const int MaxNameLength = 128;

    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid actor name, or its prefix names another kind.</exception>
    public Actor(string name, ActorKind kind)
    {
        if (!TryCanonical(name, kind, out var parsed, out var problem)) throw new ArgumentException(problem);
        (Name, Kind) = parsed;
    }

    private Actor((string Name, ActorKind Kind) canonical) => (Name, Kind) = canonical;

    /// <summary>Canonical: NFKC, lower case, no prefix.</summary>
    public string Name { get; }

    public ActorKind Kind { get; }

    /// <summary>
    /// The single identity comparison (four-eyes, the approval store): the same canonical name is the same
    /// identity whatever the kind, so an agent cannot carry a person's name past four-eyes or the other way round.
    /// </summary>
    public bool IsSameIdentityAs(Actor other) => string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <summary>Reads <c>user:NAME</c>, <c>agent:NAME</c> or a bare <c>NAME</c> (a person); false with why otherwise.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Actor? actor, [NotNullWhen(false)] out string? problem)
    {
        actor = null;
        if (!TryCanonical(text, null, out var parsed, out problem)) return false;
        actor = new Actor(parsed);
        return true;
    }

    /// <exception cref="FormatException"><paramref name="text"/> is not an actor.</exception>
    public static Actor Parse(string? text) =>
        TryParse(text, out var actor, out var problem) ? actor : throw new FormatException(problem);

    public override string ToString() => $"{(Kind == ActorKind.Agent ? "agent" : "user")}:{Name}";

    private static bool TryCanonical(string? text, ActorKind? kind, out (string Name, ActorKind Kind) actor, [NotNullWhen(false)] out string? problem)
    {
        actor = default;
        var shown = Show(text);
        if (string.IsNullOrWhiteSpace(text)) return Fail($"an actor needs a name; got {shown}", out problem);
        if (text.Any(Refused))
            return Fail($"actor {shown} contains a control, format or line-break character; an actor name is one line of visible text", out problem);
        string normal;
        try { normal = Compatibility(text.Normalize(NormalizationForm.FormKC)).Trim(); }
        catch (ArgumentException) { return Fail($"actor {shown} is not valid Unicode", out problem); }
        var stated = (ActorKind?)null;
        foreach (var (prefix, prefixKind) in Prefixes)
        {
            if (!normal.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            stated = prefixKind;
            normal = normal[prefix.Length..].Trim();
            break;
        }
        if (stated is { } s && kind is { } k && s != k)
            return Fail($"actor {shown} says it is {(s == ActorKind.Agent ? "an agent" : "a person")} but is given as {(k == ActorKind.Agent ? "an agent" : "a person")}", out problem);
        if (normal.Length == 0) return Fail($"actor {shown} has no name after its prefix", out problem);
        if (normal.Contains(':'))
            return Fail($"actor {shown} has a colon in its name; write user:NAME or agent:NAME with the prefix once", out problem);
        if (normal.FirstOrDefault(c => !Allowed(c)) is var odd and not '\0')
            return Fail($"actor {shown} contains '{odd}'; actor names use letters (Latin), digits, spaces and . _ - @ + ' \\", out problem);
        var name = string.Join(' ', normal.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        if (name.Length > MaxNameLength) return Fail($"actor {shown} is longer than {MaxNameLength} characters", out problem);
        actor = (name, stated ?? kind ?? ActorKind.Human);
        problem = null;
        return true;
    }

    private static readonly (string Prefix, ActorKind Kind)[] Prefixes = [("user:", ActorKind.Human), ("agent:", ActorKind.Agent)];

    /// <summary>
    /// Opsmith runs with invariant globalization, where .NET's <see cref="string.Normalize(NormalizationForm)"/>
    /// leaves non-ASCII text as it is. So the NFKC mappings a name can plausibly need are done here (fullwidth
    /// forms to ASCII, every space to a plain space), and <see cref="Allowed"/> keeps names to characters whose
    /// NFKC form is themselves: nothing outside it can spell a second name for the same person.
    /// </summary>
    private static string Compatibility(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is >= '\uff01' and <= '\uff5e') builder.Append((char)(c - 0xfee0));
            else if (char.IsWhiteSpace(c)) builder.Append(' ');
            else builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>ASCII letters and digits, a few separators, and the precomposed Latin letters NFKC leaves alone.</summary>
    private static bool Allowed(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is ' ' or '.' or '_' or '-' or '@' or '+' or '\'' or '\\'
        || (c is >= '\u00c0' and <= '\u017f' && c is not ('\u00d7' or '\u00f7' or '\u0132' or '\u0133' or '\u013f' or '\u0140' or '\u0149' or '\u017f'));

    private static bool Refused(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    private static bool Fail(string message, out string problem)
    {
        problem = message;
        return false;
    }

    /// <summary>The text as a problem shows it: quoted, controls escaped, so the message itself is one safe line.</summary>
    private static string Show(string? text)
    {
        if (text is null) return "nothing";
        var builder = new StringBuilder("'");
        foreach (var c in text.Length > 80 ? text[..80] + "…" : text)
            builder.Append(Refused(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return builder.Append('\'').ToString();
    }
}
