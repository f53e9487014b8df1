using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Checks;
using Opsmith.Execution.Hosts;
using Opsmith.Execution.Runs;
using Opsmith.Policy.Classification;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

using Opsmith.Testing;

namespace Opsmith.Execution.Tests.Support;

/// <summary>Builds skills from YAML and runs them with the real runner against the test cluster.</summary>
internal static class TestRuns
{
    private static readonly HttpClient Http = new();

    public static Skill Skill(string yaml)
    {
        var document = DocumentLoader.Load("test-skill.yaml", yaml);
        return document.Skill ?? throw new InvalidOperationException(string.Join("\n", document.Diagnostics.Select(d => d.ToLine())));
    }

    public static async Task<RunReport> RunAsync(SshCluster cluster, Skill skill, RunMode mode, IReadOnlyDictionary<string, string>? inputs = null,
        int parallel = 10, Inventory? inventory = null, CancellationToken ct = default)
    {
        inventory ??= cluster.LoadInventory();
        var (bound, errors) = InputBinder.Bind(skill, inputs ?? new Dictionary<string, string>(), inventory);
        if (bound is null) throw new InvalidOperationException(string.Join("\n", errors));
        var target = TemplateRenderer.Render(skill.Spec.Targets, new RenderContext(bound.Values, null, null), RenderMode.Text).Text!;
        var hosts = inventory.Resolve(target) ?? throw new InvalidOperationException($"no target {target}");
        await using var audit = await SqliteAuditStore.OpenAsync(new SqliteAuditOptions(AuditFile), TimeProvider.System, CancellationToken.None);
        // These tests exercise execution, not approvals: everything but data mutations runs without a person.
        var settings = PolicySettings.Default with { Autonomy = AutonomyLevel.AutomateDestructive, MaxRunsPerHour = null, MaxRunsPerHourPerSkill = null };
        await using var executor = Executor(cluster, inventory, audit, skill, mode, settings, new KillSwitch(Path.GetDirectoryName(AuditFile)!));
        var runner = new SkillRunner(executor, RunChecks.Default, TimeProvider.System);
        return await runner.RunAsync(new RunRequest(skill, inventory, hosts, bound, mode, parallel), "test-skill.yaml", ct);
    }

    /// <summary>An executor over the cluster's hosts, recording in <paramref name="audit"/>, with the given policy and kill switch.</summary>
    internal static HostExecutor Executor(SshCluster cluster, Inventory inventory, IAuditStore audit, Skill skill, RunMode mode, PolicySettings settings,
        IKillSwitch killSwitch, RunEventStream? events = null)
    {
        var guard = new StepGuard(new CommandClassifier(new ClassifierOptions(skill.Spec.DeclaredReadPrograms)), settings,
            new Actor("test", ActorKind.Human), ApprovalStores.For(audit, settings, TimeProvider.System), killSwitch, TimeProvider.System);
        var runId = RunAudit.NewRunId();
        var record = new RunAudit(audit, runId, "user:test", skill.ContentHash, mode, new SecretMasker(), events ?? new RunEventStream(runId, TimeProvider.System));
        return new HostExecutor(new HostConnector(inventory, cluster.NewControlDirectory(), Connect.TestSsh), record, guard);
    }

    /// <summary>One audit trail for the test process; every run of these tests is recorded in it.</summary>
    public static readonly string AuditFile = Path.Combine(Directory.CreateTempSubdirectory("opsmith-audit-").FullName, "audit.db");

    public static string TempPath(string name) => Path.Combine(Path.GetTempPath(), $"opsmith-{name}-{Guid.NewGuid():N}");
}
