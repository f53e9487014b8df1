using Opsmith.Core.Agents;
using System.Text.Json.Nodes;
using Opsmith.Application.Configuration;
using Opsmith.Application.Llm;
using Opsmith.Llm.Tiers;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Audit;
using Opsmith.Testing;

namespace Opsmith.Application.Tests;

/// <summary>
/// The model's tool loop against a local model server: every command the model asks for passes the guardrails,
/// is audited as the agent's, and the model is told why when it is refused; budgets end the loop with a report.
/// </summary>
public sealed class InvestigationServiceTests : IAsyncLifetime
{
    private const string ApiKey = "sk-fake-model-key-98765";
    private readonly string _home = Directory.CreateTempSubdirectory("opsmith-llm-").FullName;
    private OpsmithServices _services = null!;
    private FakeModelServer _server = null!;

    public async Task InitializeAsync()
    {
        var paths = OpsmithPaths.From(name => name == "OPSMITH_HOME" ? _home : null);
        _services = new OpsmithServices(OpsmithOptions.Defaults(paths) with
        {
            Policy = PolicySettings.Default with { Autonomy = AutonomyLevel.AutomateSafe },
        }, new Actor("lab-sre", ActorKind.Agent))
        {
            ModelRetry = new Opsmith.Llm.Providers.RetrySettings(2, TimeSpan.Zero),
        };
        // 'self' runs here; 'db' is an ssh host nobody listens for: a command the policy wrongly let through could not reach anything.
        File.WriteAllText(Inventory, """
            apiVersion: opsmith/v1
            kind: Inventory
            hosts:
              self: {connection: local}
              db: {address: 127.0.0.1, port: 9, user: nobody, host_key_checking: accept-new, known_hosts: KNOWN}
            """.Replace("KNOWN", Path.Combine(_home, "known_hosts")));
        Directory.CreateDirectory(Skills);
        File.WriteAllText(Path.Combine(Skills, "check-password.yaml"), """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: check-password, title: Check the database password, description: Compares the password it is given with the real one., stage: diagnosis, category: database, tags: [demo]}
            spec:
              targets: self
              risk: read
              inputs:
                password: {type: string, secret: true, required: true, description: the database password}
              actions:
                - name: look
                  run: echo comparing
              success_criteria:
                - name: matches
                  run: test {{ inputs.password }} = real-db-password-1
            """);
        _server = await FakeModelServer.StartAsync(FakeProtocol.OpenAI);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _services.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private string Inventory => Path.Combine(_home, "inventory.yaml");
    private string Skills => Path.Combine(_home, "skills");

    private ModelChoice Model(FakeModelServer server) => ModelAccess.For(_services, ModelTier.Reasoning,
        new ModelOverrides(server.Protocol == FakeProtocol.OpenAI ? ModelProvider.OpenAI : ModelProvider.Anthropic, "investigator", server.BaseUrl),
        name => name is "OPENAI_API_KEY" or "ANTHROPIC_API_KEY" ? ApiKey : null);

    private InvestigationRequest Request(int iterations = 6) => new("the database is down", Inventory, Skills, AutonomyLevel.AutomateSafe,
        InvestigationBudget.Default with { Iterations = iterations }, [],
        Secrets: name => name == "password" ? "real-db-password-1" : null);

    private async Task<IReadOnlyList<AuditRecord>> AuditAsync() =>
        await (await _services.AuditAsync(default)).ListAsync(new AuditQuery(Limit: AuditQuery.MaxLimit), default);

    [Theory]
    [InlineData("rm -rf /var/lib/postgresql", FakeProtocol.OpenAI)]
    [InlineData("rm -rf /var/lib/postgresql", FakeProtocol.Anthropic)]
    [InlineData("redis-cli FLUSHALL", FakeProtocol.OpenAI)]
    [InlineData("redis-cli FLUSHALL", FakeProtocol.Anthropic)]
    public async Task A_model_that_asks_to_destroy_data_is_blocked_audited_and_told_why(string command, FakeProtocol protocol)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(
            ScriptedAnswer.Tool("run_command", new { host = "db", command }),
            ScriptedAnswer.Tool("report", new { conclusion = "could not clean up" }));

        var result = await new InvestigationService(_services).RunAsync(Request(), Model(server), default);

        var call = Assert.Single(result.Calls);
        Assert.True(call.Refused);
        Assert.Contains("policy", call.Result);
        Assert.Contains("may only read", call.Result);
        Assert.Contains("may only read", LastMessage(server.Requests[1], protocol));
        var blocked = Assert.Single(await AuditAsync(), r => r.Kind == AuditKind.Decision && r.Decision == AuditDecision.Blocked);
        Assert.Equal("agent:lab-sre", blocked.Actor);
        Assert.Equal("db", blocked.Host);
        Assert.DoesNotContain(await AuditAsync(), r => r.Kind == AuditKind.Command);
        Assert.Equal(InvestigationOutcome.Reported, result.Outcome);
    }

