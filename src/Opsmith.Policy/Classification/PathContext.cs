namespace Opsmith.Policy.Classification;

/// <summary>
/// What path judgements depend on besides the path: the working directory a command has moved to
/// (<c>cd /var/lib/postgresql &amp;&amp; rm -rf ./*</c>) and the environment's data inventory. Set for the length of one
/// classification on the classifying thread, so the many rules that judge paths need no extra parameter.
/// </summary>
internal static class PathContext
{
    [ThreadStatic] private static State? current;

    /// <summary>The working directory: null when never changed (relative paths are "somewhere"), "" when changed to a place known only at run time.</summary>
    public static string? WorkingDirectory => current?.WorkingDirectory;

    public static DataInventory Inventory => current?.Inventory ?? DataInventory.Empty;

    public static IDisposable Enter(DataInventory inventory)
    {
        var previous = current;
        current = new State { Inventory = inventory };
        return new Scope(previous);
    }

    public static void ChangeDirectory(string? directory)
    {
        if (current is null) return;
        if (directory is null) current.WorkingDirectory = "";
        else if (directory.StartsWith('/')) current.WorkingDirectory = Paths.Normalize(directory, out _);
        else if (current.WorkingDirectory is { Length: > 0 } cwd) current.WorkingDirectory = Paths.Normalize(cwd + "/" + directory, out _);
        else current.WorkingDirectory = "";
    }

    private sealed class State
    {
        public string? WorkingDirectory { get; set; }

        public DataInventory Inventory { get; init; } = DataInventory.Empty;
    }

    private sealed class Scope(State? previous) : IDisposable
    {
        public void Dispose() => current = previous;
    }
}
