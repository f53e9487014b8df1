using System.Text.RegularExpressions;
using Opsmith.Application.Import;
using Opsmith.Execution.Linting;

namespace Opsmith.Application.Tests.Import;

/// <summary>docs/migrating.md shows what the import makes of an OpsSkill skill; the example stays true.</summary>
public sealed partial class MigratingDocTests
{
    [Fact]
    public async Task The_OpsSkill_before_and_after_example_is_what_the_import_writes()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "migrating.md"));
        var blocks = YamlBlock().Matches(doc[doc.IndexOf("Before (OpsSkill", StringComparison.Ordinal)..]).Select(m => m.Groups[1].Value).ToList();
        var (before, after) = (blocks[0], blocks[1]);
        var folder = Directory.CreateTempSubdirectory("opsmith-migrating-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "restart_deployment.yaml"), before);
            var result = await ImportService.ImportAsync(new ImportRequest(SourceSystem.OpsSkill, [Path.Combine(folder, "restart_deployment.yaml")], Path.Combine(folder, "out"), false),
                new ShellcheckLinter(), CancellationToken.None);

            var written = File.ReadAllText(Path.Combine(folder, "out", "skills", "restart-deployment.yaml"));
            Assert.True(result.Value!.AllValid);
            // Every line of the documented result is in the written file, except the descriptions the page shortens with "...".
            foreach (var line in after.Split('\n').Where(l => l.Trim().Length > 0 && !l.Contains("...", StringComparison.Ordinal)))
                Assert.Contains(line, written);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "Opsmith.slnx"))) folder = Path.GetDirectoryName(folder)!;
        return folder;
    }

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
