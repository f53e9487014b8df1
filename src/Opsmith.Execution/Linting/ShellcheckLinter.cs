using System.Text.Json;
using Opsmith.Core.Linting;
using Opsmith.Execution.Processes;

namespace Opsmith.Execution.Linting;

/// <summary>
/// Lints skill commands with shellcheck (POSIX sh dialect: skills run under /bin/sh -c). Findings are cached by
/// the hash of the shellcheck version and the script (<see cref="LintCache"/>), so an unchanged catalog is not
/// linted again; what is not cached is linted once per distinct script, in one batch per processor, run in
/// parallel (shellcheck is single-threaded and starting it costs far less than parsing).
/// </summary>
public sealed class ShellcheckLinter(string? program = null, string? cacheFolder = null) : IScriptLinter
{
    /// <summary>POSIX sh, and no .shellcheckrc: findings must depend only on the script, or the cache could not be trusted.</summary>
    private static readonly string[] Flags = ["--shell=sh", "--norc"];

    /// <summary>Below this many scripts per batch, another process costs more than it saves.</summary>
    private const int MinBatch = 40;

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

        var findings = new List<ScriptFinding>();
        var waiting = new Dictionary<string, List<ScriptToLint>>(StringComparer.Ordinal); // key -> scripts with that text
        foreach (var script in scripts)
        {
            var key = cache.Key(script.Script);
            if (waiting.TryGetValue(key, out var same)) same.Add(script);
            else if (cache.Get(key) is { } cached) findings.AddRange(cached.Select(f => f with { Id = script.Id }));
            else waiting[key] = [script];
        }
        if (waiting.Count == 0) return new LintOutcome(findings, null);

        var distinct = waiting.Select(w => new ScriptToLint(w.Key, w.Value[0].Script)).ToList();
        var batchCount = Math.Clamp(distinct.Count / MinBatch, 1, Environment.ProcessorCount);
        var batches = Enumerable.Range(0, batchCount).Select(b => distinct.Where((_, i) => i % batchCount == b).ToList()).ToList();
        var outcomes = await Task.WhenAll(batches.Select(batch => LintBatchAsync(path, batch, cancellationToken)));
        if (outcomes.FirstOrDefault(o => o.Unavailable is not null) is { } failed) return failed;

        var byKey = outcomes.SelectMany(o => o.Findings).ToLookup(f => f.Id);
        foreach (var (key, same) in waiting)
        {
            cache.Put(key, byKey[key]);
            foreach (var script in same) findings.AddRange(byKey[key].Select(f => f with { Id = script.Id }));
        }
        return new LintOutcome(findings, null);
    }

    /// <summary>One shellcheck process for a batch of scripts; each finding's Id is its script's Id.</summary>
    private static async Task<LintOutcome> LintBatchAsync(string path, IReadOnlyList<ScriptToLint> scripts, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("opsmith-shellcheck-");
        try
        {
            var files = new Dictionary<string, string>();
            for (var i = 0; i < scripts.Count; i++)
            {
                var file = Path.Combine(folder.FullName, $"{i}.sh");
                await File.WriteAllTextAsync(file, scripts[i].Script + "\n", cancellationToken);
                files[file] = scripts[i].Id;
            }
            var result = await LocalProcess.RunAsync(path, [.. Flags, "--format=json1", .. files.Keys], BatchTimeout, cancellationToken);
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
            folder.Delete(recursive: true);
        }
    }
}
