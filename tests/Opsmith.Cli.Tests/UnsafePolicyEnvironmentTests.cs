using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>An unsafe limit in the environment stops the command with a usage error naming it, never "no limit" or a crash.</summary>
public sealed class UnsafePolicyEnvironmentTests
{
    [Theory]
    [InlineData("OPSMITH_MAX_RUNS_PER_HOUR_PER_SKILL", "0", "at least 1")]
    [InlineData("OPSMITH_MAX_RUNS_PER_HOUR", "0", "at least 1")]
    [InlineData("OPSMITH_APPROVAL_EXPIRY", "99999999999999999999d", "at most 1d")]
    [InlineData("OPSMITH_APPROVAL_EXPIRY", "1000000d", "at most 1d")]
    public async Task An_unsafe_setting_is_a_usage_error_naming_the_variable(string name, string value, string why)
    {
        using var home = new TempFolder();

        var result = await CliProcess.RunAsync(["approvals", "list"], new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path, [name] = value });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Error: the configuration is not valid:", result.Stderr);
        Assert.Contains($"environment variable {name}: ", result.Stderr);
        Assert.Contains(why, result.Stderr);
    }
}
