using System.Text.RegularExpressions;
using Xunit;

namespace Opsmith.Architecture.Tests;

/// <summary>
/// No unit test asserts on wall-clock time (issue 11: a test that counted what happened in a second failed on a
/// slower machine). Timings belong in benchmarks; a benchmark's test file that must measure is named in
/// <see cref="Benchmarks"/>, and only a benchmark may be.
/// </summary>
public sealed partial class WallClockAssertionTests
{
    /// <summary>
    /// The allow-list: test files (relative to the repository) that may assert on measured time because they check a
    /// benchmark's own timing. Every entry must be a benchmark's test (under a Bench folder or named *Benchmark*Tests.cs).
    /// </summary>
    private static readonly string[] Benchmarks = [];

    [Fact]
    public void No_test_asserts_on_measured_time()
    {
        var root = RepositoryRoot();
        var offenders = Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !Benchmarks.Contains(f) && f != "tests/Opsmith.Architecture.Tests/WallClockAssertionTests.cs")
            .SelectMany(f => TimedAssertions(File.ReadAllText(Path.Combine(root, f))).Select(a => $"{f}:{a.Line}: {a.Text}"))
            .ToList();

        Assert.True(offenders.Count == 0,
            "these assertions compare measured wall-clock time, which fails on a slow or busy machine; assert on what " +
            "happened (counts, order, a fake TimeProvider) instead, or move the timing into a benchmark:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void Only_benchmarks_are_on_the_allow_list()
    {
        var root = RepositoryRoot();
        Assert.All(Benchmarks, f =>
        {
            Assert.True(File.Exists(Path.Combine(root, f)), $"{f} is on the allow-list but does not exist");
            Assert.True(f.Contains("/Bench/", StringComparison.Ordinal) || BenchmarkTestName().IsMatch(Path.GetFileName(f)),
                $"{f} is not a benchmark's test; only benchmarks may assert on time");
        });
    }

    [Theory]
    [InlineData("var sw = Stopwatch.StartNew(); Work(); Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1));")]
    [InlineData("var watch = Stopwatch.StartNew();\nWork();\nvar wall = watch.Elapsed.TotalSeconds;\nAssert.True(sum <= wall, \"x\");")]
    [InlineData("var started = DateTime.UtcNow; Work(); Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(2));")]
    [InlineData("var t0 = Stopwatch.GetTimestamp(); Work(); var took = Stopwatch.GetElapsedTime(t0); Assert.InRange(took.TotalMilliseconds, 0, 500);")]
    [InlineData("Assert.InRange(report.Duration, TimeSpan.Zero, TimeSpan.FromSeconds(3));")]
    [InlineData("Assert.True(Environment.TickCount64 - start < 1000);")]
    public void The_check_itself_sees_assertions_on_measured_time(string code) => Assert.NotEmpty(TimedAssertions(code));

    [Theory]
    [InlineData("var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15); while (DateTime.UtcNow < deadline) await Task.Delay(50); Assert.Equal(2, count);")]
    [InlineData("Assert.Equal(TimeSpan.FromSeconds(30), DurationText.Parse(\"30s\"));")]
    [InlineData("Assert.Contains(\"opsmith_demo_request_duration_seconds_count 6\\n\", metrics);")]
    public void The_check_lets_waiting_and_parsing_durations_pass(string code) => Assert.Empty(TimedAssertions(code));

    /// <summary>
    /// Assertions that mention a clock reading: a stopwatch, an elapsed time, a difference of clock readings, a
    /// variable that holds one, or a range check on a duration.
    /// </summary>
    internal static IEnumerable<(int Line, string Text)> TimedAssertions(string source)
    {
        var timed = new HashSet<string>(TimingVariable().Matches(source).Select(m => m.Groups["name"].Value));
        foreach (Match start in AssertCall().Matches(source))
        {
            var text = Statement(source, start.Index);
            var inRangeOfDuration = start.Value.StartsWith("Assert.InRange", StringComparison.Ordinal) && DurationWord().IsMatch(text);
            if (ClockReading().IsMatch(text) || inRangeOfDuration || Identifier().Matches(text).Any(m => timed.Contains(m.Value)))
                yield return (source[..start.Index].Count(c => c == '\n') + 1, Regex.Replace(text, @"\s+", " "));
        }
    }

    /// <summary>The assertion call from <paramref name="start"/> to its closing parenthesis (strings and chars skipped).</summary>
    private static string Statement(string source, int start)
    {
        var depth = 0;
        for (var i = source.IndexOf('(', start); i < source.Length; i++)
        {
            var c = source[i];
            if (c == '"' || c == '\'')
            {
                for (i++; i < source.Length && source[i] != c; i++) if (source[i] == '\\') i++;
                continue;
            }
            if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return source[start..(i + 1)];
        }
        return source[start..];
    }

    [GeneratedRegex(@"Assert\.\w+\(")]
    private static partial Regex AssertCall();

    [GeneratedRegex(@"Stopwatch|\.Elapsed|GetElapsedTime|Environment\.TickCount|(DateTime|DateTimeOffset)\.(Utc)?Now\s*-|TimeProvider\.System\.GetUtcNow\(\)\s*-")]
    private static partial Regex ClockReading();

    [GeneratedRegex(@"(?:var|TimeSpan|double|long|int|Stopwatch)\s+(?<name>\w+)\s*=\s*[^;]*?(?:Stopwatch|\.Elapsed|GetElapsedTime|Environment\.TickCount|(?:DateTime|DateTimeOffset)\.(?:Utc)?Now\s*-)")]
    private static partial Regex TimingVariable();

    [GeneratedRegex(@"(?i)duration|elapsed|took")]
    private static partial Regex DurationWord();

    [GeneratedRegex(@"\b[A-Za-z_]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"Benchmark\w*Tests\.cs$")]
    private static partial Regex BenchmarkTestName();

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Opsmith.slnx"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Opsmith.slnx)");
    }
}
