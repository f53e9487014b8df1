using Opsmith.Core.Linting;
using Opsmith.Storage.Linting;

namespace Opsmith.Storage.Tests;

public sealed class LintCacheTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("opsmith-lint-cache-test-");

    public void Dispose() => folder.Delete(recursive: true);

    private static ScriptFinding Finding(string message) => new("ignored", 1, 4, "info", "SC2086", message);

    [Fact]
    public void Findings_are_kept_per_script_text_and_linter_identity()
    {
        var cache = new LintCache(folder.FullName, "shellcheck 0.9.0");
        var noisy = cache.Key("ls $DIR");
        var clean = cache.Key("ls");
        cache.Store(new Dictionary<string, IReadOnlyList<ScriptFinding>> { [noisy] = [Finding("Double quote")], [clean] = [] });

        var found = new LintCache(folder.FullName, "shellcheck 0.9.0").Find([noisy, clean, cache.Key("ls -l")]);

        Assert.Equal("Double quote", Assert.Single(found[noisy]).Message);
        Assert.Equal(noisy, found[noisy][0].Id);
        Assert.Empty(found[clean]);
        Assert.Equal(2, found.Count); // a script never linted is not in the answer
        // Another linter version has other keys for the same text: nothing it finds comes from the old version.
        var newer = new LintCache(folder.FullName, "shellcheck 0.10.0");
        Assert.NotEqual(noisy, newer.Key("ls $DIR"));
        Assert.Empty(newer.Find([newer.Key("ls $DIR")]));
    }

    [Fact]
    public void A_damaged_cache_file_costs_only_time_and_is_started_again()
    {
        var cache = new LintCache(folder.FullName, "shellcheck");
        File.WriteAllText(cache.DatabasePath, "this is not a database, it was truncated or overwritten\n");
        var key = cache.Key("ls $DIR");

        Assert.Empty(cache.Find([key]));
        cache.Store(new Dictionary<string, IReadOnlyList<ScriptFinding>> { [key] = [Finding("Double quote")] });

        Assert.Equal("Double quote", Assert.Single(cache.Find([key])[key]).Message);
    }

    [Theory]
    [InlineData("[null]")]
    [InlineData("[{}]")]
    [InlineData("[{\"Line\":1}]")]
    [InlineData("{\"a\":1}")]
    [InlineData("null")]
    public void An_entry_edited_into_nonsense_is_linted_again_not_believed(string stored)
    {
        var cache = new LintCache(folder.FullName, "shellcheck");
        var key = cache.Key("ls $DIR");
        cache.Store(new Dictionary<string, IReadOnlyList<ScriptFinding>> { [key] = [Finding("Double quote")] });
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={cache.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE findings SET findings = $stored";
            update.Parameters.AddWithValue("$stored", stored);
            Assert.Equal(1, update.ExecuteNonQuery());
        }

        Assert.Empty(cache.Find([key]));
    }

    [Fact]
    public void A_cache_folder_that_cannot_be_made_costs_only_time()
    {
        var blocker = Path.Combine(folder.FullName, "a-file");
        File.WriteAllText(blocker, "");
        var cache = new LintCache(Path.Combine(blocker, "cache"), "shellcheck");
        var key = cache.Key("ls");

        cache.Store(new Dictionary<string, IReadOnlyList<ScriptFinding>> { [key] = [] });

        Assert.Empty(cache.Find([key]));
    }

    [Fact]
    public void Concurrent_writers_lose_no_entry()
    {
        var keys = Enumerable.Range(0, 8).Select(writer => Enumerable.Range(0, 200).Select(i => $"{writer}-{i}").ToList()).ToList();

        Parallel.ForEach(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, mine =>
            new LintCache(folder.FullName, "shellcheck").Store(mine.ToDictionary(k => k, k => (IReadOnlyList<ScriptFinding>)[Finding(k)])));

        var found = new LintCache(folder.FullName, "shellcheck").Find(keys.SelectMany(k => k).ToList());
        Assert.Equal(1600, found.Count);
        Assert.All(found, entry => Assert.Equal(entry.Key, Assert.Single(entry.Value).Message));
    }
}
