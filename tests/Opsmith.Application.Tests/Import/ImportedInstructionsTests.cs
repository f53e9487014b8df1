using Opsmith.Application.Agents;
using Opsmith.Application.Configuration;
using Opsmith.Application.Import;
using Opsmith.Application.Llm;
using Opsmith.Core.Agents;
using Opsmith.Execution.Linting;
using Opsmith.Llm.Tiers;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Audit;
using Opsmith.Storage.Sessions;
using Opsmith.Testing;

namespace Opsmith.Application.Tests.Import;

/// <summary>
/// An imported Legator agent with its skill's SKILL.md, run by the LLM agent against the local model servers: the
/// procedure reaches the model as instructions, and a dangerous command the procedure tells it to run is refused,
/// audited as the agent's, exactly like any other command.
/// </summary>
public sealed class ImportedInstructionsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("opsmith-instructions-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Out => Path.Combine(_root, "imported");

    private async Task<LoadedAgent> ImportAndLoadAsync(OpsmithServices services)
    {
        var source = Path.Combine(_root, "disk-watch.yaml");
        File.WriteAllText(source, ImportFixtures.LegatorAgentWithSkill);
        File.WriteAllText(Path.Combine(_root, "web-fleet.yaml"), ImportFixtures.LegatorEnvironment);
        var imported = await ImportService.ImportAsync(new ImportRequest(SourceSystem.Legator, [source, Path.Combine(_root, "web-fleet.yaml")], Out, false),
            new ShellcheckLinter(), CancellationToken.None);
        Assert.True(imported.Value!.AllValid);
        var inventory = Path.Combine(_root, "inventory.yaml");
        File.WriteAllText(inventory, "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var loaded = await new AgentLoader(services).LoadAsync(Path.Combine(Out, "disk-watch.agent.yaml"), inventory, null, Path.Combine(Out, "skills"), default);
        Assert.True(loaded.Error is null, loaded.Error?.Message);
        return loaded.Value!;
    }

    [Theory]
    [InlineData(FakeProtocol.OpenAI)]
    [InlineData(FakeProtocol.Anthropic)]
    public async Task The_procedure_reaches_the_model_and_a_dangerous_command_from_it_is_blocked_and_audited_as_the_agents(FakeProtocol protocol)
    {
        var paths = OpsmithPaths.From(name => name == "OPSMITH_HOME" ? Path.Combine(_root, "home") : null);
        await using var services = new OpsmithServices(OpsmithOptions.Defaults(paths), new Actor("disk-watch", ActorKind.Agent))
        {
            ModelRetry = new Opsmith.Llm.Providers.RetrySettings(2, TimeSpan.Zero),
        };
        var agent = await ImportAndLoadAsync(services);
        Assert.Equal(Path.Combine(Out, "instructions", "disk-watch", "SKILL.md"), Assert.Single(agent.Instructions).File);
        const string Delete = "find /var/log/nginx -name '*.gz' -mtime +7 -delete";
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(
            ScriptedAnswer.Tool("run_command", new { host = "self", command = Delete }),
            ScriptedAnswer.Tool("report", new { conclusion = "/var is full; old logs should be deleted by a person" }));
        var model = ModelAccess.For(services, agent.Definition.ModelTier,
            new ModelOverrides(protocol == FakeProtocol.OpenAI ? ModelProvider.OpenAI : ModelProvider.Anthropic, "agent-model", server.BaseUrl), _ => "sk-instructions-key");

        var session = await new ToolLoopAgent(services).RunAsync(agent, new AgentTrigger(TriggerKind.Description, "/var on self is 97% full", null, ["self"]),
            allowMutation: false, model, default);

        // The procedure was in what the model was sent first, whole.
        var first = server.Requests[0].ToJsonString();
        Assert.Contains("# Disk watch", first);
        Assert.Contains("delete old logs", first);
        // Its delete was classified like any command an agent runs on its own: refused, and the model told why.
        var call = Assert.Single(session.Investigation.Calls);
        Assert.True(call.Refused);
        Assert.Contains("may only read", call.Result);
        Assert.Contains("may only read", server.Requests[1].ToJsonString());
        var audit = await (await services.AuditAsync(default)).ListAsync(new AuditQuery(Limit: AuditQuery.MaxLimit), default);
        var blocked = Assert.Single(audit, r => r.Kind == AuditKind.Decision && r.Decision == AuditDecision.Blocked);
        Assert.Equal("agent:disk-watch", blocked.Actor);
        Assert.Equal("self", blocked.Host);
        Assert.DoesNotContain(audit, r => r.Kind == AuditKind.Command);
        Assert.Equal(SessionStatus.Diagnosed, session.Status);
    }

    [Fact]
    public async Task A_missing_instructions_file_is_an_error_naming_the_agent_file()
    {
        var paths = OpsmithPaths.From(name => name == "OPSMITH_HOME" ? Path.Combine(_root, "home") : null);
        await using var services = new OpsmithServices(OpsmithOptions.Defaults(paths), new Actor("disk-watch", ActorKind.Agent));
        await ImportAndLoadAsync(services);
        File.Delete(Path.Combine(Out, "instructions", "disk-watch", "SKILL.md"));

        var loaded = await new AgentLoader(services).LoadAsync(Path.Combine(Out, "disk-watch.agent.yaml"), Path.Combine(_root, "inventory.yaml"), null,
            Path.Combine(Out, "skills"), default);

        Assert.Contains("disk-watch.agent.yaml: instructions: instructions file", loaded.Error!.Message);
        Assert.Contains("SKILL.md' does not exist", loaded.Error.Message);
    }
}
