using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Opsmith.Core.Linting;

namespace Opsmith.Execution.Linting;

/// <summary>
/// Linter findings remembered by the hash of what produced them: the linter's identity (program version and
/// flags) and the script's text. A script is linted once per linter version, whatever file it sits in.
/// One small file per script, written atomically, so concurrent runs can share the folder; a cache that cannot
/// be read or written only costs time, never a wrong answer.
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

    public string Folder { get; } = folder;

    public string Key(string script)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{linterIdentity}\0{script}"));
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The findings stored for <paramref name="key"/> (their Id is the key), or null when there are none or they are unreadable.</summary>
    public IReadOnlyList<ScriptFinding>? Get(string key)
    {
        try
        {
            var file = PathOf(key);
            if (!File.Exists(file)) return null;
            var stored = JsonSerializer.Deserialize<StoredFinding[]>(File.ReadAllBytes(file));
            return stored?.Select(f => new ScriptFinding(key, f.Line, f.Column, f.Level, f.Code, f.Message)).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    public void Put(string key, IEnumerable<ScriptFinding> findings)
    {
        try
        {
            var file = PathOf(key);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temporary = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(
                findings.Select(f => new StoredFinding(f.Line, f.Column, f.Level, f.Code, f.Message)).ToArray()));
            File.Move(temporary, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full cache folder: the next run lints again.
        }
    }

    private string PathOf(string key) => Path.Combine(Folder, "shellcheck", key[..2], key + ".json");

    private sealed record StoredFinding(int Line, int Column, string Level, string Code, string Message);
}
