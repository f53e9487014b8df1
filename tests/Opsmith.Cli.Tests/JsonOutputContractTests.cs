using System.CommandLine;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Opsmith.Cli.Output;
using Opsmith.Cli.Tests.Support;
using Opsmith.Core.Skills;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Cli.Tests;

/// <summary>
/// The whole command tree is walked: every command that takes <c>--output text|json</c> has a success and a
/// failure case below, and each prints exactly one JSON document on stdout — a failure as
/// <c>{"error": {"kind", "message", "exit_code", "diagnostics"}}</c> (or the verb's own document, such as
/// validate's report) — with its exit code and never a stack trace. A new command with --output must add its cases.
/// </summary>
public sealed class JsonOutputContractTests(JsonOutputContractTests.Home home) : IClassFixture<JsonOutputContractTests.Home>
{
    /// <summary>A command line and the exit code it must end with; {skill}, {inventory}, {report}, {card}, {approve}, {deny} are filled in.</summary>
    public sealed record Case(string[] Args, int Exit, bool BrokenTrail = false);

    /// <summary>Success cases; null where success needs a running lab (LabTests checks those documents).</summary>
    private static readonly Dictionary<string, Case?> Successes = new()
    {
        ["validate"] = new(["validate", "{skill}"], 0),
        ["generate"] = new(["generate", "{card}"], 0),
        ["run"] = new(["run", "{skill}", "-i", "{inventory}", "--execute"], 0),
        ["rollback"] = new(["rollback", "{report}"], 0),
        ["audit list"] = new(["audit", "list"], 0),
        ["audit show"] = new(["audit", "show", "1"], 0),
        ["audit verify"] = new(["audit", "verify"], 0),
        ["approvals list"] = new(["approvals", "list"], 0),
        ["approvals show"] = new(["approvals", "show", "{approve}"], 0),
        ["approvals approve"] = new(["approvals", "approve", "{approve}"], 0),
        ["approvals deny"] = new(["approvals", "deny", "{deny}"], 0),
        ["policy classify"] = new(["policy", "classify", "--", "ls -l /tmp"], 0),
        ["kill-switch"] = new(["kill-switch", "status"], 0),
        ["lab faults"] = new(["lab", "faults"], 0),
        ["lab status"] = null,
        ["lab check"] = null,
        ["agent run"] = new(["agent", "run", "{agent}", "--description", "is this machine slow?", "--stages", "detect"], 0),
        ["agent sessions list"] = new(["agent", "sessions", "list"], 0),
        ["agent sessions show"] = new(["agent", "sessions", "show", "{session}"], 0),
        ["audit summarize"] = new(["audit", "summarize", "{run}"], 0),
        ["import opsskill"] = new(["import", "opsskill", "{opsskill}", "-o", "{out}/opsskill", "--force"], 0),
        ["import legator"] = new(["import", "legator", "{legator}", "-o", "{out}/legator", "--force"], 0),
        ["import agent-skill"] = new(["import", "agent-skill", "{agent-skill}", "-o", "{out}/agent-skill", "--force"], 0),
        ["import gha"] = new(["import", "gha", "{workflow}", "-o", "{out}/gha.yaml"], 0),
        ["incidents list"] = new(["incidents", "list"], 0),
        ["incidents show"] = new(["incidents", "show", "{incident-show}"], 0),
        ["incidents hold"] = new(["incidents", "hold", "{incident-hold}", "--note", "looking by hand"], 0),
        ["incidents unhold"] = new(["incidents", "unhold", "{incident-unhold}"], 0),
        ["incidents resolve"] = new(["incidents", "resolve", "{incident-resolve}"], 0),
        ["monitor run"] = new(["monitor", "run", "{agent}", "--once"], 0),
        ["review"] = new(["review", "{report}"], 0),
        ["skills review list"] = new(["skills", "review", "list"], 0),
        ["skills review approve"] = new(["skills", "review", "approve", "{review-approve}"], 0),
        ["skills review reject"] = new(["skills", "review", "reject", "{review-reject}"], 0),
        ["tokens create"] = new(["tokens", "create", "--role", "viewer", "--for", "carol"], 0),
        ["tokens list"] = new(["tokens", "list"], 0),
        ["tokens revoke"] = new(["tokens", "revoke", "{token}"], 0),
    };

