using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

public sealed class TerminalConventionTests
{
    /// <summary>An SGR (colour) escape sequence; the runtime's own terminal set-up sequences are not colour.</summary>
    private static readonly System.Text.RegularExpressions.Regex Colour = new("\u001b\\[[0-9;]*m");

    [Fact]
    public async Task Colour_is_used_on_a_terminal()
    {
        var result = await CliProcess.RunAsync(["validate", "examples/task-cards/"], null, pseudoTerminal: true);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(Colour, result.Stdout);
    }

    [Fact]
    public async Task No_colour_on_a_terminal_when_NO_COLOR_is_set()
    {
        var result = await CliProcess.RunAsync(["validate", "examples/task-cards/"], new Dictionary<string, string> { ["NO_COLOR"] = "1" },
            pseudoTerminal: true);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotMatch(Colour, result.Stdout);
    }

    [Fact]
    public async Task No_colour_when_output_is_redirected()
    {
        var result = await CliProcess.RunAsync("validate", "examples/task-cards/");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotMatch(Colour, result.Stdout);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("validate", "--help")]
    [InlineData("generate", "--help")]
    [InlineData("run", "--help")]
    [InlineData("rollback", "--help")]
    [InlineData("audit", "verify", "--help")]
    [InlineData("policy", "classify", "--help")]
    public async Task Every_verb_has_help_with_examples(params string[] args)
    {
        var result = await CliProcess.RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout);
        Assert.Contains("Examples:", result.Stdout);
        Assert.Contains("  opsmith ", result.Stdout[result.Stdout.IndexOf("Examples:", StringComparison.Ordinal)..]);
    }
}