    /// <summary>The last message of a request as the model reads it: OpenAI's tool message, or Anthropic's user turn with the tool result.</summary>
    private static string LastMessage(JsonObject request, FakeProtocol protocol)
    {
        var last = request["messages"]!.AsArray().Last()!;
        Assert.Equal(protocol == FakeProtocol.OpenAI ? "tool" : "user", last["role"]!.GetValue<string>());
        return last["content"]!.ToJsonString();
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task A_read_that_prints_secrets_becomes_an_approval_request_audited_as_the_agents_and_the_model_is_told_its_id(FakeProtocol protocol)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(
            ScriptedAnswer.Tool("run_command", new { host = "self", command = "cat /etc/shadow" }),
            ScriptedAnswer.Tool("report", new { conclusion = "asked a person" }));

        var result = await new InvestigationService(_services).RunAsync(Request(), Model(server), default);

        var call = Assert.Single(result.Calls);
        Assert.True(call.Refused);
        var requested = Assert.Single(await AuditAsync(), r => r.Kind == AuditKind.Decision && r.Decision == AuditDecision.ApprovalRequested);
        Assert.Equal("agent:lab-sre", requested.Actor);
        Assert.Equal("self", requested.Host);
        Assert.DoesNotContain(await AuditAsync(), r => r.Kind == AuditKind.Command);
        var pending = Assert.Single(await (await _services.ApprovalsAsync(default)).ListAsync(null, default));
        Assert.Contains($"request {pending.Id}", call.Result);
        var told = LastMessage(server.Requests[1], protocol);
        Assert.Contains("approval first", told);
        Assert.Contains("prints secret values on self", told); // why, not only that
        Assert.Contains(pending.Id, told);
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task A_read_runs_is_audited_as_the_agents_and_its_output_is_masked_before_the_model_sees_it(FakeProtocol protocol)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        var secrets = Path.Combine(_home, "app.env");
        File.WriteAllText(secrets, $"user=app\ntoken={ApiKey}\n");
        server.Script(
            ScriptedAnswer.Tool("run_command", new { host = "self", command = $"cat {secrets}" }),
            ScriptedAnswer.Tool("report", new { conclusion = "read the token", hypothesis = "none" }));

        var result = await new InvestigationService(_services).RunAsync(Request(), Model(server), default);

        var call = Assert.Single(result.Calls);
        Assert.False(call.Refused);
        Assert.Contains("user=app", call.Result);
        Assert.Contains("token=***", call.Result);
        Assert.Contains("token=***", LastMessage(server.Requests[1], protocol));
        Assert.DoesNotContain(ApiKey, server.AllRequestText);
        Assert.Contains(await AuditAsync(), r => r.Kind == AuditKind.Command && r.Actor == "agent:lab-sre" && r.Host == "self");
        Assert.DoesNotContain(await AuditAsync(), r => r.Detail.Contains(ApiKey));
    }

