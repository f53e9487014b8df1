using System.Text;
using System.Text.RegularExpressions;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests.Lab;

/// <summary>
/// docs/getting-started.md as a new user follows it: every <c>./opsmith</c> command of its tour and of "a skill of your
/// own", read from the page as written, runs on a real lab (this test's lab name in place of the default one). A command
/// the page says is refused must fail; every other one must succeed. The demo itself is left out: it brings up its own lab.
/// </summary>
[Collection("lab")]
public sealed partial class GettingStartedLabTests(LabFixture lab)
{
    [Fact]
    public async Task The_tour_and_the_first_skill_run_on_the_lab_as_the_page_writes_them()
    {
        lab.RequireUp();
        var page = await File.ReadAllTextAsync(Path.Combine(CliProcess.RepositoryRoot, "docs", "getting-started.md"));
        var blocks = ShellBlock().Matches(page).Select(m => m.Groups[1].Value).ToList();
        var skill = YamlBlock().Matches(page).Select(m => m.Groups[1].Value).Single(b => b.Contains("kind: Skill", StringComparison.Ordinal));
        var commands = blocks.Skip(1).SelectMany(b => b.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.Contains(commands, c => c.StartsWith("I=", StringComparison.Ordinal));
        Assert.True(commands.Count(c => c.StartsWith("./opsmith ", StringComparison.Ordinal)) >= 13, string.Join('\n', commands));

        // A working folder like a clone's: the catalog at skills/, the new skill where the page says to save it; a home
        // of its own, so the kill switch this tour turns on stops nobody else.
        using var work = new TempFolder();
        Directory.CreateSymbolicLink(Path.Combine(work.Path, "skills"), Path.Combine(CliProcess.RepositoryRoot, "skills"));
        work.Write("my-skills/nginx-answers.yaml", skill);
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = Path.Combine(work.Path, "home") };
        environment["OPSMITH_AUTONOMY"] = "automate-safe";   // the default the page assumes
        var variables = new Dictionary<string, string>();
        var failures = new List<string>();

        foreach (var line in commands)
        {
            var (words, comment) = Words(line);
            if (words.Count == 1 && words[0].Split('=', 2) is [var name, var value])
            {
                variables[name] = value.Replace("/run/opsmith/labs/lab/", $"/run/opsmith/labs/{lab.Name}/", StringComparison.Ordinal);
                continue;
            }
            Assert.Equal("./opsmith", words[0]);
            var args = words.Skip(1).Select(w => w.StartsWith('$') ? variables[w[1..]] : w).ToList();
            if (args[0] == "lab") args.AddRange(["--name", lab.Name]);
            var refused = comment.Contains("refused", StringComparison.Ordinal) || comment.Contains("says what is wrong", StringComparison.Ordinal);

            var result = await CliProcess.RunAsync([.. args], environment, work.Path);

            if (result.ExitCode == ExitCodes.InternalError || result.All.Contains("This is a bug", StringComparison.Ordinal))
                failures.Add($"{line}: internal error: {result.All}");
            else if (refused == (result.ExitCode == 0))
                failures.Add($"{line}: exit {result.ExitCode}, expected {(refused ? "a refusal" : "0")}:\n{result.All}");
            if (line.Contains("nginx-answers.yaml", StringComparison.Ordinal) && line.Contains("--execute", StringComparison.Ordinal)
                && !result.Stdout.Contains("http_status", StringComparison.Ordinal))
                failures.Add($"{line}: the page says it prints http_status per host:\n{result.All}");
        }
        // Leave the shared lab as the other lab tests expect it, whatever happened above.
        await CliProcess.RunAsync(["kill-switch", "off"], environment, work.Path);
        await lab.Lab("recover", "disk-full", "--host", "node2");

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>A command line's words as sh splits them (quotes, no expansion but $NAME words), and its trailing comment.</summary>
    private static (List<string> Words, string Comment) Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is { } q)
            {
                if (c == q) quote = null;
                else word.Append(c);
                continue;
            }
            if (c is '"' or '\'') { quote = c; inWord = true; continue; }
            if (c == '#' && !inWord) return (Flush(), line[(i + 1)..]);
            if (char.IsWhiteSpace(c)) { Flush(); continue; }
            word.Append(c);
            inWord = true;
        }
        return (Flush(), "");

        List<string> Flush()
        {
            if (inWord) words.Add(word.ToString());
            word.Clear();
            inWord = false;
            return words;
        }
    }

    [GeneratedRegex("```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
