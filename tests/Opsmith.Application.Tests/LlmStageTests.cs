using Opsmith.Core.Agents;
using Opsmith.Application.Configuration;
using Opsmith.Application.Llm;
using Opsmith.Application.Runs;
using Opsmith.Core.Documents;
using Opsmith.Core.Generation;
using Opsmith.Core.Runs;
using Opsmith.Core.TaskCards;
using Opsmith.Execution.Runs;
using Opsmith.Llm.Tiers;
using Opsmith.Policy.Decisions;
using Opsmith.Testing;

namespace Opsmith.Application.Tests;

/// <summary>Each stage with a model — against the fake OpenAI-compatible and Anthropic servers — and its fallback when the server is down.</summary>
public sealed class LlmStageTests : IAsyncLifetime
{
    private const string CardYaml = """
        apiVersion: opsmith/v1
        kind: TaskCard
        name: restart-nginx-web1
        intent: Bring nginx on web1 back when it has crashed and stops answering HTTP
        stage: recovery
        target: web1
        service: nginx
        symptom: HTTP requests to port 80 on web1 are refused
        severity: high
        expected_outcome: nginx is active and answers HTTP 200 on port 80
        """;

    private readonly string _home = Directory.CreateTempSubdirectory("opsmith-stages-").FullName;
    private OpsmithServices _services = null!;

