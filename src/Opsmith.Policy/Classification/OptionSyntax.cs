namespace Opsmith.Policy.Classification;

/// <summary>
/// The options a program was given, read the getopt way: short letters may be clustered (<c>-rf</c>), a
/// letter that takes a value takes the rest of its cluster or the next word (<c>-uroot</c>, <c>-u root</c>),
/// long options take <c>--name=value</c> or <c>--name value</c>, and <c>--</c> ends the options.
/// </summary>
internal sealed record ParsedOptions(IReadOnlyList<KeyValuePair<string, string?>> All, int FirstPositional)
{
    public bool Has(params string[] names) => All.Any(o => names.Any(n => OptionSyntax.Matches(o.Key, n)));

    public string? Value(params string[] names) => All.LastOrDefault(o => names.Any(n => OptionSyntax.Matches(o.Key, n)) && o.Value is not null).Value;

    /// <summary>Every value given to a repeatable option, in order (<c>psql -c A -c B</c>).</summary>
    public IReadOnlyList<string> Values(params string[] names) => All.Where(o => names.Any(n => OptionSyntax.Matches(o.Key, n)) && o.Value is not null).Select(o => o.Value!).ToList();
}

internal static class OptionSyntax
{
    /// <summary>
    /// <paramref name="arg"/> (without any <c>=value</c>) is the option <paramref name="name"/>: the same, or for a long
    /// option <c>--name=value</c> or an abbreviation of at least one letter (<c>--i</c> for <c>--in-place</c>), which GNU
    /// getopt accepts when unambiguous. Reading every abbreviation as the option it may stand for fails closed.
    /// </summary>
    public static bool Matches(string arg, string name)
    {
        if (arg == name) return true;
        if (!name.StartsWith("--", StringComparison.Ordinal) || !arg.StartsWith("--", StringComparison.Ordinal)) return false;
        var eq = arg.IndexOf('=');
        var bare = eq > 0 ? arg[..eq] : arg;
        return bare == name || IsAbbreviation(bare, name);
    }

    /// <summary><c>--rec</c> abbreviates <c>--recursive</c>: at least one letter after the dashes, and a prefix.</summary>
    public static bool IsAbbreviation(string arg, string name) =>
        arg.Length >= 3 && arg.Length < name.Length && arg.StartsWith("--", StringComparison.Ordinal) && name.StartsWith(arg, StringComparison.Ordinal) && arg.IndexOf('=') < 0;

    /// <param name="args">The arguments after the program name.</param>
    /// <param name="shortWithValue">Short option letters that take a value, e.g. "ugp" for sudo.</param>
    /// <param name="longWithValue">Long options that take a value when written without '='.</param>
    /// <param name="stopAtPositional">Stop at the first positional (a wrapper's command); otherwise options may follow positionals.</param>
    public static ParsedOptions Parse(IReadOnlyList<string> args, string shortWithValue, IReadOnlyCollection<string>? longWithValue = null, bool stopAtPositional = true)
    {
        var seen = new List<KeyValuePair<string, string?>>();
        var i = 0;
        var firstPositional = -1;
        while (i < args.Count)
        {
            var arg = args[i];
            if (arg == "--")
            {
                if (firstPositional < 0) firstPositional = i + 1;
                break;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = arg.IndexOf('=');
                if (eq > 0) seen.Add(new(arg[..eq], arg[(eq + 1)..]));
                else if (longWithValue?.Any(l => l == arg || IsAbbreviation(arg, l)) == true && i + 1 < args.Count) seen.Add(new(arg, args[++i]));
                else seen.Add(new(arg, null));
                i++;
                continue;
            }
            if (arg.Length > 1 && arg[0] is '-' or '+')
            {
                for (var c = 1; c < arg.Length; c++)
                {
                    var key = arg[0] + arg[c].ToString();
                    if (!shortWithValue.Contains(arg[c]))
                    {
                        seen.Add(new(key, null));
                        continue;
                    }
                    seen.Add(new(key, c + 1 < arg.Length ? arg[(c + 1)..] : i + 1 < args.Count ? args[++i] : null));
                    break;
                }
                i++;
                continue;
            }
            if (firstPositional < 0) firstPositional = i;
            if (stopAtPositional) break;
            i++;
        }
        return new ParsedOptions(seen, firstPositional < 0 ? args.Count : firstPositional);
    }
}
