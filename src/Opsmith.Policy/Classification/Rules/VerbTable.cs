namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Tools judged by their sub-command (<c>argocd app list</c>, <c>velero backup delete</c>): each list holds
/// sub-commands of one or more words, matched from the first positional word. A sub-command in no list is
/// unknown, so destructive (fail closed), never assumed to be a harmless change.
/// </summary>
internal sealed record VerbTable(string Program, string[] ValueOptions, string[] Read, string[] Service, string[] Destructive, string[] Data, string[]? Sensitive = null)
{
    public Verdict Judge(Invocation call)
    {
        var words = call.PositionalTexts(ValueOptions);
        if (words.Count == 0 && call.Args.Count > 0 && call.Args.All(a => Read.Contains(a)))
            return Verdict.Read($"{Program}.{call.Args[0].TrimStart('-')}", $"{Program} {string.Join(' ', call.Args)} only reads");
        if (words.Count == 0)
        {
            return call.Args.Count == 0 || call.Args.All(a => a is "--help" or "-h" or "--version" or "-v" or "version" or "help")
                ? Verdict.Read($"{Program}.help", "prints help or the version")
                : Verdict.Unknown($"{Program}.no-subcommand", $"{Program} {string.Join(' ', call.Args)}: no sub-command the classifier knows");
        }
        if (words[0] is "help" or "version" or "completion" || call.Has("--help", "-h")) return Verdict.Read($"{Program}.help", "prints help or the version");
        if (Match(Data, words) is { } data) return Verdict.Data($"{Program}.{Id(data)}", $"{Program} {data} deletes, overwrites or restores stored data");
        if (Match(Destructive, words) is { } destructive) return Verdict.Destructive($"{Program}.{Id(destructive)}", $"{Program} {destructive} cannot be undone");
        if (Match(Service, words) is { } service) return Verdict.Service($"{Program}.{Id(service)}", $"{Program} {service} changes the service in a way that can be put back");
        if (Sensitive is not null && Match(Sensitive, words) is { } sensitive) return Verdict.Sensitive($"{Program}.{Id(sensitive)}", $"{Program} {sensitive} prints secret values");
        if (Match(Read, words) is { } read) return Verdict.Read($"{Program}.{Id(read)}", $"{Program} {read} only reads");
        return Verdict.Unknown($"{Program}.unknown-subcommand", $"{Program} {string.Join(' ', words.Take(2))} is a sub-command the classifier does not know");
    }

    /// <summary>The longest entry whose words start the positional words; an entry ending in * matches any word starting so.</summary>
    private static string? Match(string[] entries, IReadOnlyList<string> words)
    {
        string? best = null;
        var bestLength = 0;
        foreach (var entry in entries)
        {
            var parts = entry.Split(' ');
            if (parts.Length > words.Count || parts.Length < bestLength) continue;
            var matches = true;
            for (var i = 0; i < parts.Length && matches; i++)
                matches = parts[i].EndsWith('*') ? words[i].StartsWith(parts[i][..^1], StringComparison.Ordinal) : words[i] == parts[i];
            if (matches && parts.Length >= bestLength)
            {
                best = entry;
                bestLength = parts.Length;
            }
        }
        return best;
    }

    private static string Id(string entry) => entry.Replace(' ', '-').Replace("*", "");
}
