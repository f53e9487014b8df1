using System.Text.Json;
using Opsmith.Core.Linting;
using Opsmith.Execution.Processes;
using Opsmith.Storage.Linting;

namespace Opsmith.Execution.Linting;

/// <summary>
/// Lints skill commands with shellcheck (POSIX sh dialect: skills run under /bin/sh -c). Findings are cached by
/// the hash of the shellcheck version and the script (<see cref="LintCache"/>), so an unchanged catalog is not
/// linted again; what is not cached is linted once per distinct script, in batches (one per processor, up to
/// <see cref="MaxBatch"/> scripts each) run in parallel (shellcheck is single-threaded and starting it costs far less than parsing).
/// </summary>
public sealed class ShellcheckLinter(string? program = null, string? cacheFolder = null) : IScriptLinter
{
    /// <summary>POSIX sh, and no .shellcheckrc: findings must depend only on the script, or the cache could not be trusted.</summary>
    private static readonly string[] Flags = ["--shell=sh", "--norc"];

    /// <summary>Below this many scripts per batch, another process costs more than it saves.</summary>
    private const int MinBatch = 40;

    /// <summary>At most this many scripts per shellcheck: their paths must fit on one command line.</summary>
    private const int MaxBatch = 2000;

    private static readonly TimeSpan BatchTimeout = TimeSpan.FromMinutes(2);

    public async Task<LintOutcome> LintAsync(IReadOnlyList<ScriptToLint> scripts, CancellationToken cancellationToken)
    {
        var path = program ?? LocalProcess.Which("shellcheck");
        if (path is null)
            return LintOutcome.NotAvailable("shellcheck is not installed, so commands were not linted (apt-get install shellcheck)");
        if (scripts.Count == 0) return new LintOutcome([], null);

        var version = await LocalProcess.RunAsync(path, ["--version"], BatchTimeout, cancellationToken);
        if (!version.Succeeded)
            return LintOutcome.NotAvailable($"shellcheck did not run cleanly: {version.StartError ?? version.Stderr.Trim()}");
        var cache = new LintCache(cacheFolder ?? LintCache.DefaultFolder(), $"{version.Stdout.Trim()}\n{string.Join(' ', Flags)}");

        var keys = scripts.Select(script => cache.Key(script.Script)).ToList();
        var cached = cache.Find(keys.ToHashSet(StringComparer.Ordinal));
        var findings = new List<ScriptFinding>();
        var waiting = new Dictionary<string, List<ScriptToLint>>(StringComparer.Ordinal); // key -> scripts with that text
        for (var i = 0; i < scripts.Count; i++)
        {
            var (script, key) = (scripts[i], keys[i]);
            if (cached.TryGetValue(key, out var known)) findings.AddRange(known.Select(f => f with { Id = script.Id }));
            else if (waiting.TryGetValue(key, out var same)) same.Add(script);
            else waiting[key] = [script];
        }
        if (waiting.Count == 0) return new LintOutcome(findings, null);

        var distinct = waiting.Select(w => new ScriptToLint(w.Key, w.Value[0].Script)).ToList();
        // One batch per processor, each at least MinBatch scripts and at most MaxBatch (a command line has a limit).
        var batchSize = Math.Clamp((distinct.Count + Environment.ProcessorCount - 1) / Environment.ProcessorCount, MinBatch, MaxBatch);
        var batches = distinct.Chunk(batchSize).ToList();
        var outcomes = new LintOutcome[batches.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, batches.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (b, ct) => outcomes[b] = await LintBatchAsync(path, batches[b], ct));
        if (outcomes.FirstOrDefault(o => o.Unavailable is not null) is { } failed) return failed;

        var byKey = outcomes.SelectMany(o => o.Findings).ToLookup(f => f.Id);
        cache.Store(waiting.Keys.ToDictionary(key => key, key => (IReadOnlyList<ScriptFinding>)byKey[key].ToList(), StringComparer.Ordinal));
        foreach (var (key, same) in waiting)
            foreach (var script in same) findings.AddRange(byKey[key].Select(f => f with { Id = script.Id }));
        return new LintOutcome(findings, null);
    }

    /// <summary>One shellcheck process for a batch of scripts; each finding's Id is its script's Id.</summary>
    private static async Task<LintOutcome> LintBatchAsync(string path, IReadOnlyList<ScriptToLint> scripts, CancellationToken cancellationToken)
    {
        // Scripts are written to a memory file system when there is one; when it is full, to the temporary folder.
        // Whatever happens (a full disk, Ctrl-C while writing), the folder is deleted.
        DirectoryInfo? folder = null;
        try
        {
            Dictionary<string, string> files;
            try
            {
                folder = ScratchFolder.Create("opsmith-shellcheck-");
                files = await WriteScriptsAsync(folder, scripts, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                try
                {
                    folder?.Delete(recursive: true);
                    folder = ScratchFolder.Create("opsmith-shellcheck-", inMemory: false);
                    files = await WriteScriptsAsync(folder, scripts, cancellationToken);
                }
                catch (Exception again) when (again is IOException or UnauthorizedAccessException)
                {
                    return LintOutcome.NotAvailable($"the commands could not be written for shellcheck: {again.Message}");
                }
            }
            // Names relative to the folder: short (a long folder path cannot overflow the command line) and plain
            // ASCII, so shellcheck echoes them back byte for byte whatever the locale.
            var result = await LocalProcess.RunAsync(path, [.. Flags, "--format=json1", .. files.Keys], BatchTimeout, cancellationToken,
                workingDirectory: folder!.FullName);
            if (!result.Started || result.TimedOut || result.ExitCode is not (0 or 1))
                return LintOutcome.NotAvailable($"shellcheck did not run cleanly: {result.StartError ?? result.Stderr.Trim()}");
            using var json = JsonDocument.Parse(result.Stdout);
            var findings = json.RootElement.GetProperty("comments").EnumerateArray()
                .Select(c => new ScriptFinding(
                    files[c.GetProperty("file").GetString()!],
                    c.GetProperty("line").GetInt32(),
                    c.GetProperty("column").GetInt32(),
                    c.GetProperty("level").GetString()!,
                    $"SC{c.GetProperty("code").GetInt32()}",
                    c.GetProperty("message").GetString()!))
                .ToList();
            return new LintOutcome(findings, null);
        }
        finally
        {
            try { folder?.Delete(recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* nothing more can be done */ }
        }
    }

    /// <summary>Writes each script to its own file; the answer maps each file to its script's Id.</summary>
    private static async Task<Dictionary<string, string>> WriteScriptsAsync(DirectoryInfo folder, IReadOnlyList<ScriptToLint> scripts, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < scripts.Count; i++)
        {
            var file = $"{i}.sh";
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, file), scripts[i].Script + "\n", cancellationToken);
            files[file] = scripts[i].Id;
        }
        return files;
    }
}
