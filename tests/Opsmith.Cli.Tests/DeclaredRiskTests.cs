using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>validate compares every command with the risk its skill declares for it.</summary>
public sealed class DeclaredRiskTests
{
    private static string Skill(string action, string extra = "") => $$$"""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: look-around, title: Look around, description: Looks at things., stage: diagnosis}
        spec:
          targets: web1
          risk: read
          actions:
            - name: look
              run: {{{action}}}
        {{{extra}}}
        """;

    [Fact]
    public async Task A_step_declared_read_whose_command_deletes_is_an_error_naming_the_rule()
    {
        using var temp = new TempFolder();
        var file = temp.Write("skill.yaml", Skill("sudo rm -rf /var/lib/app/cache"));

        var result = await CliProcess.RunAsync("validate", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}:9:12: error: action 'look' is declared read, but its command reads as", result.Stdout);
        Assert.Contains("(rm.recursive-system-path: removes /var/lib/app/cache", result.Stdout);
    }

    [Fact]
    public async Task An_unknown_program_is_a_change_unless_the_skill_declares_it_read_with_a_reason()
    {
        using var temp = new TempFolder();
        var undeclared = temp.Write("a/skill.yaml", Skill("acme-status --all"));
        var declared = temp.Write("b/skill.yaml", Skill("acme-status --all", "  read_only_programs:\n    acme-status: prints the state of the acme daemon and changes nothing"));

        var without = await CliProcess.RunAsync("validate", undeclared);
        var with = await CliProcess.RunAsync("validate", declared);

        Assert.Equal(1, without.ExitCode);
        Assert.Contains("reads as destructive (unknown-program", without.Stdout);
        Assert.Contains("if acme-status only reads, list it under read_only_programs with the reason", without.Stdout);
        Assert.True(with.ExitCode == 0, with.All);
    }

    [Fact]
    public async Task A_declared_read_program_never_overrides_a_rule()
    {
        using var temp = new TempFolder();
        var file = temp.Write("skill.yaml", Skill("rm -rf /srv/data", "  read_only_programs:\n    rm: it is fine, trust me"));

        var result = await CliProcess.RunAsync("validate", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is declared read, but its command reads as", result.Stdout);
    }
}
