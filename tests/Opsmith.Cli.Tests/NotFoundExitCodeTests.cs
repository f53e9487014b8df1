using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>
/// Every verb that looks something up by id says "not found" the same way (docs/cli.md, exit codes): exit 2, and with
/// --output json one error document of kind not-found. Before, approvals/audit/incidents/sessions/tokens exited 1.
/// </summary>
public sealed class NotFoundExitCodeTests : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData("approvals", "show", "ap-zzzzz")]
    [InlineData("approvals", "approve", "ap-zzzzz")]
    [InlineData("approvals", "deny", "ap-zzzzz")]
    [InlineData("audit", "show", "99999")]
    [InlineData("audit", "summarize", "run-does-not-exist")]
    [InlineData("incidents", "show", "in-zzzzz")]
    [InlineData("incidents", "hold", "in-zzzzz")]
    [InlineData("incidents", "resolve", "in-zzzzz")]
    [InlineData("agent", "sessions", "show", "as-zzzzz")]
    [InlineData("skills", "review", "approve", "sr-zzzzz")]
    [InlineData("skills", "review", "reject", "sr-zzzzz")]
    [InlineData("tokens", "revoke", "tk-zzzzz")]
    public async Task An_id_that_names_nothing_exits_2_in_text_and_json(params string[] lookup)
    {
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = _home.Path };

        var text = await CliProcess.RunAsync(lookup, environment);
        var json = await CliProcess.RunAsync([.. lookup, "--output", "json"], environment);

        Assert.True(text.ExitCode == 2, text.All);
        Assert.StartsWith("Error: ", text.Stderr);
        Assert.DoesNotContain("   at ", text.All);
        Assert.True(json.ExitCode == 2, json.All);
        using var document = JsonDocument.Parse(json.Stdout);
        if (document.RootElement.TryGetProperty("error", out var error))
        {
            Assert.Equal("not-found", error.GetProperty("kind").GetString());
            Assert.Equal(2, error.GetProperty("exit_code").GetInt32());
        }
        else
        {
            // A verb whose result says what failed prints that result instead (docs/cli.md): it must say not found.
            Assert.Contains("not-found", json.Stdout);
        }
    }
}
