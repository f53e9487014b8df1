using System.Text.Json;
using Opsmith.Cli.Output;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>
/// Text from hosts, inputs and people reaches the terminal shown, never obeyed: a clear-screen, a hidden OSC 8
/// link and a bidi override come out as visible escapes; JSON output keeps the text (its serializer escapes it).
/// </summary>
public sealed class TerminalTextTests
{
    private const string Esc = "\u001b";
    private const string ClearScreen = Esc + "[2J";
    private const string HiddenLink = Esc + "]8;;https://evil.example/" + Esc + "\\click" + Esc + "]8;;" + Esc + "\\";
    private const string BidiOverride = "\u202Etxt.exe";
    private const string Hostile = "before " + ClearScreen + HiddenLink + " " + BidiOverride + "\u009b31m\u0007 after";

    private static void AssertInert(string printed)
    {
        Assert.DoesNotContain(Esc, printed);
        Assert.DoesNotContain("\u202E", printed);
        Assert.DoesNotContain("\u009b", printed);
        Assert.DoesNotContain("\u0007", printed);
    }

    [Fact]
    public void Escape_sequences_bidi_overrides_and_controls_become_visible_escapes()
    {
        var safe = TerminalText.Sanitize(Hostile);

        Assert.Equal(@"before \x1b[2J\x1b]8;;https://evil.example/\x1b\click\x1b]8;;\x1b\ \u202etxt.exe\u009b31m\x07 after", safe);
    }

    [Fact]
    public void Newlines_and_tabs_stay_and_a_crlf_line_end_becomes_a_newline()
    {
        Assert.Equal("a\tb\nc\nd", TerminalText.Sanitize("a\tb\r\nc\nd"));
    }

    [Fact]
    public void A_lone_carriage_return_that_could_overwrite_the_line_is_shown()
    {
        Assert.Equal(@"rm -rf /\rls", TerminalText.Sanitize("rm -rf /\rls"));
    }

    [Fact]
    public void Ordinary_text_is_returned_as_is()
    {
        const string text = "web1: précis — ok\n\tdone";

        Assert.Same(text, TerminalText.Sanitize(text));
    }

    [Fact]
    public void One_line_shows_newlines_and_tabs_too()
    {
        Assert.Equal(@"a\nb\tc\x1b", TerminalText.OneLine("a\nb\tc\u001b"));
    }

    [Fact]
    public async Task A_kill_switch_reason_is_shown_not_obeyed()
    {
        using var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path };

        var on = await CliProcess.RunAsync(["kill-switch", "on", "--reason", Hostile], environment);
        var status = await CliProcess.RunAsync(["kill-switch", "status"], environment);
        var json = await CliProcess.RunAsync(["kill-switch", "status", "--output", "json"], environment);

        Assert.True(on.ExitCode == 0, on.All);
        AssertInert(on.All);
        AssertInert(status.All);
        Assert.Contains(@"\x1b[2J", status.Stdout);
        Assert.Contains(@"\u202etxt.exe", status.Stdout);
        using var parsed = JsonDocument.Parse(json.Stdout);
        Assert.Equal(Hostile, parsed.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task What_a_host_prints_reaches_the_run_report_on_the_terminal_shown_not_obeyed()
    {
        using var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path };
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var skill = home.Write("skill.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: hostile-output, title: Hostile output, description: Prints escape sequences., stage: diagnosis}
            spec:
              targets: self
              risk: read
              actions:
                - name: print
                  run: printf 'x\033[2J\033]8;;https://evil.example/\033\\click\033]8;;\033\\ \342\200\256txt.exe\n' >&2; exit 3
            """);

        var run = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);
        var json = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute", "--output", "json"], environment);

        Assert.NotEqual(0, run.ExitCode);
        AssertInert(run.All);
        Assert.Contains(@"\x1b[2J", run.Stdout);
        Assert.Contains(@"\u202etxt.exe", run.Stdout);
        Assert.Contains(ClearScreen, JsonDocument.Parse(json.Stdout).RootElement.GetRawText().Replace("\\u001B", Esc).Replace("\\u001b", Esc));
    }
}
