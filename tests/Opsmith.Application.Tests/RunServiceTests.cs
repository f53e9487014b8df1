using Opsmith.Application;
using Opsmith.Application.Catalog;
using Opsmith.Application.Configuration;
using Opsmith.Application.Runs;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Runs;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Audit;

namespace Opsmith.Application.Tests;

/// <summary>The run service, in process, on this machine (a local inventory host): the way every surface runs skills.</summary>
public sealed class RunServiceTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("opsmith-app-").FullName;
    private OpsmithServices _services = null!;

    public Task InitializeAsync()
    {
        var paths = OpsmithPaths.From(name => name == "OPSMITH_HOME" ? _home : null);
        _services = new OpsmithServices(OpsmithOptions.Defaults(paths) with
        {
            Policy = PolicySettings.Default with { Autonomy = AutonomyLevel.AutomateSafe },
        }, new Actor("alice", ActorKind.Human));
        File.WriteAllText(Path.Combine(_home, "inventory.yaml"), "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private string Inventory => Path.Combine(_home, "inventory.yaml");

    private string Write(string name, string yaml)
    {
        var file = Path.Combine(_home, name);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, yaml);
        return file;
    }

    private string TouchSkill(string marker) => Write("touch.yaml", $$$"""
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: touch-marker, title: Touch a marker, description: Writes a marker file., stage: recovery, category: files, tags: [demo]}
        spec:
          targets: self
          risk: service-mutation
          actions:
            - name: touch
              run: touch -- {{{marker}}}
          success_criteria:
            - name: there
              run: test -e {{{marker}}}
          rollback: {none: true, reason: a marker file}
        """);

    [Fact]
    public async Task A_skill_that_validate_rejects_comes_back_as_an_error_value_with_its_file_and_line()
    {
        var skill = Write("bad.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: bad, title: Bad, description: Declares read but restarts., stage: diagnosis}
            spec:
              targets: self
              risk: read
              actions:
                - name: look
                  run: systemctl restart nginx
            """);

        var prepared = await _services.Runs.PrepareAsync(new RunSpec(skill, Inventory, new Dictionary<string, string>(), RunMode.Execute), default);

        Assert.False(prepared.Ok);
        Assert.Equal(ErrorKind.Invalid, prepared.Error!.Kind);
        var diagnostic = Assert.Single(prepared.Error.Diagnostics, d => d.Code == "risk-understated");
        Assert.Equal((skill, 9, "spec.actions[0].run"), (diagnostic.File, diagnostic.Position.Line, diagnostic.Path));
        Assert.False(File.Exists(Path.Combine(_home, "data", "audit.db")), "nothing may be recorded, let alone run, for a skill that does not validate");
    }

    [Theory]
    [InlineData("missing.yaml", ErrorKind.NotFound)]
    [InlineData("data", ErrorKind.BadRequest)]
    public async Task A_skill_path_that_is_not_a_file_is_an_error_value(string name, ErrorKind kind)
    {
        Directory.CreateDirectory(Path.Combine(_home, "data"));
        var prepared = await _services.Runs.PrepareAsync(new RunSpec(Path.Combine(_home, name), Inventory, new Dictionary<string, string>(), RunMode.DryRun), default);

        Assert.Equal(kind, prepared.Error!.Kind);
    }

    [Fact]
    public async Task A_run_in_process_streams_its_events_and_records_structured_facts()
    {
        var marker = Path.Combine(_home, "marker");
        var events = new List<RunEvent>();

        var result = await _services.Runs.RunAsync(new RunSpec(TouchSkill(marker), Inventory, new Dictionary<string, string>(), RunMode.Execute),
            e => { lock (events) events.Add(e); }, default);

        var report = result.Value!;
        Assert.Equal(RunVerdict.Succeeded, report.Verdict);
        Assert.True(File.Exists(marker));
        Assert.True(report.Hosts[0].Changed);
        Assert.IsType<RunStartedEvent>(events[0]);
        Assert.Equal(RunVerdict.Succeeded, Assert.IsType<RunFinishedEvent>(events[^1]).Verdict);
        Assert.Contains(events, e => e is DecisionEvent { Step: "touch", Tier: RiskTier.ServiceMutation, Outcome: DecisionOutcome.Allow });
        var audit = await _services.AuditAsync(default);
        var command = Assert.Single(await audit.ListAsync(new AuditQuery(RunId: report.RunId, Kind: AuditKind.Command, MinTier: RiskTier.ServiceMutation), default));
        Assert.Equal(new AuditFacts(RunSection.Actions, "touch", RiskTier.ServiceMutation, RunMode.Execute), command.Facts);
    }

    [Fact]
    public async Task A_started_run_can_be_cancelled_and_still_ends_with_a_report()
    {
        var skill = Write("slow.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: slow, title: Slow, description: Waits., stage: diagnosis}
            spec:
              targets: self
              risk: read
              actions:
                - name: wait
                  run: sleep 30
            """);
        var prepared = await _services.Runs.PrepareAsync(new RunSpec(skill, Inventory, new Dictionary<string, string>(), RunMode.Execute), default);
        var handle = (await _services.Runs.StartAsync(prepared.Value!, default)).Value!;

        await foreach (var e in handle.Events())
            if (e is StepStartedEvent { Step: "wait" }) { handle.Cancel(); break; }
        var report = await handle.Completion;

        Assert.Equal(RunVerdict.Canceled, report.Verdict);
        Assert.Equal(StepVerdict.Canceled, report.Hosts[0].Steps.Single(s => s.Name == "wait").Verdict);
    }

    /// <summary>An agent's probes set a short limit for steps without their own: a hung service fails the probe instead of holding it.</summary>
    [Fact]
    public async Task A_step_timeout_limits_the_steps_that_set_none_and_leaves_those_that_do()
    {
        var skill = Write("probe.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: probe, title: Probe, description: Asks a service that hangs., stage: detection}
            spec:
              targets: self
              risk: read
              actions:
                - name: own-limit
                  run: echo quick
                  timeout: 1m
                - name: hangs
                  run: sleep 300
                  on_failure: continue
              success_criteria:
                - name: hangs-too
                  run: sleep 300
            """);

        var report = (await _services.Runs.RunAsync(
            new RunSpec(skill, Inventory, new Dictionary<string, string>(), RunMode.Execute, StepTimeout: TimeSpan.FromSeconds(1)), null, default)).Value!;

        var steps = report.Hosts[0].Steps;
        Assert.Equal(StepVerdict.Passed, steps.Single(s => s.Name == "own-limit").Verdict);
        Assert.Equal(StepVerdict.TimedOut, steps.Single(s => s.Name == "hangs").Verdict);
        Assert.Equal(StepVerdict.TimedOut, steps.Single(s => s.Name == "hangs-too").Verdict);
        Assert.Equal(RunVerdict.Failed, report.Verdict);
    }

    [Fact]
    public async Task Cooldown_starts_only_after_a_run_that_changed_something()
    {
        var marker = Path.Combine(_home, "marker");
        var skill = Write("cool.yaml", File.ReadAllText(TouchSkill(marker)).Replace("  rollback:", "  cooldown: 1h\n  rollback:"));
        var spec = new RunSpec(skill, Inventory, new Dictionary<string, string>(), RunMode.DryRun);

        Assert.Equal(RunVerdict.Planned, (await _services.Runs.RunAsync(spec, null, default)).Value!.Verdict);
        var first = (await _services.Runs.RunAsync(spec with { Mode = RunMode.Execute }, null, default)).Value!;
        var second = (await _services.Runs.RunAsync(spec with { Mode = RunMode.Execute }, null, default)).Value!;

        Assert.Equal(RunVerdict.Succeeded, first.Verdict);
        Assert.Equal(RunVerdict.Failed, second.Verdict);
        Assert.Contains("cooldown", second.Hosts[0].Error);
        Assert.Equal(StepVerdict.Refused, second.Hosts[0].Steps.Single(s => s.Name == "touch").Verdict);
    }

    [Fact]
    public async Task The_catalog_indexes_valid_skills_and_keeps_invalid_files_with_their_problems()
    {
        TouchSkill(Path.Combine(_home, "marker"));
        Write("skills/bad.yaml", "apiVersion: opsmith/v1\nkind: Skill\nmetadata: {name: Bad}\n");
        File.Move(Path.Combine(_home, "touch.yaml"), Path.Combine(_home, "skills", "touch.yaml"));

        var catalog = await SkillCatalog.LoadAsync(Path.Combine(_home, "skills"), _services.Linter, default);

        var entry = Assert.Single(catalog.Skills);
        Assert.Equal("touch-marker", entry.Name);
        Assert.Same(entry, catalog.Find("touch-marker"));
        Assert.Single(catalog.Query(new CatalogQuery(Stage: Stage.Recovery, Tag: "demo", Risk: RiskTier.ServiceMutation)));
        Assert.Empty(catalog.Query(new CatalogQuery(Category: "network")));
        Assert.Equal(64, entry.ContentHash.Length);
        Assert.EndsWith("bad.yaml", Assert.Single(catalog.Invalid).File);
    }
}
