using System.Text.Json;
using Opsmith.Cli.Tests.Support;
using Opsmith.Core.Documents;
using Opsmith.Core.Skills;

namespace Opsmith.Cli.Tests.Lab;

/// <summary>
/// On a healthy lab, no catalog detection or diagnosis skill reports a finding — on the nodes, and on the bastion,
/// which runs none of the nodes' services (no nginx, redis or PostgreSQL), nor on nodes without PostgreSQL. A finding
/// that holds where its service is absent or its probe cannot run sends the agent after a fault that is not there:
/// `diagnose-postgres-connections` once reported exhausted connections on every host without PostgreSQL.
/// </summary>
[Collection("lab")]
public sealed class FindingsOnHealthyLabTests(LabFixture lab) : IDisposable
{
    private readonly TempFolder _home = new();

    public void Dispose() => _home.Dispose();

    /// <summary>Inputs a skill requires that have no default: a unit the bastion does not have, so absence is exercised.</summary>
    private static readonly Dictionary<string, string> Given = new() { ["unit"] = "nginx.service" };

    [Fact]
    public async Task No_catalog_finding_holds_on_any_host_of_a_healthy_lab()
    {
        lab.RequireUp();
        var check = await lab.Lab("check");
        Assert.True(check.ExitCode == 0, $"the lab must be healthy for this test:\n{check.All}");
        var skills = Directory.GetFiles(Path.Combine(CliProcess.RepositoryRoot, "skills"), "*.yaml")
            .Select(f => (File: f, Skill: DocumentLoader.Load(f, File.ReadAllBytes(f)).Skill!))
            .Where(x => x.Skill.Metadata.Stage is Stage.Detection or Stage.Diagnosis && x.Skill.Spec.Findings.Count > 0)
            .Where(x => x.Skill.Spec.FindInput("host") is { Type: InputType.Host })
            .Where(x => x.Skill.Spec.Inputs.All(i => i.Name == "host" || !i.Required || i.Default is not null || Given.ContainsKey(i.Name)))
            .ToList();
        Assert.True(skills.Count >= 8, $"only {skills.Count} catalog skills with findings could be run");
        var inventory = Path.Combine(lab.Folder, "inventory.yaml");
        var env = new Dictionary<string, string> { ["OPSMITH_HOME"] = _home.Path };

        var runs = skills.SelectMany(x => new[] { "bastion", "nodes" }.Select(async hosts =>
        {
            var inputs = x.Skill.Spec.Inputs.Where(i => Given.ContainsKey(i.Name)).SelectMany(i => new[] { "--input", $"{i.Name}={Given[i.Name]}" });
            var run = await CliProcess.RunAsync(["run", x.File, "-i", inventory, "--input", $"host={hosts}", .. inputs, "--execute", "--output", "json"], env);
            return (x.Skill.Name, Hosts: hosts, Run: run);
        })).ToList();
        var results = await Task.WhenAll(runs);

        var found = new List<string>();
        foreach (var (skill, hosts, run) in results)
        {
            using var json = JsonDocument.Parse(run.Stdout is { Length: > 0 } stdout ? stdout : throw new Xunit.Sdk.XunitException($"{skill} on {hosts} printed no report:\n{run.All}"));
            var reported = json.RootElement.GetProperty("hosts").EnumerateArray().ToList();
            Assert.True(reported.Count > 0, $"{skill} on {hosts} ran on no host:\n{run.All}");
            foreach (var host in reported)
                foreach (var finding in host.GetProperty("findings").EnumerateArray())
                    found.Add($"{skill} on {host.GetProperty("host").GetString()}: {finding.GetProperty("name").GetString()} ({finding.GetProperty("summary").GetString()})");
        }
        Assert.True(found.Count == 0, "findings on a healthy lab:\n" + string.Join("\n", found));
    }
}