    private static readonly Dictionary<string, Case> Failures = new()
    {
        ["validate"] = new(["validate", "missing.yaml"], 2),
        ["generate"] = new(["generate", "{skill}"], 1),
        ["run"] = new(["run", "missing.yaml", "-i", "{inventory}"], 2),
        ["rollback"] = new(["rollback", "{skill}"], 2),
        ["audit list"] = new(["audit", "list", "--limit", "0"], 2),
        ["audit show"] = new(["audit", "show", "999999"], 2),
        ["audit verify"] = new(["audit", "verify"], 1, BrokenTrail: true),
        ["approvals list"] = new(["approvals", "list", "--status", "maybe"], 2),
        ["approvals show"] = new(["approvals", "show", "ap-zzzzz"], 2),
        ["approvals approve"] = new(["approvals", "approve", "ap-zzzzz"], 2),
        ["approvals deny"] = new(["approvals", "deny", "ap-zzzzz"], 2),
        ["policy classify"] = new(["policy", "classify", "--file", "missing.txt"], 2),
        ["kill-switch"] = new(["kill-switch", "off"], 1, BrokenTrail: true),
        ["lab faults"] = new(["lab", "faults", "--no-such-option"], 2),
        ["lab status"] = new(["lab", "status", "--name", "nolab"], 1),
        ["lab check"] = new(["lab", "check", "--name", "nolab"], 1),
        ["agent run"] = new(["agent", "run", "missing.agent.yaml", "--description", "x"], 2),
        ["agent sessions list"] = new(["agent", "sessions", "list"], 1, BrokenTrail: true),
        ["agent sessions show"] = new(["agent", "sessions", "show", "as-zzzzz"], 2),
        ["audit summarize"] = new(["audit", "summarize", "run-zzzzz"], 2),
        ["import opsskill"] = new(["import", "opsskill", "nowhere"], 2),
        ["import legator"] = new(["import", "legator", "nowhere"], 2),
        ["import agent-skill"] = new(["import", "agent-skill", "nowhere"], 2),
        ["import gha"] = new(["import", "gha", "nowhere.yml"], 2),
        ["incidents list"] = new(["incidents", "list", "--status", "maybe"], 2),
        ["incidents show"] = new(["incidents", "show", "in-zzzzz"], 2),
        ["incidents hold"] = new(["incidents", "hold", "in-zzzzz"], 2),
        ["incidents unhold"] = new(["incidents", "unhold", "in-zzzzz"], 2),
        ["incidents resolve"] = new(["incidents", "resolve", "in-zzzzz"], 2),
        ["monitor run"] = new(["monitor", "run", "missing.agent.yaml", "--once"], 2),
        ["review"] = new(["review", "missing.json"], 2),
        ["skills review list"] = new(["skills", "review", "list", "--status", "maybe"], 2),
        ["skills review approve"] = new(["skills", "review", "approve", "rv-zzzzz"], 2),
        ["skills review reject"] = new(["skills", "review", "reject", "rv-zzzzz"], 2),
        ["tokens create"] = new(["tokens", "create", "--role", "emperor"], 2),
        ["tokens list"] = new(["tokens", "list"], 1, BrokenTrail: true),
        ["tokens revoke"] = new(["tokens", "revoke", "tk-zzzzzzzz"], 2),
    };

