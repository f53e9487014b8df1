using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

public sealed class PolicyCommandTests
{
    [Fact]
    public async Task Classify_prints_tier_programs_rule_and_data_protection_as_json()
    {
        var result = await CliProcess.RunAsync("policy", "classify", "--output", "json", "--", "sudo -u postgres psql -c 'DROP DATABASE shop'", "df -h");

        Assert.True(result.ExitCode == 0, result.All);
        using var json = JsonDocument.Parse(result.Stdout);
        var commands = json.RootElement.GetProperty("commands");
        Assert.Equal("data-mutation", commands[0].GetProperty("tier").GetString());
        Assert.True(commands[0].GetProperty("data_protected").GetBoolean());
        Assert.Contains(commands[0].GetProperty("programs").EnumerateArray(), p => p.GetProperty("program").GetString() == "psql");
        Assert.Equal("read", commands[1].GetProperty("tier").GetString());
        Assert.False(commands[1].GetProperty("data_protected").GetBoolean());
    }

    [Fact]
    public async Task Classify_reads_one_command_a_line_from_a_file()
    {
        using var temp = new TempFolder();
        var file = temp.Write("commands.txt", "# comment\nsystemctl restart nginx\n\necho cm0gLXJmIC8= | base64 -d | sh\n");

        var result = await CliProcess.RunAsync("policy", "classify", "--file", file);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("service-mutation  systemctl restart nginx", result.Stdout);
        Assert.Contains("destructive  echo cm0gLXJmIC8= | base64 -d | sh", result.Stdout);
        Assert.Contains("rule: opaque.decoded-to-shell", result.Stdout);
    }

    [Fact]
    public async Task Classify_without_a_command_is_a_usage_error() =>
        Assert.Equal(2, (await CliProcess.RunAsync("policy", "classify")).ExitCode);
}
