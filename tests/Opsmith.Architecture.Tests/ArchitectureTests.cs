using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace Opsmith.Architecture.Tests;

/// <summary>
/// The shape ARCHITECTURE.md describes, checked on the compiled assemblies: only the executor (Opsmith.Execution)
/// and the lab's own infrastructure start processes; nothing but Opsmith.Execution touches a host's
/// connection types; dependencies point down the layers, never up.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string Folder = AppContext.BaseDirectory;

    /// <summary>Our production assemblies, from the test's output folder (the CLI references them all).</summary>
    private static readonly string[] Assemblies =
        ["Opsmith.Core", "Opsmith.Policy", "Opsmith.Storage", "Opsmith.Execution", "Opsmith.Llm", "Opsmith.Application", "Opsmith.Lab", "Opsmith.Server", "opsmith"];

    private static readonly string[] ProcessStarters =
        ["System.Diagnostics.Process", "System.Diagnostics.ProcessStartInfo", "Opsmith.Execution.Processes.LocalProcess"];

    /// <summary>Namespaces of the lab that build and break the lab itself (network namespaces, services, faults).</summary>
    private static readonly string[] LabInfrastructure = ["Opsmith.Lab.Hosts", "Opsmith.Lab.Faults", "Opsmith.Lab.DemoService"];

    private static IEnumerable<IlReference> All() => Assemblies.SelectMany(a => IlReferences.Of(Path.Combine(Folder, a + ".dll")));

    [Fact]
    public void Only_the_executor_and_the_labs_infrastructure_start_processes()
    {
        var offenders = All()
            .Where(r => ProcessStarters.Contains(r.TargetType) && (r.TargetType != "System.Diagnostics.Process" || r.TargetMember is "Start" or ".ctor"))
            .Where(r => r.Assembly != "Opsmith.Execution" && !(r.Assembly == "Opsmith.Lab" && LabInfrastructure.Any(ns => r.CallerType.StartsWith(ns + ".", StringComparison.Ordinal))))
            .Select(r => r.ToString()).Distinct().ToList();

        Assert.True(offenders.Count == 0, "These start processes outside Opsmith.Execution and the lab's infrastructure:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_check_itself_sees_process_starts_where_they_are_allowed()
    {
        // Guards the guard: if the IL reader stopped seeing calls, the rule above would pass vacuously.
        var references = All().ToList();
        Assert.Contains(references, r => r.Assembly == "Opsmith.Execution" && r.TargetType == "System.Diagnostics.Process" && r.TargetMember == "Start");
        Assert.Contains(references, r => r.Assembly == "Opsmith.Lab" && r.TargetType == "Opsmith.Execution.Processes.LocalProcess");
    }

    [Fact]
    public void No_code_outside_the_executor_touches_a_hosts_connection()
    {
        var offenders = All()
            .Where(r => r.Assembly != "Opsmith.Execution" && r.TargetType.StartsWith("Opsmith.Execution.Hosts.", StringComparison.Ordinal)
                        && !r.TargetType.StartsWith("Opsmith.Execution.Hosts.CommandResult", StringComparison.Ordinal)
                        && !r.TargetType.StartsWith("Opsmith.Execution.Hosts.CommandLimits", StringComparison.Ordinal)
                        && !r.TargetType.StartsWith("Opsmith.Execution.Hosts.Ssh.SshOptions", StringComparison.Ordinal))
            .Select(r => r.ToString()).Distinct().ToList();

        Assert.True(offenders.Count == 0, "These reach past the executor to a host's connection:\n" + string.Join("\n", offenders));
    }

    [Theory]
    [InlineData("Opsmith.Core", new string[0])]
    [InlineData("Opsmith.Policy", new[] { "Opsmith.Core" })]
    [InlineData("Opsmith.Storage", new[] { "Opsmith.Core", "Opsmith.Policy" })]
    [InlineData("Opsmith.Execution", new[] { "Opsmith.Core", "Opsmith.Policy", "Opsmith.Storage" })]
    [InlineData("Opsmith.Llm", new[] { "Opsmith.Core" })]
    [InlineData("Opsmith.Application", new[] { "Opsmith.Core", "Opsmith.Policy", "Opsmith.Storage", "Opsmith.Execution", "Opsmith.Llm" })]
    [InlineData("Opsmith.Lab", new[] { "Opsmith.Core", "Opsmith.Policy", "Opsmith.Storage", "Opsmith.Execution", "Opsmith.Llm", "Opsmith.Application" })]
    // The server names the records of the layers below (an approval request, an audit record, a run event) but reaches
    // them only through Application: see The_server_goes_through_the_application_layer_only.
    [InlineData("Opsmith.Server", new[] { "Opsmith.Core", "Opsmith.Policy", "Opsmith.Storage", "Opsmith.Execution", "Opsmith.Application" })]
    public void Dependencies_point_down_the_layers(string assembly, string[] allowed)
    {
        using var stream = File.OpenRead(Path.Combine(Folder, assembly + ".dll"));
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var ours = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name))
            .Where(n => n.StartsWith("Opsmith", StringComparison.Ordinal) || n == "opsmith").Order().ToList();

        Assert.Equal(allowed.Order().ToList(), ours.Where(allowed.Contains).ToList());
        Assert.Empty(ours.Except(allowed));
    }

    [Fact]
    public void Only_storage_talks_sql()
    {
        var offenders = All()
            .Where(r => r.Assembly != "Opsmith.Storage" && (r.TargetType.StartsWith("Npgsql.", StringComparison.Ordinal)
                        || r.TargetType.StartsWith("Microsoft.Data.Sqlite.", StringComparison.Ordinal) || r.TargetType.StartsWith("Dapper.", StringComparison.Ordinal)))
            .Select(r => r.ToString()).Distinct().ToList();

        Assert.True(offenders.Count == 0, "These talk SQL outside Opsmith.Storage:\n" + string.Join("\n", offenders));
    }

    /// <summary>What only Opsmith.Application may call: opening stores, building executors and runners, flipping the kill switch file, Git, GitHub.</summary>
    private static readonly string[] BelowTheApplication =
    [
        "Opsmith.Storage.Audit.AuditStores", "Opsmith.Storage.Audit.SqliteAuditStore", "Opsmith.Storage.Audit.PostgresAuditStore",
        "Opsmith.Storage.Approvals.ApprovalStores", "Opsmith.Storage.Approvals.SqliteApprovalStore", "Opsmith.Storage.Approvals.PostgresApprovalStore",
        "Opsmith.Storage.Tokens.ApiTokenStore", "Opsmith.Storage.Executions.ExecutionStore", "Opsmith.Execution.Runs.HostExecutor", "Opsmith.Execution.Runs.SkillRunner",
        "Opsmith.Execution.Runs.StepGuard", "Opsmith.Execution.Runs.RunAudit",
    ];

    [Fact]
    public void The_server_goes_through_the_application_layer_only()
    {
        var offenders = IlReferences.Of(Path.Combine(Folder, "Opsmith.Server.dll"))
            .Where(r => BelowTheApplication.Contains(r.TargetType)
                        || (r.TargetType == "Opsmith.Execution.Runs.KillSwitch" && r.TargetMember is "TurnOn" or "TurnOff")
                        || r.TargetType.StartsWith("LibGit2Sharp.", StringComparison.Ordinal)
                        || r.TargetType.StartsWith("Octokit.", StringComparison.Ordinal))
            .Select(r => r.ToString()).Distinct().ToList();

        Assert.True(offenders.Count == 0, "The server must use Opsmith.Application (OpsmithServices, RunService, SkillRepository, ExecutionService):\n" +
                                          string.Join("\n", offenders));
        // Guards the guard: the server's calls are seen at all.
        Assert.Contains(IlReferences.Of(Path.Combine(Folder, "Opsmith.Server.dll")), r => r.TargetType == "Opsmith.Application.Executions.ExecutionService");
    }
}
