namespace Opsmith.Policy.Classification;

/// <summary>
/// Which options a program may be given and still do what its rule says. <see cref="Deny"/> false (the usual
/// case): only the listed options are known, anything else is an unknown option. <see cref="Deny"/> true: for
/// programs with very many harmless options, the listed ones are refused, and so is every abbreviation of a
/// listed long option (GNU getopt takes <c>--compress</c> for <c>--compress-program</c>).
/// </summary>
/// <param name="Short">Short option letters without a value.</param>
/// <param name="ShortWithValue">Short option letters that take a value (the rest of the cluster or the next word).</param>
/// <param name="Long">Long options without a value.</param>
/// <param name="LongWithValue">Long options that take a value (<c>--name=value</c> or <c>--name value</c>).</param>
/// <param name="Digits">Numbers as options are allowed (<c>head -20</c>).</param>
internal sealed record OptionRules(string Short, string ShortWithValue, string[] Long, string[] LongWithValue, bool Digits = false, bool Deny = false)
{
    /// <summary>The first option that is not allowed (or is denied), with the reason; null when all are fine.</summary>
    public string? Offending(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--") return null;
            if (arg.Length < 2 || arg[0] != '-' && !(arg[0] == '+' && Short.Contains('+'))) continue;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = arg.IndexOf('=');
                var name = eq > 0 ? arg[..eq] : arg;
                if (Deny)
                {
                    if (Long.Concat(LongWithValue).Any(d => d == name || name.Length >= 3 && d.StartsWith(name, StringComparison.Ordinal))) return arg;
                    continue;
                }
                if (Long.Contains(name) && eq < 0) continue;
                if (LongWithValue.Contains(name))
                {
                    if (eq < 0) i++;
                    continue;
                }
                return arg;
            }
            if (Digits && arg[1..].All(char.IsAsciiDigit)) continue;
            for (var c = 1; c < arg.Length; c++)
            {
                var letter = arg[c];
                if (ShortWithValue.Contains(letter))
                {
                    if (Deny) return arg;
                    if (c + 1 == arg.Length) i++;
                    break;
                }
                if (Deny ? Short.Contains(letter) : !Short.Contains(letter) && !(Digits && char.IsAsciiDigit(letter))) return arg;
            }
        }
        return null;
    }
}
