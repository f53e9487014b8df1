using Opsmith.Core.Agents;
using Opsmith.Core.Documents;

namespace Opsmith.Core.Tests.Agents;

public sealed class AgentReaderTests
{
    private const string AgentFile = "/srv/ops/agents/lab-sre.agent.yaml";

    private const string ContractExample = """
        apiVersion: opsmith/v1
        kind: Agent
        metadata: {name: lab-sre, description: "Watches the lab"}
        spec:
          environment: lab.environment.yaml
          autonomy: automate-safe
          skills: [check-*, diagnose-*, restart-nginx]
          interval: 30s
          invariants:
            - name: api-answers
              http: {url: "http://127.0.0.1/api/health", expect_status: 200}
            - name: redis-healthy
              skill: check-redis-health
              inputs: {port: 6379}
              hosts: cache
            - name: error-rate
              promql: {query: 'sum(rate(http_requests_total{code=~"5.."}[1m]))', max: 0.5}
          budgets: {runs_per_hour: 20, iterations: 10, tokens_per_session: 200000, tokens_per_call: 8000}
          schedule: "*/5 * * * *"
          model_tier: standard
          channels: [{type: webhook, url_env: OPSMITH_WEBHOOK_URL}]
        """;

    private static LoadedDocument Load(string text, string file = AgentFile) => DocumentLoader.Load(file, text);

    [Fact]
    public void The_contract_example_reads_as_an_agent_with_paths_made_absolute()
    {
        var document = Load(ContractExample);

        Assert.Equal(DocumentKind.Agent, document.Kind);
        Assert.Empty(document.Diagnostics);
        var agent = document.Agent!;
        Assert.Equal("lab-sre", agent.Name);
        Assert.Equal("/srv/ops/agents/lab.environment.yaml", agent.EnvironmentFile);
        Assert.Equal("automate-safe", agent.Autonomy);
        Assert.Equal(TimeSpan.FromSeconds(30), agent.Interval);
        Assert.Equal([InvariantKind.Http, InvariantKind.Skill, InvariantKind.Promql], agent.Invariants.Select(i => i.Kind));
        Assert.Equal("6379", agent.Invariants[1].Inputs["port"]);
        Assert.Equal("cache", agent.Invariants[1].Hosts);
        Assert.Equal(0.5, agent.Invariants[2].Max);
        Assert.Equal(10, agent.Budgets.Iterations);
        Assert.Equal(ModelTier.Standard, agent.ModelTier);
        Assert.Equal("OPSMITH_WEBHOOK_URL", agent.Channels[0].UrlEnv);
    }

    [Theory]
    [InlineData("check-disk-usage", true)]
    [InlineData("restart-nginx", true)]
    [InlineData("restart-redis", false)]
    [InlineData("delete-redis-keys", false)]
    public void The_allowlist_admits_named_skills_and_globs_and_denies_the_rest(string skill, bool allowed) =>
        Assert.Equal(allowed, Load(ContractExample).Agent!.Allows(skill));

    [Fact]
    public void Every_problem_is_reported_with_its_line_and_field()
    {
        var document = Load("""
            apiVersion: opsmith/v1
            kind: Agent
            metadata: {name: Lab_SRE}
            spec:
              autonomy: automate-everything
              skills: [check-*]
              interval: soon
              invariants:
                - name: twice
                  skill: check-redis-health
                - name: twice
                  skill: check-redis-health
                  http: {url: "http://x/"}
                - name: no-threshold
                  promql: {query: up}
              budgets: {iterations: 0}
              model_tier: genius
            """);

        Assert.Null(document.Agent);
        var errors = document.Diagnostics.Where(d => d.IsError).Select(d => (d.Position.Line, d.Path)).ToList();
        Assert.Contains((3, "metadata.name"), errors);
        Assert.Contains((5, "spec.autonomy"), errors);
        Assert.Contains((7, "spec.interval"), errors);
        Assert.Contains(errors, e => e.Line == 11 && e.Path!.EndsWith("name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Line == 13);
        Assert.Contains(errors, e => e.Line == 15);
        Assert.Contains((16, "spec.budgets.iterations"), errors);
        Assert.Contains((17, "spec.model_tier"), errors);
        Assert.Contains("did you mean 'automate-safe'", document.Diagnostics.First(d => d.Path == "spec.autonomy").Message);
    }

    [Fact]
    public void An_environment_reads_with_its_inventory_relative_to_the_file()
    {
        var document = Load("""
            apiVersion: opsmith/v1
            kind: Environment
            metadata: {name: lab}
            spec:
              inventory: inventory.yaml
              prometheus: http://10.213.0.2:9090/
              data_resources: [{host: node3, path: /var/lib/postgresql, kind: database}]
            """, "/srv/ops/lab.environment.yaml");

        Assert.Empty(document.Diagnostics);
        var environment = document.Environment!;
        Assert.Equal("/srv/ops/inventory.yaml", environment.Inventory);
        Assert.Equal("http://10.213.0.2:9090", environment.Prometheus);
        Assert.Equal(new DataResource("node3", "/var/lib/postgresql", "database"), environment.DataResources[0]);
    }

    [Fact]
    public void An_environment_without_an_inventory_or_with_a_relative_data_path_is_refused()
    {
        var document = Load("""
            apiVersion: opsmith/v1
            kind: Environment
            metadata: {name: lab}
            spec:
              prometheus: 10.213.0.2:9090
              data_resources: [{host: node3, path: var/lib/postgresql}]
            """);

        Assert.Null(document.Environment);
        Assert.Contains(document.Diagnostics, d => d.IsError && d.Message.Contains("'inventory'", StringComparison.Ordinal));
        Assert.Contains(document.Diagnostics, d => d.IsError && d.Position.Line == 5);
        Assert.Contains(document.Diagnostics, d => d.IsError && d.Position.Line == 6 && d.Message.Contains("absolute", StringComparison.Ordinal));
    }
}
