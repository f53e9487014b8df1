using System.Text;

namespace Opsmith.Core.Rendering;

/// <summary>
/// Replaces every known secret with <c>***</c>. Fed every secret value before anything runs, and applied
/// wherever text leaves the process (console, reports, audit), so no caller can forget. It masks every form of
/// a secret it can compute (<see cref="SecretForms"/>: escaped, encoded, reversed, each line), in any letter
/// case and with line breaks anywhere inside, in one linear pass over the text.
/// <para>
/// A secret shorter than <see cref="MinimumSecretLength"/> cannot be masked without masking ordinary text
/// (a one-character secret would turn every <c>e</c> in the audit trail into <c>***</c>), so
/// <see cref="Add"/> refuses it; <see cref="Problem"/> says so first, for callers that report it as an input
/// error. Text must be masked before it is cut short: use <see cref="ApplyAndTruncate"/>, or
/// <see cref="ApplyToTruncated"/> for text that someone else already cut.
/// </para>
/// </summary>
public sealed class SecretMasker
{
    public const string Mask = "***";

    /// <summary>Shorter secrets are refused: their forms occur in ordinary text too often.</summary>
    public const int MinimumSecretLength = 4;

    /// <summary>
    /// At the end of a cut text, this many characters or more of the start of a secret's form are masked too:
    /// the rest of the secret is what was cut off.
    /// </summary>
    public const int MinimumTrailingPrefix = 3;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _forms = new(StringComparer.Ordinal);
    private volatile SecretMatcher _matcher = new([]);

    /// <summary>Why <paramref name="secret"/> cannot be masked, or null when it can (an empty one has nothing to hide).</summary>
    public static string? Problem(string? secret) =>
        string.IsNullOrEmpty(secret) || secret.Length >= MinimumSecretLength
            ? null
            : $"is {secret.Length} character{(secret.Length == 1 ? "" : "s")} long; a secret needs at least {MinimumSecretLength} to be masked without hiding ordinary text";

    /// <summary>Adds a secret; null or empty adds nothing.</summary>
    /// <exception cref="SecretTooShortException">the secret is shorter than <see cref="MinimumSecretLength"/>.</exception>
    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret)) return;
        if (secret.Length < MinimumSecretLength) throw new SecretTooShortException(secret.Length);
        lock (_gate)
        {
            var added = false;
            foreach (var form in SecretForms.Of(secret).Where(f => SecretMatcher.Normalize(f).Length >= MinimumSecretLength))
                added |= _forms.Add(form);
            if (added) _matcher = new SecretMatcher(_forms);
        }
    }

    public string Apply(string? text) => Replace(text, trailingPrefix: 0);

    /// <summary>
    /// For text that was cut short before it came here (a capped read, a chunk of a stream): also masks a
    /// trailing start of a secret of <see cref="MinimumTrailingPrefix"/> characters or more.
    /// </summary>
    public string ApplyToTruncated(string? text) => Replace(text, MinimumTrailingPrefix);

    /// <summary>Masks the whole text, then keeps at most <paramref name="maxChars"/> of it (see <see cref="TruncateMasked"/>).</summary>
    public string ApplyAndTruncate(string? text, int maxChars, string ellipsis = "…") => TruncateMasked(Apply(text), maxChars, ellipsis);

    /// <summary>
    /// Cuts text that is already masked to at most <paramref name="maxChars"/> characters and appends
    /// <paramref name="ellipsis"/> when it cut anything; never splits a surrogate pair.
    /// </summary>
    public static string TruncateMasked(string masked, int maxChars, string ellipsis = "…")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxChars);
        if (masked.Length <= maxChars) return masked;
        var keep = maxChars > 0 && char.IsHighSurrogate(masked[maxChars - 1]) ? maxChars - 1 : maxChars;
        return masked[..keep] + ellipsis;
    }

    /// <summary>How many automaton steps masking <paramref name="text"/> takes: the test of linear cost.</summary>
    internal long StepsFor(string text)
    {
        _matcher.Find(text, MinimumTrailingPrefix, out var steps);
        return steps;
    }

    internal int FormCount { get { lock (_gate) return _forms.Count; } }

    private string Replace(string? text, int trailingPrefix)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var matcher = _matcher;
        if (matcher.IsEmpty) return text;
        var spans = matcher.Find(text, trailingPrefix, out _);
        if (spans.Count == 0) return text;
        var builder = new StringBuilder(text.Length);
        var at = 0;
        foreach (var (start, end) in spans)
        {
            builder.Append(text, at, start - at).Append(Mask);
            at = end;
        }
        return builder.Append(text, at, text.Length - at).ToString();
    }
}

/// <summary>A secret too short to mask safely; callers turn it into an error that names the input.</summary>
public sealed class SecretTooShortException(int length)
    : ArgumentException($"a secret of {length} character{(length == 1 ? "" : "s")} cannot be masked safely; secrets need at least {SecretMasker.MinimumSecretLength}")
{
    public int Length { get; } = length;
}
