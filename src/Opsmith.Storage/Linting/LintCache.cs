using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Opsmith.Core.Linting;

namespace Opsmith.Storage.Linting;

/// <summary>
/// Linter findings remembered by the hash of what produced them: the linter's identity (program version and
/// flags) and the script's text. A script is linted once per linter version, whatever file it sits in.
/// All entries live in one SQLite file (<c>lint.db</c>), looked up and written in one transaction per run:
/// creating a file is the dearest thing a cold run did (one per script, over a millisecond each on some file
/// systems), and SQLite's locking lets concurrent runs share the folder. A cache that cannot be read or written
/// only costs time, never a wrong answer; a damaged one is deleted and started again.
/// </summary>
public sealed class LintCache(string folder, string linterIdentity)
{
    /// <summary>$OPSMITH_HOME/cache when OPSMITH_HOME is set, else $XDG_CACHE_HOME/opsmith, else ~/.cache/opsmith.</summary>
    public static string DefaultFolder()
    {
        if (Environment.GetEnvironmentVariable("OPSMITH_HOME") is { Length: > 0 } home) return Path.Combine(home, "cache");
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "opsmith");
    }

    /// <summary>
    /// How long a run waits for another run's write before it goes on without the cache: Microsoft.Data.Sqlite retries a
    /// busy database until the command timeout (a busy_timeout pragma beside it would double the wait).
    /// </summary>
    private const int BusyTimeoutSeconds = 10;

    // SQLite's primary result codes for a file that is not, or no longer, a database.
    private const int SqliteCorrupt = 11, SqliteNotADatabase = 26;

    public string Folder { get; } = folder;

    /// <summary>The database file holding every entry.</summary>
    public string DatabasePath => Path.Combine(Folder, "lint.db");

    public string Key(string script)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{linterIdentity}\0{script}"));
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// The findings stored for each of <paramref name="keys"/> that has an entry (their Id is the key). Keys
    /// without one, or whose entry cannot be read, are missing from the answer.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ScriptFinding>> Find(IReadOnlyCollection<string> keys)
    {
        var found = new Dictionary<string, IReadOnlyList<ScriptFinding>>(StringComparer.Ordinal);
        if (keys.Count == 0 || !File.Exists(DatabasePath)) return found;
        Use(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT findings FROM findings WHERE key = $key";
            var key = command.Parameters.Add("$key", SqliteType.Text);
            foreach (var wanted in keys)
            {
                key.Value = wanted;
                if (command.ExecuteScalar() is not string json) continue;
                try
                {
                    // Only well-formed entries count: one edited into nulls or empty fields is linted again.
                    if (JsonSerializer.Deserialize<StoredFinding?[]>(json) is { } stored && stored.All(IsWhole))
                        found[wanted] = stored.Select(f => new ScriptFinding(wanted, f!.Line, f.Column, f.Level, f.Code, f.Message)).ToList();
                }
                catch (JsonException)
                {
                    // An entry someone edited into nonsense: lint that script again.
                }
            }
        });
        return found;
    }

    /// <summary>Stores the findings of each script (an empty list for a clean one), all in one transaction.</summary>
    public void Store(IReadOnlyDictionary<string, IReadOnlyList<ScriptFinding>> entries)
    {
        if (entries.Count == 0) return;
        try
        {
            Directory.CreateDirectory(Folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // A read-only or full cache folder: the next run lints again.
        }
        Use(connection =>
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR REPLACE INTO findings (key, findings) VALUES ($key, $findings)";
            var key = command.Parameters.Add("$key", SqliteType.Text);
            var findings = command.Parameters.Add("$findings", SqliteType.Text);
            foreach (var (entryKey, entryFindings) in entries)
            {
                key.Value = entryKey;
                findings.Value = JsonSerializer.Serialize(
                    entryFindings.Select(f => new StoredFinding(f.Line, f.Column, f.Level, f.Code, f.Message)).ToArray());
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        });
    }

    /// <summary>
    /// Opens the database (creating its table when new) and runs <paramref name="work"/>. A file that is not a
    /// database is deleted and made again once; any other failure (locked past the timeout, read-only, full)
    /// leaves the cache out of this run.
    /// </summary>
    private void Use(Action<SqliteConnection> work)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
                {
                    DataSource = DatabasePath,
                    Mode = SqliteOpenMode.ReadWriteCreate,
                    Pooling = false,
                    DefaultTimeout = BusyTimeoutSeconds,
                }.ToString());
                connection.Open();
                using (var setup = connection.CreateCommand())
                {
                    setup.CommandText = """
                        PRAGMA journal_mode = WAL;
                        PRAGMA synchronous = NORMAL;
                        CREATE TABLE IF NOT EXISTS findings (key TEXT PRIMARY KEY, findings TEXT NOT NULL) WITHOUT ROWID;
                        """;
                    setup.ExecuteNonQuery();
                }
                work(connection);
                return;
            }
            catch (SqliteException e) when (attempt == 0 && (e.SqliteErrorCode & 0xFF) is SqliteCorrupt or SqliteNotADatabase)
            {
                SqliteConnection.ClearAllPools();
                foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
                {
                    try { File.Delete(file); }
                    catch (Exception d) when (d is IOException or UnauthorizedAccessException) { return; }
                }
            }
            catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    private static bool IsWhole(StoredFinding? f) =>
        f is { Line: >= 1, Column: >= 1, Level.Length: > 0, Code.Length: > 0, Message: not null };

    private sealed record StoredFinding(int Line, int Column, string Level, string Code, string Message);
}
