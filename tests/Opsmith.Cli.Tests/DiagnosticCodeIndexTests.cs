using System.Text;
using System.Text.RegularExpressions;
using Opsmith.Application.Import;
using Opsmith.Cli.Tests.Support;
using Opsmith.Core.Diagnostics;

namespace Opsmith.Cli.Tests;

/// <summary>
/// docs/diagnostic-codes.md is generated from <see cref="DiagnosticCodes"/>, the one list of codes: this test regenerates it
/// and fails when the file differs (OPSMITH_UPDATE_DOCS=1 writes the new text). A second test reads every code the
/// source reports and fails when one is missing from the list, or the list names a code nothing reports.
/// </summary>
public sealed partial class DiagnosticCodeIndexTests
{
    [Fact]
    public void The_diagnostic_code_index_matches_the_list_of_codes()
    {
        var file = Path.Combine(CliProcess.RepositoryRoot, "docs", "diagnostic-codes.md");
        var expected = Generate();
        if (Environment.GetEnvironmentVariable("OPSMITH_UPDATE_DOCS") == "1") File.WriteAllText(file, expected);

        Assert.True(File.Exists(file) && File.ReadAllText(file) == expected,
            "docs/diagnostic-codes.md is out of date; run: OPSMITH_UPDATE_DOCS=1 dotnet test tests/Opsmith.Cli.Tests --filter DiagnosticCodeIndexTests");
    }

    [Fact]
    public void Every_code_the_source_reports_is_in_the_list_and_every_listed_code_is_reported()
    {
        var reported = ReportedCodes();
        var listed = DiagnosticCodes.All.Select(c => c.Code).ToList();

        Assert.True(reported.Count > 60, $"the source scan found only {reported.Count} codes; has the way diagnostics are written changed?");
        Assert.Empty(listed.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Empty(reported.Where(code => !listed.Contains(code) && DiagnosticCodes.Find(code) is null).Order(StringComparer.Ordinal));
        Assert.Empty(DiagnosticCodes.All.Where(c => !reported.Contains(c.Code) && !reported.Any(c.Matches)).Select(c => c.Code));
    }

    [Fact]
    public async Task Text_output_shows_each_problems_code()
    {
        using var temp = new TempFolder();
        var skill = temp.Write("broken.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata:
              name: broken
              title: broken
              description: a skill with a wrong stage
              stage: recovry
            spec:
              targets: all
              risk: read
              actions:
                - name: look
                  run: uptime
            """);

        var result = await CliProcess.RunAsync(["validate", skill]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{skill}:7:10: error: 'stage' in metadata must be one of detection, diagnosis, recovery, verification, not 'recovry'; did you mean 'recovery'? [bad-value]", result.Stdout);
    }

    /// <summary>
    /// Every code written in src/: the literal passed to a bag's Error/Warning/Note (both arms of a conditional), to
    /// <c>new Diagnostic(Severity.X, "code"</c> (a family, <c>code-*</c>, when more is added to the literal), assigned to a
    /// <c>Code</c>, and the import codes.
    /// </summary>
    private static HashSet<string> ReportedCodes()
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(CliProcess.RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.EndsWith("DiagnosticCodes.cs", StringComparison.Ordinal)) continue;
            var text = File.ReadAllText(file);
            foreach (Match m in BagCall().Matches(text)) codes.Add(m.Groups["code"].Value);
            foreach (Match m in ConditionalBagCall().Matches(text)) { codes.Add(m.Groups["a"].Value); codes.Add(m.Groups["b"].Value); }
            foreach (Match m in NewDiagnostic().Matches(text)) codes.Add(m.Groups["code"].Value + (m.Groups["family"].Success ? "*" : ""));
            foreach (Match m in CodeAssignment().Matches(text)) codes.Add(m.Groups["code"].Value);
        }
        foreach (var field in typeof(ImportCodes).GetFields()) codes.Add((string)field.GetValue(null)!);
        return codes;
    }

    private static string Generate()
    {
        var text = new StringBuilder();
        text.Append("# Diagnostic codes\n\n");
        text.Append("Generated from `src/Opsmith.Core/Diagnostics/DiagnosticCodes.cs` by `tests/Opsmith.Cli.Tests/DiagnosticCodeIndexTests.cs`; do not edit by hand.\n\n");
        text.Append("Every problem Opsmith finds in a file it reads — skills, task cards, inventories, `opsmith.yaml`, agents, environments,\n");
        text.Append("model tiers, benchmark suites, imported files — has a stable code. Text output ends each problem with its code in brackets:\n\n");
        text.Append("```\nskills/restart-nginx.yaml:7:10: error: 'stage' in metadata must be one of detection, diagnosis, recovery, verification, not 'recovry'; did you mean 'recovery'? [bad-value]\n```\n\n");
        text.Append("and `--output json` has it as `code`. Severity is the usual one: an **error** makes the file invalid, a **warning** becomes\n");
        text.Append("an error under `validate --strict`, a **note** only informs. A code ending in `-*` is a family.\n");
        foreach (var area in Enum.GetValues<DiagnosticArea>())
        {
            text.Append($"\n## {Title(area)}\n\n| code | severity | meaning | how to fix |\n|---|---|---|---|\n");
            foreach (var code in DiagnosticCodes.All.Where(c => c.Area == area))
                text.Append($"| `{code.Code}` | {code.Severity.ToString().ToLowerInvariant()} | {Cell(code.Meaning)} | {Cell(code.Fix)} |\n");
        }
        return text.ToString();
    }

    private static string Title(DiagnosticArea area) => area switch
    {
        DiagnosticArea.FileAndYaml => "The file and its YAML (every file)",
        DiagnosticArea.Schema => "Fields and values",
        DiagnosticArea.Templates => "Templates",
        DiagnosticArea.RiskRollbackInputs => "Risk, rollback and inputs",
        DiagnosticArea.Lint => "Lint",
        DiagnosticArea.Inventory => "Inventories",
        DiagnosticArea.Configuration => "Configuration and model tiers",
        DiagnosticArea.Bench => "Benchmark suites and script agents",
        DiagnosticArea.Import => "Imports",
        _ => throw new ArgumentOutOfRangeException(nameof(area)),
    };

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    [GeneratedRegex("""\.(?:Error|Warning|Note)\(\s*"(?<code>[a-z][a-z0-9-]*)"\s*,""")]
    private static partial Regex BagCall();

    [GeneratedRegex("""\.(?:Error|Warning|Note)\([^;"]*\?\s*"(?<a>[a-z][a-z0-9-]*)"\s*:\s*"(?<b>[a-z][a-z0-9-]*)"\s*,""")]
    private static partial Regex ConditionalBagCall();

    [GeneratedRegex("""new Diagnostic\(\s*Severity\.\w+,\s*\$?"(?<code>[a-z][a-z0-9-]*)(?:(?<family>\{)|"(?<family>\s*\+)?)""")]
    private static partial Regex NewDiagnostic();

    [GeneratedRegex("""\bCode\s*=\s*"(?<code>[a-z][a-z0-9-]*)"\s*[,;}]""")]
    private static partial Regex CodeAssignment();
}
