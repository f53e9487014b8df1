namespace Opsmith.Core.Rendering;

/// <summary>
/// Replaces every known secret with <c>***</c>. Fed every secret value before anything runs, and applied
/// wherever text leaves the process (console, reports, audit), so no caller can forget. It also masks the
/// forms a secret takes once rendered: shell-quoted, and each line of a multi-line secret.
/// </summary>
public sealed class SecretMasker
{
    public const string Mask = "***";
    private readonly HashSet<string> _secrets = [];
    private string[] _ordered = [];

    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret)) return;
        var forms = new List<string> { secret, ShellQuote.Quote(secret), secret.Replace("'", "'\\''") };
        forms.AddRange(secret.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length >= 3));
        foreach (var form in forms) _secrets.Add(form);
        // Longest first, so a secret that contains another is masked whole.
        _ordered = _secrets.OrderByDescending(s => s.Length).ToArray();
    }

    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text) || _ordered.Length == 0) return text ?? "";
        foreach (var secret in _ordered)
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return text;
    }
}
