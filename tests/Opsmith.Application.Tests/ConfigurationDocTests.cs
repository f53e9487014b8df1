using System.Text.RegularExpressions;
using Opsmith.Application.Configuration;

namespace Opsmith.Application.Tests;

/// <summary>docs/configuration.md's table of keys is the loader's: every variable the loader reads is in the row of the key it sets, and no row names a variable the loader does not read.</summary>
public sealed class ConfigurationDocTests
{
    private static readonly Regex KeyRow = new(@"^\| `(?<key>[a-z_.*]+)` \| (?<variables>[^|]*) \|", RegexOptions.Multiline);

    [Fact]
    public void The_table_of_keys_names_every_variable_the_loader_reads_in_the_row_of_its_key_and_no_other()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "configuration.md"));
        var rows = KeyRow.Matches(doc).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["variables"].Value);

        foreach (var (variable, key) in OptionsLoader.Variables)
        {
            Assert.True(rows.TryGetValue(key, out var cell), $"docs/configuration.md has no row for the key {key}");
            Assert.Contains($"`{variable}`", cell);
        }
        var documented = rows.Values.SelectMany(cell => Regex.Matches(cell, "`(OPSMITH_[A-Z_]+)`").Select(m => m.Groups[1].Value)).ToList();
        Assert.All(documented, variable => Assert.Contains(OptionsLoader.Variables, v => v.Variable == variable));
        Assert.Equal(OptionsLoader.Variables.Count, documented.Distinct().Count());
    }

    private static string RepositoryRoot()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "Opsmith.slnx"))) folder = Path.GetDirectoryName(folder)!;
        return folder;
    }
}
