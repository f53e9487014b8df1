namespace Opsmith.Policy.Classification;

/// <summary>
/// What the classifier is told besides the command. <see cref="DeclaredReadPrograms"/> come from a skill's
/// <c>read_only_programs</c>, <see cref="ExtraReadOnlyPrograms"/> from the environment's configuration; each maps a
/// program name to the reason a reviewer can check. A declaration only lifts an unknown program to <c>read</c>
/// (with its options still read for run-time values); it never overrides a rule. <see cref="Inventory"/> names the
/// environment's stored data: any write that touches it is <c>data-mutation</c>.
/// </summary>
public sealed record ClassifierOptions(IReadOnlyDictionary<string, string> DeclaredReadPrograms)
{
    public static readonly ClassifierOptions Default = new(new Dictionary<string, string>());

    /// <summary>Programs the whole environment declares read-only (name → reason), e.g. a site's own status tool.</summary>
    public IReadOnlyDictionary<string, string> ExtraReadOnlyPrograms { get; init; } = new Dictionary<string, string>();

    /// <summary>The environment's stored data; empty means only the built-in data paths and stores are known.</summary>
    public DataInventory Inventory { get; init; } = DataInventory.Empty;

    /// <summary>The reason a program is declared read-only, by the skill first, then by the environment.</summary>
    internal string? DeclaredReason(string program) =>
        DeclaredReadPrograms.TryGetValue(program, out var reason) ? $"the skill declares {program} read-only: {reason}"
        : ExtraReadOnlyPrograms.TryGetValue(program, out var extra) ? $"the environment declares {program} read-only: {extra}"
        : null;
}

/// <summary>
/// Where an environment keeps data that cannot be recreated. Pure data, read from configuration by the caller.
/// A write, delete or move that names one of these is <c>data-mutation</c>, whatever the program.
/// </summary>
/// <param name="DataDirectories">Absolute directories (and everything under them): <c>/srv/ledger</c>, <c>/mnt/pgdata</c>.</param>
/// <param name="Databases">Database names: <c>DROP DATABASE ledger</c>, <c>dropdb ledger</c>, <c>mongosh ledger --eval …</c>.</param>
/// <param name="Buckets">Object-store buckets (without scheme): <c>s3://ledger-archive</c>, <c>gs://ledger-archive</c>.</param>
/// <param name="Volumes">Container and cloud volume names (docker volumes, EBS/GCE disks, Kubernetes PVCs).</param>
/// <param name="KubernetesKinds">Resource kinds whose objects hold data (<c>postgresclusters</c>, <c>kafkatopics</c>); deleting or patching one is data-mutation.</param>
/// <param name="DatastorePorts">Ports datastores listen on; raw bytes sent there (nc, socat, /dev/tcp, gopher://) are judged as data writes.</param>
public sealed record DataInventory(
    IReadOnlyList<string> DataDirectories,
    IReadOnlyList<string> Databases,
    IReadOnlyList<string> Buckets,
    IReadOnlyList<string> Volumes,
    IReadOnlyList<string> KubernetesKinds,
    IReadOnlyList<int> DatastorePorts)
{
    public static readonly DataInventory Empty = new([], [], [], [], [], []);

    /// <summary>Ports of the usual datastores, always treated as datastore ports.</summary>
    public static readonly IReadOnlyList<int> WellKnownDatastorePorts =
        [5432, 3306, 6379, 6380, 11211, 27017, 9200, 9300, 2379, 9042, 5984, 8086, 8123, 9000, 9092, 2181, 5672, 26257, 7000, 7001, 1433, 1521, 8529, 7687, 4222, 8500];

    public bool IsEmpty => DataDirectories.Count == 0 && Databases.Count == 0 && Buckets.Count == 0 && Volumes.Count == 0 && KubernetesKinds.Count == 0 && DatastorePorts.Count == 0;

    /// <summary>True when <paramref name="port"/> is a datastore port (well known, or listed in the inventory).</summary>
    public bool IsDatastorePort(int port) => WellKnownDatastorePorts.Contains(port) || DatastorePorts.Contains(port);

    /// <summary>The inventory entry a piece of text names, if any (a directory, bucket, volume, database or kind).</summary>
    internal string? Named(string text)
    {
        foreach (var directory in DataDirectories)
        {
            var root = directory.TrimEnd('/');
            if (root.Length > 0 && (text == root || text.StartsWith(root + "/", StringComparison.Ordinal) || text.Contains(root + "/", StringComparison.Ordinal) || text.EndsWith(root, StringComparison.Ordinal))) return directory;
        }
        foreach (var name in Buckets.Concat(Volumes).Concat(Databases).Concat(KubernetesKinds))
        {
            if (name.Length > 0 && ContainsWord(text, name)) return name;
        }
        return null;
    }

    /// <summary>True when <paramref name="path"/> is one of the data directories or under one.</summary>
    internal bool ContainsPath(string path) =>
        DataDirectories.Any(d => d.TrimEnd('/') is { Length: > 0 } root && (path == root || path.StartsWith(root + "/", StringComparison.Ordinal)));

    /// <summary>True when <paramref name="path"/> contains a data directory (removing it recursively removes the data).</summary>
    internal bool IsAncestorOf(string path) =>
        DataDirectories.Any(d => d.TrimEnd('/') is { Length: > 0 } root && (path == "/" || root.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal)));

    private static bool ContainsWord(string text, string word)
    {
        var at = 0;
        while ((at = text.IndexOf(word, at, StringComparison.Ordinal)) >= 0)
        {
            var before = at == 0 || !IsNameChar(text[at - 1]);
            var end = at + word.Length;
            var after = end == text.Length || !IsNameChar(text[end]);
            if (before && after) return true;
            at = end;
        }
        return false;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';
}