    [Fact]
    public async Task Credentials_the_tool_layer_supplies_override_what_the_model_writes()
    {
        _server.Script(
            ScriptedAnswer.Tool("run_skill", new { name = "check-password", inputs = new { password = "model-guessed-password" } }),
            ScriptedAnswer.Tool("report", new { conclusion = "password checked" }));

        var result = await new InvestigationService(_services).RunAsync(Request(), Model(_server), default);

        var call = Assert.Single(result.Calls);
        Assert.Contains("ignored your values for password", call.Result);
        Assert.Contains(": succeeded", call.Result);
        Assert.DoesNotContain("real-db-password-1", _server.AllRequestText);
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task A_model_that_never_reports_is_made_to_on_the_last_iteration(FakeProtocol protocol)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(
            ScriptedAnswer.Tool("list_skills", new { }),
            ScriptedAnswer.Tool("describe_skill", new { name = "check-password" }),
            ScriptedAnswer.Tool("report", new { conclusion = "nothing conclusive" }));

        var result = await new InvestigationService(_services).RunAsync(Request(iterations: 3), Model(server), default);

        Assert.Equal(InvestigationOutcome.ForcedReport, result.Outcome);
        Assert.Equal("nothing conclusive", result.Conclusion);
        var last = server.Requests[2];
        var tools = last["tools"]!.AsArray();
        var name = protocol == FakeProtocol.OpenAI ? tools.Single()!["function"]!["name"] : tools.Single()!["name"];
        Assert.Equal("report", name!.GetValue<string>());
        Assert.Equal(300, result.InputTokens);
        Assert.Equal(60, result.OutputTokens);
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task A_model_that_repeats_itself_is_answered_from_memory_then_stopped(FakeProtocol protocol)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.WhenScriptEnds = ScriptedAnswer.Tool("list_skills", new { });

        var result = await new InvestigationService(_services).RunAsync(Request(iterations: 8), Model(server), default);

        Assert.Equal(InvestigationOutcome.NoReport, result.Outcome);
        Assert.Equal(4, server.Requests.Count);
        Assert.Contains("You already called list_skills", result.Calls[1].Result);
        Assert.Contains("did not report", result.Conclusion);
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task When_the_model_server_is_down_nothing_is_investigated_and_the_result_says_to_fall_back(FakeProtocol protocol)
    {
        var server = await FakeModelServer.StartAsync(protocol);
        var model = Model(server);
        await server.DisposeAsync();

        var result = await new InvestigationService(_services).RunAsync(Request(), model, default);

        Assert.Equal(InvestigationOutcome.Fallback, result.Outcome);
        Assert.Contains("cannot be reached", result.FallbackReason);
        Assert.Empty(result.Calls);
    }

    [Fact]
    public async Task Without_a_configured_model_the_loop_falls_back_at_once()
    {
        var result = await new InvestigationService(_services).RunAsync(Request(), ModelAccess.For(_services, ModelTier.Reasoning, null, _ => null), default);

        Assert.Equal(InvestigationOutcome.Fallback, result.Outcome);
        Assert.Equal("no model is configured", result.FallbackReason);
    }

    [Fact]
    public async Task An_agent_session_is_summarized_from_its_record_when_no_model_is_configured()
    {
        var sessions = await _services.SessionsAsync(default);
        var session = await sessions.StartAsync("lab-sre", "agent:lab-sre", "description", "the database is down", null, default);
        await sessions.FinishAsync(session, Storage.Sessions.SessionStatus.Diagnosed, "postgres on db is out of disk", "{}", 1234, default);

        var summary = (await new AuditSummaryService(_services).SummarizeAsync(session.Id, ModelAccess.For(_services, ModelTier.Fast, null, _ => null), default)).Value!;

        Assert.Equal("extractive", summary.Method);
        Assert.Contains("postgres on db is out of disk", summary.Summary);
        Assert.Contains("1234 model tokens", summary.Summary);
    }
}