    public Task InitializeAsync()
    {
        var paths = OpsmithPaths.From(name => name == "OPSMITH_HOME" ? _home : null);
        _services = new OpsmithServices(OpsmithOptions.Defaults(paths) with
        {
            Policy = PolicySettings.Default with { Autonomy = AutonomyLevel.AutomateSafe },
        }, new Actor("alice", ActorKind.Human))
        {
            ModelRetry = new Opsmith.Llm.Providers.RetrySettings(2, TimeSpan.Zero),
        };
        File.WriteAllText(Inventory, "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private string Inventory => Path.Combine(_home, "inventory.yaml");

    private ModelChoice Model(FakeModelServer server) => ModelAccess.For(_services, ModelTier.Standard,
        new ModelOverrides(server.Protocol == FakeProtocol.OpenAI ? ModelProvider.OpenAI : ModelProvider.Anthropic, "stage-model", server.BaseUrl),
        _ => "sk-stage-key-4321");

    private static async Task<ModelChoice> DownAsync(Func<FakeModelServer, ModelChoice> model, FakeProtocol protocol)
    {
        var server = await FakeModelServer.StartAsync(protocol);
        var choice = model(server);
        await server.DisposeAsync();
        return choice;
    }

    private static TaskCard Card => DocumentLoader.Load("card.yaml", CardYaml).TaskCard!;

    private static async Task<string> TemplateSkillAsync() => (await new TemplateSkillGenerator().GenerateAsync(Card, default)).Yaml!;

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task Generate_sends_the_validators_diagnostics_back_and_keeps_the_repaired_draft(FakeProtocol protocol)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        var valid = await TemplateSkillAsync();
        server.Script(
            ScriptedAnswer.Text("```yaml\n" + valid.Replace("stage: recovery", "stage: recovry") + "```"),
            ScriptedAnswer.Text(valid));

        var drafted = await new SkillDraftingService(_services).DraftAsync(Card, CardYaml, Model(server), null, 3, default);

        Assert.Equal("llm", drafted.Generator);
        Assert.Equal(1, drafted.RepairRounds);
        Assert.Equal(valid.TrimEnd(), drafted.Result.Yaml!.TrimEnd());
        Assert.Contains("recovry", server.Requests[1].ToJsonString());
        Assert.Contains("after 1 repair round", drafted.Notes.Single());
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task Generate_falls_back_to_the_template_generator_when_the_server_is_down_and_says_so(FakeProtocol protocol)
    {
        var model = await DownAsync(Model, protocol);

        var drafted = await new SkillDraftingService(_services).DraftAsync(Card, CardYaml, model, null, 3, default);

        Assert.Equal("template", drafted.Generator);
        Assert.NotNull(drafted.Result.Yaml);
        Assert.Contains("falling back to the template generator", drafted.Notes.Single());
        Assert.Contains("cannot be reached", drafted.Notes.Single());
    }

    [Fact]
    public async Task Generate_falls_back_when_the_draft_never_passes_validation()
    {
        await using var server = await FakeModelServer.StartAsync(FakeProtocol.OpenAI);
        server.WhenScriptEnds = ScriptedAnswer.Text("kind: Skill\nthis is not a skill");

        var drafted = await new SkillDraftingService(_services).DraftAsync(Card, CardYaml, Model(server), null, 2, default);

        Assert.Equal("template", drafted.Generator);
        Assert.Equal(3, server.Requests.Count);
        Assert.Contains("after 2 repair rounds", drafted.Notes.Single());
    }

    /// <summary>Runs a read-only verification skill on this machine with the given success criteria (YAML list items, indented for spec).</summary>
    private async Task<(RunReport Report, string Skill)> RunVerificationAsync(string name, string criteria)
    {
        var skill = Path.Combine(_home, $"{name}.yaml");
        File.WriteAllText(skill, $$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: {{name}}, title: A test skill, description: Checks things for the model stages., stage: verification, category: demo, tags: [demo]}
            spec:
              targets: self
              risk: read
              actions:
                - name: look
                  run: echo looking
              success_criteria:
            {{criteria}}
            """);
        var report = await _services.Runs.RunAsync(new RunSpec(skill, Inventory, new Dictionary<string, string>(), RunMode.Execute), null, default);
        return (report.Value!, skill);
    }

    private async Task<RunReport> RunTwoChecksAsync() => (await RunVerificationAsync("two-checks", """
            - name: green
              run: echo all good
            - name: red
              run: echo broken; exit 1
        """)).Report;

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task The_verifier_may_add_doubt_but_never_turns_a_failed_check_green(FakeProtocol protocol)
    {
        var report = await RunTwoChecksAsync();
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(ScriptedAnswer.Text("""
            {"checks": [
              {"host": "self", "check": "green", "judgement": "doubtful", "explanation": "echo proves nothing"},
              {"host": "self", "check": "red", "judgement": "passed", "explanation": "looks fine to me"}]}
            """));

        var verification = await new RunVerifierService(_services).VerifyAsync(report, Model(server), default);

        Assert.Equal("llm", verification.Method);
        var checks = verification.Checks.ToDictionary(c => c.Check);
        Assert.Equal(CheckJudgement.Doubtful, checks["green"].Final);
        Assert.Equal(CheckJudgement.Failed, checks["red"].Final);
        Assert.Contains("stands", checks["red"].Explanation);
        Assert.True(verification.Doubt);
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task The_verifier_keeps_the_deterministic_verdicts_when_the_server_is_down(FakeProtocol protocol)
    {
        var report = await RunTwoChecksAsync();
        var model = await DownAsync(Model, protocol);

        var verification = await new RunVerifierService(_services).VerifyAsync(report, model, default);

        Assert.Equal("deterministic", verification.Method);
        Assert.Equal([CheckJudgement.Passed, CheckJudgement.Failed], verification.Checks.Select(c => c.Final));
        Assert.Contains("falling back to the deterministic verdicts", verification.Notes.Single());
    }

    private async Task<(string Report, string Skill)> FailedRunAsync()
    {
        var (report, skill) = await RunVerificationAsync("wait-for-marker", """
                - name: marker-there
                  run: test -e /nonexistent/opsmith-marker
            """);
        var file = Path.Combine(_home, "report.json");
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(report, ReportJson.Options));
        return (file, skill);
    }

    [Fact]
    public async Task Review_rules_propose_a_retry_for_a_check_that_failed_on_its_only_try_as_a_valid_unified_diff()
    {
        var (report, skill) = await FailedRunAsync();

        var review = (await new SkillReviewService(_services).ReviewAsync(report, useModel: false, new ModelChoice(null, null, null), default)).Value!;

        Assert.Equal(FailureKind.FlakyCheck, review.Signatures.Single().Kind);
        Assert.Equal("rules", review.Method);
        Assert.Contains("+      retry: {attempts: 3, interval: 5s}", review.Patch);
        Assert.StartsWith($"--- a/{Path.GetFileName(skill)}\n+++ b/{Path.GetFileName(skill)}\n@@ ", review.Patch);
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task Review_with_a_model_shows_its_patch_only_after_it_validates(FakeProtocol protocol)
    {
        var (report, skill) = await FailedRunAsync();
        var fixedSkill = File.ReadAllText(skill).Replace("    - name: marker-there\n", "    - name: marker-there\n      retry: {attempts: 5, interval: 2s}\n");
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(ScriptedAnswer.Text("```yaml\n" + fixedSkill + "```"));

        var review = (await new SkillReviewService(_services).ReviewAsync(report, useModel: true, Model(server), default)).Value!;

        Assert.Equal("llm", review.Method);
        Assert.Contains("+      retry: {attempts: 5, interval: 2s}", review.Patch);
    }

    [Fact]
    public async Task Review_falls_back_to_the_rules_when_the_models_patch_is_invalid()
    {
        var (report, _) = await FailedRunAsync();
        await using var server = await FakeModelServer.StartAsync(FakeProtocol.OpenAI);
        server.Script(ScriptedAnswer.Text("apiVersion: opsmith/v1\nkind: Skill\nmetadata: {name: broken}\n"));

        var review = (await new SkillReviewService(_services).ReviewAsync(report, useModel: true, Model(server), default)).Value!;

        Assert.Equal("rules", review.Method);
        Assert.Contains("falling back to the rules", review.Notes[0]);
        Assert.Contains("retry: {attempts: 3", review.Patch);
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task Review_falls_back_to_the_rules_when_the_server_is_down_and_says_so(FakeProtocol protocol)
    {
        var (report, _) = await FailedRunAsync();

        var review = (await new SkillReviewService(_services).ReviewAsync(report, useModel: true, await DownAsync(Model, protocol), default)).Value!;

        Assert.Equal("rules", review.Method);
        Assert.Contains("falling back to the rules", review.Notes[0]);
        Assert.Contains("cannot be reached", review.Notes[0]);
        Assert.Contains("retry: {attempts: 3", review.Patch);
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task Summarize_uses_the_model_and_is_extractive_when_the_server_is_down(FakeProtocol protocol)
    {
        var report = await RunTwoChecksAsync();
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(ScriptedAnswer.Text("Alice ran two-checks on self; one check failed."));

        var summary = (await new AuditSummaryService(_services).SummarizeAsync(report.RunId, Model(server), default)).Value!;
        var down = (await new AuditSummaryService(_services).SummarizeAsync(report.RunId, await DownAsync(Model, protocol), default)).Value!;

        Assert.Equal(("llm", "Alice ran two-checks on self; one check failed."), (summary.Method, summary.Summary));
        Assert.Contains("two-checks", server.Requests.Single().ToJsonString());
        Assert.Equal("extractive", down.Method);
        Assert.Contains("user:alice", down.Summary);
        Assert.Contains("falling back to an extractive summary", down.Notes.Single());
    }

    private static readonly Opsmith.Core.Agents.RankedHypothesis DiskFull = new("disk-full", "db", 3,
        [new Opsmith.Core.Agents.ObservedFinding("check-disk-usage", "db", "disk-nearly-full", "/var/log is 99% full", ["disk-full"], 3, new Dictionary<string, string>())]);

    private static readonly IReadOnlyList<Opsmith.Core.Agents.RecoveryCandidate> Recoveries =
    [
        new("cleanup-logs", ["disk-full"], 1, []),
        new("rotate-logs", ["disk-full"], 1, []),
        new("restart-nginx", ["nginx-down"], 1, []),
    ];

    [Theory]
    [InlineData(FakeProtocol.OpenAI, "rotate-logs", "rotate-logs")]
    [InlineData(FakeProtocol.Anthropic, "rotate-logs", "rotate-logs")]
    [InlineData(FakeProtocol.OpenAI, "restart-nginx", "cleanup-logs")]
    public async Task The_llm_planner_picks_among_eligible_recoveries_only(FakeProtocol protocol, string named, string expected)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(ScriptedAnswer.Text($$"""{"skill": "{{named}}", "why": "rotation keeps recent logs"}"""));
        var notes = new List<string>();

        var choice = await new LlmRecoveryPlanner(_services, Model(server), notes.Add).ChooseAsync(DiskFull, Recoveries, new Dictionary<string, string>(), [], default);

        Assert.Equal(expected, choice!.Skill.Skill);
        Assert.DoesNotContain("restart-nginx", server.Requests.Single().ToJsonString());
        Assert.Equal(named != expected, notes.Any(n => n.Contains("falling back to the heuristic planner's choice")));
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task The_llm_planner_takes_the_heuristic_choice_when_the_server_is_down(FakeProtocol protocol)
    {
        var notes = new List<string>();

        var choice = await new LlmRecoveryPlanner(_services, await DownAsync(Model, protocol), notes.Add)
            .ChooseAsync(DiskFull, Recoveries, new Dictionary<string, string>(), [], default);

        Assert.Equal("cleanup-logs", choice!.Skill.Skill);
        Assert.Contains("cannot be reached", Assert.Single(notes));
    }
}
