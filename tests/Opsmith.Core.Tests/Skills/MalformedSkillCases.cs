using Opsmith.Core.Documents;

namespace Opsmith.Core.Tests.Skills;

/// <summary>
/// Golden cases: each file under Cases/malformed is a broken document whose leading comment lines
/// (<c># expect: LINE:COL: error|warning: MESSAGE</c>) list exactly the diagnostics the reader must report,
/// in order. Adding a case is adding a file.
/// </summary>
public sealed class MalformedSkillCases
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Cases", "malformed");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void There_are_at_least_forty_cases() => Assert.True(Cases().Count >= 40, $"only {Cases().Count} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_exactly_the_expected_diagnostics(string name)
    {
        var path = Path.Combine(Folder, name);
        var bytes = File.ReadAllBytes(path);
        var expected = ExpectedLines(bytes);
        Assert.NotEmpty(expected);

        var document = DocumentLoader.Load(name, bytes);

        var actual = document.Diagnostics.Select(d => $"{d.Position.Line}:{d.Position.Column}: {(d.IsError ? "error" : "warning")}: {d.Message}").ToList();
        Assert.Equal(expected, actual);
        Assert.False(document.IsValid && expected.Any(e => e.Contains(": error: ")));
    }

    /// <summary>Expectations live in a side file for cases whose bytes cannot hold comments (binary, empty).</summary>
    private static List<string> ExpectedLines(byte[] bytes)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        return text.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.StartsWith("# expect: ", StringComparison.Ordinal))
            .Select(l => l["# expect: ".Length..])
            .ToList();
    }
}
