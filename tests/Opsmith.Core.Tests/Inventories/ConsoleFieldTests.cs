using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Skills;

namespace Opsmith.Core.Tests.Inventories;

/// <summary>
/// The out-of-band console: an inventory host's <c>console:</c> (docs/inventory.md) and a skill's <c>via: console</c>
/// (docs/skill-format.md). Both are read once, and bad input names the file, line, column and field.
/// </summary>
public sealed class ConsoleFieldTests
{
    private const string InventoryFile = "/srv/ops/inventory.yaml";

    private const string Header = "apiVersion: opsmith/v1\nkind: Inventory\ndefaults: {user: root}\nhosts:\n";

    [Fact]
    public void A_host_console_is_read_as_an_argument_vector()
    {
        var document = DocumentLoader.Load(InventoryFile, Header + """
              web1:
                address: 10.0.1.11
                console: {command: [ip, netns, exec, web1, /bin/sh]}
              web2: {address: 10.0.1.12}
            """);

        Assert.Empty(document.Diagnostics);
        Assert.Equal(["ip", "netns", "exec", "web1", "/bin/sh"], document.Inventory!.Hosts["web1"].Console!.Command);
        Assert.Null(document.Inventory.Hosts["web2"].Console);
    }

    [Theory]
    [InlineData("console: {command: []}", "7:24: error: 'command' in 'console' in host 'web1' is empty")]
    [InlineData("console: {command: ['-x', sh]}", "7:25: error: the program of 'command' in 'console' in host 'web1' is '-x'")]
    [InlineData("console: {cmd: [sh]}", "7:15: error: unknown key 'cmd' in 'console' in host 'web1'")]
    [InlineData("console: {}", "7:14: error: 'console' in host 'web1' is missing required field 'command'")]
    [InlineData("console: sh", "7:14: error: 'console' in host 'web1' must be a mapping")]
    public void A_bad_console_is_reported_at_its_line_and_field(string console, string expected)
    {
        var document = DocumentLoader.Load(InventoryFile, Header + $"""
              web1:
                address: 10.0.1.11
                {console}
            """);

        Assert.Null(document.Inventory);
        Assert.All(document.Diagnostics, d => Assert.StartsWith("hosts.web1.console", d.Path));
        Assert.Contains(document.Diagnostics, d => $"{d.Position.Line}:{d.Position.Column}: error: {d.Message}".StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_console_is_set_on_each_host_not_under_defaults()
    {
        var document = DocumentLoader.Load(InventoryFile,
            "apiVersion: opsmith/v1\nkind: Inventory\ndefaults: {user: root, console: {command: [sh]}}\nhosts:\n  web1: {address: 10.0.1.11}\n");

        var diagnostic = Assert.Single(document.Diagnostics);
        Assert.Equal(3, diagnostic.Position.Line);
        Assert.Contains("'console' is set on each host", diagnostic.Message);
    }

    private const string Skill = """
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: look-through-console, title: Look, description: Looks through the console., stage: diagnosis}
        spec:
          VIA
          targets: web1
          risk: read
          actions:
            - {name: look, run: uptime}
        """;

    [Fact]
    public void A_skill_says_via_console_explicitly_and_uses_the_connection_otherwise()
    {
        var console = DocumentLoader.Load("/srv/skills/look.yaml", Skill.Replace("VIA", "via: console"));
        var plain = DocumentLoader.Load("/srv/skills/look.yaml", Skill.Replace("VIA", "via: connection"));
        var unset = DocumentLoader.Load("/srv/skills/look.yaml", Skill.Replace("VIA", ""));

        Assert.Equal(Transport.Console, console.Skill!.Spec.Via);
        Assert.Equal(Transport.Connection, plain.Skill!.Spec.Via);
        Assert.Equal(Transport.Connection, unset.Skill!.Spec.Via);
    }

    [Fact]
    public void A_skill_with_an_unknown_transport_is_reported_at_its_line_and_field()
    {
        var document = DocumentLoader.Load("/srv/skills/look.yaml", Skill.Replace("VIA", "via: ipmi"));

        var diagnostic = Assert.Single(document.Diagnostics, d => d.IsError);
        Assert.Null(document.Skill);
        Assert.Equal("/srv/skills/look.yaml", diagnostic.File);
        Assert.Equal(5, diagnostic.Position.Line);
        Assert.Contains("'via' in spec", diagnostic.Message);
        Assert.Contains("console", diagnostic.Message);
    }
}
