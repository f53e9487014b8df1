using System.Text.Json;
using Opsmith.Core.Linting;
using Opsmith.Execution.Processes;

namespace Opsmith.Execution.Linting;

/// <summary>
/// Lints skill commands with shellcheck (POSIX sh dialect: skills run under /bin/sh -c). All scripts go to
/// one shellcheck process, which is much faster than one process per command.
/// </summary>
public sealed class ShellcheckLinter(string? program = null) : IScriptLinter
{
    public async Task<LintOutcome> LintAsync(IReadOnlyList<ScriptToLint> scripts, CancellationToken cancellationToken)
    {
        var path = program ?? LocalProcess.Which("shellcheck");
        if (path is null)
            return LintOutcome.NotAvailable("shellcheck is not installed, so commands were not linted (apt-get install shellcheck)");
        if (scripts.Count == 0) return new LintOutcome([], null);

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
            var result = await LocalProcess.RunAsync(path, ["--shell=sh", "--format=json1", .. files.Keys],
                TimeSpan.FromMinutes(2), cancellationToken);
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
