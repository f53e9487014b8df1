namespace Opsmith.Policy.Classification;

/// <summary>
/// The options a program was given, read the getopt way: short letters may be clustered (<c>-rf</c>), a
/// letter that takes a value takes the rest of its cluster or the next word (<c>-uroot</c>, <c>-u root</c>),
/// long options take <c>--name=value</c> or <c>--name value</c>, and <c>--</c> ends the options.
/// </summary>
internal sealed record ParsedOptions(IReadOnlyList<KeyValuePair<string, string?>> All, int FirstPositional)
{
    public bool Has(params string[] names) => All.Any(o => names.Contains(o.Key));

    public string? Value(params string[] names) => All.LastOrDefault(o => names.Contains(o.Key) && o.Value is not null).Value;

    /// <summary>Every value given to a repeatable option, in order (<c>psql -c A -c B</c>).</summary>
    public IReadOnlyList<string> Values(params string[] names) => All.Where(o => names.Contains(o.Key) && o.Value is not null).Select(o => o.Value!).ToList();
}

internal static class OptionSyntax
{
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
                else if (longWithValue?.Contains(arg) == true && i + 1 < args.Count) seen.Add(new(arg, args[++i]));
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