    [Fact]
    public void Every_command_that_takes_json_output_has_a_success_and_a_failure_case()
    {
        var withJson = Walk(OpsmithCli.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null)), "")
            .Where(c => c.Command.Options.OfType<Option<OutputFormat>>().Any())
            .Select(c => c.Path).Order(StringComparer.Ordinal).ToList();

        foreach (var (name, cases) in new (string, IEnumerable<string>)[] { ("success", Successes.Keys), ("failure", Failures.Keys) })
        {
            var missing = withJson.Except(cases).ToList();
            var stale = cases.Except(withJson).ToList();
            Assert.True(missing.Count == 0 && stale.Count == 0,
                $"{name} cases: add [{string.Join(", ", missing)}]; remove (no such command with --output) [{string.Join(", ", stale)}]");
        }
    }

    public static TheoryData<string> SuccessCases() => [.. Successes.Where(c => c.Value is not null).Select(c => c.Key)];

    public static TheoryData<string> FailureCases() => [.. Failures.Keys];

    [Theory]
    [MemberData(nameof(SuccessCases))]
    public async Task On_success_the_command_prints_one_json_document(string command)
    {
        var result = await home.RunAsync(Successes[command]!);

        using var json = ParseOne(command, result);
        Assert.False(json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out _), result.All);
    }

    [Theory]
    [MemberData(nameof(FailureCases))]
    public async Task On_failure_the_command_prints_one_json_document_with_its_exit_code(string command)
    {
        var result = await home.RunAsync(Failures[command]);

        Assert.True(result.ExitCode == Failures[command].Exit, $"{command}: exit {result.ExitCode}, expected {Failures[command].Exit}: {result.All}");
        using var json = ParseOne(command, result);
        if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var error))
        {
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), result.Stdout);
            Assert.Equal(result.ExitCode, error.GetProperty("exit_code").GetInt32());
            Assert.NotEqual("internal", error.GetProperty("kind").GetString());
        }
    }

    private static JsonDocument ParseOne(string command, CliResult result)
    {
        Assert.False(result.ExitCode == 70, $"{command}: internal error: {result.All}");
        Assert.DoesNotContain("   at ", result.All);
        try
        {
            // One document: JsonDocument.Parse refuses anything after it.
            return JsonDocument.Parse(result.Stdout);
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"{command}: stdout is not one JSON document ({e.Message}): {result.All}");
        }
    }

    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            var subPath = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
            yield return (subPath, sub);
            foreach (var deeper in Walk(sub, subPath)) yield return deeper;
        }
    }

    /// <summary>One home with a run, its report, an audit trail and two pending approval requests; and one with a damaged trail.</summary>
    public sealed class Home : IAsyncLifetime, IDisposable
    {
        private readonly TempFolder _folder = new();
        private readonly TempFolder _broken = new();
        private readonly Dictionary<string, string> _values = [];

        public async Task InitializeAsync()
        {
            _values["{inventory}"] = _folder.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
            _values["{skill}"] = _folder.Write("skill.yaml", """
                apiVersion: opsmith/v1
                kind: Skill
                metadata: {name: look, title: Look, description: Looks at the host., stage: diagnosis}
                spec:
                  targets: self
                  risk: read
                  actions:
                    - {name: gather, run: "uptime", risk: read}
                """);
            _values["{card}"] = Path.Combine(CliProcess.RepositoryRoot, "examples", "task-cards", "nginx-down.yaml");
            _values["{report}"] = Path.Combine(_folder.Path, "report.json");
            var run = await CliProcess.RunAsync(["run", _values["{skill}"], "-i", _values["{inventory}"], "--execute", "--report-out", _values["{report}"]], Environment(false));
            Assert.True(run.ExitCode == 0, run.All);
            _values["{run}"] = JsonDocument.Parse(await File.ReadAllTextAsync(_values["{report}"])).RootElement.GetProperty("run_id").GetString()!;
            await AgentAndIncidentsAsync();
            await ImportSourcesAsync();
            _values["{review-approve}"] = await ProposeSkillAsync("json-contract-a");
            _values["{review-reject}"] = await ProposeSkillAsync("json-contract-b");
            var token = await CliProcess.RunAsync(["tokens", "create", "--role", "viewer", "--for", "dave", "--output", "json"], Environment(false));
            Assert.True(token.ExitCode == 0, token.All);
            _values["{token}"] = JsonDocument.Parse(token.Stdout).RootElement.GetProperty("id").GetString()!;
            _values["{approve}"] = await ProposeAsync();
            _values["{deny}"] = await ProposeAsync();
            Directory.CreateDirectory(Path.Combine(_broken.Path, "data"));
            await File.WriteAllTextAsync(Path.Combine(_broken.Path, "data", "audit.db"), "this is not a database, it was overwritten\n");
        }

        /// <summary>A green agent ({agent}) with a session; a red one whose monitor pass opens four incidents, one of them held.</summary>
        private async Task AgentAndIncidentsAsync()
        {
            _folder.Write("env.yaml", "apiVersion: opsmith/v1\nkind: Environment\nmetadata: {name: here}\nspec:\n  inventory: inventory.yaml\n");
            string AgentFile(string file, int maxUsePercent, params string[] names) => _folder.Write(file, $"""
                apiVersion: opsmith/v1
                kind: Agent
                metadata: {"{"}name: json-sre{"}"}
                spec:
                  environment: env.yaml
                  autonomy: observe
                  skills: [check-*, diagnose-*]
                  invariants:
                {string.Join("\n", names.Select(n => $"    - {{name: {n}, skill: check-disk-usage, inputs: {{path: /, max_use_percent: \"{maxUsePercent}\"}}, hosts: self}}"))}
                """);
            _values["{agent}"] = AgentFile("green.agent.yaml", 100, "root-has-room");
            var red = AgentFile("red.agent.yaml", 1, "room-a", "room-b", "room-c", "room-d");
            var session = await CliProcess.RunAsync(["agent", "run", _values["{agent}"], "--description", "slow?", "--stages", "detect", "--output", "json"], Environment(false));
            Assert.True(session.ExitCode == 0, session.All);
            _values["{session}"] = JsonDocument.Parse(session.Stdout).RootElement.GetProperty("session_id").GetString()!;
            var pass = await CliProcess.RunAsync(["monitor", "run", red, "--once", "--output", "json"], Environment(false));
            var opened = JsonDocument.Parse(pass.Stdout).RootElement.GetProperty("opened").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
            Assert.True(opened.Count == 4, pass.All);
            (_values["{incident-show}"], _values["{incident-hold}"], _values["{incident-unhold}"], _values["{incident-resolve}"]) = (opened[0], opened[1], opened[2], opened[3]);
            var held = await CliProcess.RunAsync(["incidents", "hold", opened[2]], Environment(false));
            Assert.True(held.ExitCode == 0, held.All);
        }

        /// <summary>One small source file in each format <c>opsmith import</c> reads.</summary>
        private Task ImportSourcesAsync()
        {
            _values["{out}"] = Path.Combine(_folder.Path, "imported");
            _values["{opsskill}"] = _folder.Write("opsskill/uptime.yaml", """
                name: uptime-snapshot
                intent: Show how long the host has been up and its load
                metadata: {stage: detection, risk_level: none}
                actions:
                  - {name: uptime, command: uptime}
                """);
            _values["{legator}"] = _folder.Write("legator/agent.yaml", ImportCommandTests.LegatorAgent);
            _values["{agent-skill}"] = _folder.Write("agent-skill/SKILL.md", """
                ---
                name: host-load
                description: Look at a host's load and memory.
                ---
                # Host load
                1. Load: `uptime`
                2. Memory: `free -m`
                """);
            _values["{workflow}"] = _folder.Write("workflow.yml", """
                name: disk
                on:
                  workflow_dispatch:
                    inputs:
                      path: {description: "the file system", default: "/"}
                jobs:
                  look:
                    runs-on: ubuntu-latest
                    steps:
                      - run: df -P "${{ inputs.path }}"
                """);
            return Task.CompletedTask;
        }

        /// <summary>A skill proposed for review by another person, in this home's skills repository.</summary>
        private async Task<string> ProposeSkillAsync(string name)
        {
            var data = Path.Combine(_folder.Path, "data");
            var repository = new Opsmith.Application.Skills.SkillRepository(Path.Combine(data, "skills.git"), Path.Combine(_folder.Path, "cache", "skills"),
                new Opsmith.Execution.Linting.ShellcheckLinter(), TimeProvider.System);
            var proposed = await repository.ProposeAsync($"""
                apiVersion: opsmith/v1
                kind: Skill
                metadata: {"{"}name: {name}, title: Look, description: Looks at the host., stage: diagnosis{"}"}
                spec:
                  targets: self
                  risk: read
                  actions:
                    - {"{"}name: gather, run: "uptime", risk: read{"}"}
                """, new Actor("json-contract-author", ActorKind.Human), null, CancellationToken.None);
            Assert.True(proposed.Error is null, proposed.Error?.Message);
            return proposed.Value!.Id;
        }

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose()
        {
            _folder.Dispose();
            _broken.Dispose();
        }

        public Task<CliResult> RunAsync(Case c)
        {
            var args = c.Args.Select(a => _values.Aggregate(a, (text, value) => text.Replace(value.Key, value.Value))).ToList();
            var end = args.IndexOf("--");
            args.InsertRange(end < 0 ? args.Count : end, ["--output", "json"]);
            return CliProcess.RunAsync([.. args], Environment(c.BrokenTrail), _folder.Path);
        }

        private Dictionary<string, string> Environment(bool broken) => new() { ["OPSMITH_HOME"] = broken ? _broken.Path : _folder.Path };

        private async Task<string> ProposeAsync()
        {
            await using var audit = await SqliteAuditStore.OpenAsync(SqliteAuditOptions.InDataFolder(Path.Combine(_folder.Path, "data")),
                TimeProvider.System, CancellationToken.None);
            var approvals = ApprovalStores.For(audit, PolicySettings.Default, TimeProvider.System);
            var request = await approvals.CreateAsync(new ApprovalProposal("run-1", new Actor("json-contract-proposer", ActorKind.Agent), "flush-cache",
                "abc123", "db1", "actions/flush", "redis-cli FLUSHALL", RiskTier.DataMutation, "data-mutation needs a person"), CancellationToken.None);
            SqliteConnection.ClearAllPools();
            return request.Id;
        }
    }
}
