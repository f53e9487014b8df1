namespace Opsmith.Cli.Commands;

/// <summary>
/// Parses <c>--input name=value</c> pairs. Secret inputs may instead come from the environment as
/// <c>OPSMITH_SECRET_NAME</c> (upper case), which keeps them out of shell history and process lists.
/// </summary>
public static class InputOptions
{
    public static Dictionary<string, string> Parse(IEnumerable<string> pairs)
    {
        var values = new Dictionary<string, string>();
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=');
            // The pair is not echoed: it may be a secret typed without its name.
            if (equals <= 0) throw new UsageException("--input takes NAME=VALUE; one of the values given has no NAME= in front");
            var name = pair[..equals];
            if (!values.TryAdd(name, pair[(equals + 1)..])) throw new UsageException($"--input {name} is given twice");
        }
        return values;
    }

    public static void AddSecretsFromEnvironment(Dictionary<string, string> values, IEnumerable<string> secretNames)
    {
        foreach (var name in secretNames)
        {
            if (values.ContainsKey(name)) continue;
            var fromEnvironment = Environment.GetEnvironmentVariable($"OPSMITH_SECRET_{name.ToUpperInvariant()}");
            if (fromEnvironment is not null) values[name] = fromEnvironment;
        }
    }
}
