using System.Text.Json;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>A skill's cooldown blocks a second run that changes the host, until a person overrides it with a reason, which is audited.</summary>
public sealed class CooldownOverrideTests
{
    [Fact]
    public async Task A_person_overrides_a_cooldown_with_a_reason_and_the_trail_says_so()
    {
        // Given a skill with a cooldown that has just changed the host
        using var home = new TempFolder();
        var environment = new Dictionary<string, string> { ["OPSMITH_HOME"] = home.Path };
        var inventory = home.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var skill = home.Write("skill.yaml", $$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: touch-marker, title: Touch marker, description: Changes the host., stage: recovery}
            spec:
              targets: self
              risk: service-mutation
              cooldown: 1h
              actions:
                - {name: touch, run: "touch {{home.Path}}/marker", risk: service-mutation}
              success_criteria:
                - {name: marker-exists, run: "test -f {{home.Path}}/marker"}
              rollback: {none: true, reason: "a marker file is harmless to leave"}
            """);
        var first = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);
        Assert.True(first.ExitCode == 0, first.All);

        // When it runs again, once without and once with an override
        var blocked = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute"], environment);
        var empty = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute", "--override-cooldown", " "], environment);
        var overridden = await CliProcess.RunAsync(["run", skill, "-i", inventory, "--execute", "--override-cooldown", "INC-4711: the first touch did not take"], environment);

        // Then the cooldown blocks and says how to override it; an empty reason is refused; a reason lets it run
        Assert.NotEqual(0, blocked.ExitCode);
        Assert.Contains("--override-cooldown REASON", blocked.All);
        Assert.Equal(2, empty.ExitCode);
        Assert.True(overridden.ExitCode == 0, overridden.All);
        // And the override is in the audit trail with who and why
        var trail = await CliProcess.RunAsync(["audit", "list", "--output", "json"], environment);
        using var json = JsonDocument.Parse(trail.Stdout);
        var record = json.RootElement.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("detail").GetString()!.Contains("cooldown-override"));
        Assert.Equal("allowed", record.GetProperty("decision").GetString());
        Assert.Contains("INC-4711: the first touch did not take", record.GetProperty("detail").GetString());
        Assert.StartsWith("user:", record.GetProperty("actor").GetString());
    }
}
