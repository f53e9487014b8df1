using System.CommandLine;
using System.Text;
using Opsmith.Application.Configuration;
using Opsmith.Application.Runs;
using Opsmith.Cli.Tests.Support;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Tests.Fuzzing;
using Opsmith.Execution.Runs;
using Opsmith.Lab.Bench;
using Opsmith.Llm.Tiers;

namespace Opsmith.Cli.Tests;

/// <summary>
/// The readers the other fuzz tests do not reach (skills, task cards and inventories: Opsmith.Core.Tests' ReaderFuzzTests;
/// suites: BenchSuiteReaderTests): run reports as <c>rollback</c> reads them, kill-switch files, <c>opsmith.yaml</c> and
/// the policy's environment variables, Agent, Environment, ModelTiers and AgentScript files, and the CLI's numbers and
/// durations, through the CLI in this process. Thousands of inputs from a fixed seed, so a failure reproduces: never an
/// exception, never exit 70 (internal error) or a stack trace, and every input ends (a generous bound per input, not a
/// timing assertion).
/// </summary>
[Collection("in-process cli")]
public sealed class EveryReaderFuzzTests
{
    private const int Seed = 20261130;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Describe(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes).Replace("\n", "\\n", StringComparison.Ordinal);
        return text.Length > 200 ? $"{text.Length} chars, starting '{text[..200]}'" : $"'{text}'";
    }

    /// <summary>Runs <paramref name="body"/> for each input; each must end within <see cref="Patience"/> and not throw.</summary>
    private static async Task<List<string>> EachAsync<T>(IReadOnlyList<T> inputs, Func<T, Task<string?>> body, Func<T, string> describe)
    {
        var failures = new List<string>();
        foreach (var input in inputs)
        {
            var work = Task.Run(() => body(input));
            if (await Task.WhenAny(work, Task.Delay(Patience)) != work)
            {
                failures.Add($"did not end: {describe(input)}");
                break;
            }
            try
            {
                if (await work is { } problem) failures.Add($"{problem}: {describe(input)}");
            }
            catch (Exception e)
            {
                failures.Add($"{e.GetType().Name}: {e.Message}: {describe(input)}");
            }
        }
        return failures;
    }

    private static void AssertNone(List<string> failures) =>
        Assert.True(failures.Count == 0, $"{failures.Count} failures, the first ones:\n{string.Join('\n', failures.Take(10))}");

    [Fact]
    public async Task Kill_switch_files_of_any_content_read_as_a_state_and_only_a_complete_state_is_trusted()
    {
        var valid = Utf8("""{"By":"user:alice","Since":"2026-11-30T10:00:00+00:00","Reason":"incident 4711"}""");
        var mutator = new DocumentMutator(new Random(Seed));
        var inputs = Enumerable.Range(0, 1500).Select(_ => mutator.Mutate(valid)).ToList();
        using var folder = new TempFolder();
        var killSwitch = new KillSwitch(folder.Path);

        var failures = await EachAsync(inputs, bytes =>
        {
            File.WriteAllBytes(killSwitch.FilePath, bytes);
            var state = killSwitch.Read();
            return Task.FromResult(state is null ? "a kill-switch file read as off" : null);
        }, Describe);

        AssertNone(failures);
    }

    [Fact]
    public async Task Configuration_files_and_policy_variables_give_issues_with_a_source_never_an_exception()
    {
        var seed = Utf8("""
            apiVersion: opsmith/v1
            kind: Configuration
            policy:
              autonomy: automate-safe
              max_runs_per_hour: 30
              max_runs_per_hour_per_skill: 6
              run_budget: 100
              approval_expiry: 1h
              approval_on_expiry: cancel
            classifier:
              read_only_programs:
                acme-status: prints the acme daemon's state
            data_inventory:
              data_directories: [/srv/pgdata]
              databases: [orders]
              datastore_ports: [5432, 6379]
            models:
              standard: {provider: anthropic, model: claude-sonnet-4-5, timeout: 2m, max_output_tokens: 4096}
            """);
        var random = new Random(Seed);
        var mutator = new DocumentMutator(random);
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "opsmith.yaml");
        var files = Enumerable.Range(0, 1000).Select(_ => mutator.Mutate(seed))
            .Append(Utf8("apiVersion: opsmith/v1\nkind: Configuration\nmodels: \"tiers\\0.yaml\"\n")).ToList();
        var numbers = NumberTexts(random, 400);
        var variables = OptionsLoader.Variables.Select(v => v.Variable).Where(v => v != "OPSMITH_AUDIT_POSTGRES").ToList();

        var failures = await EachAsync(files, bytes =>
        {
            File.WriteAllBytes(file, bytes);
            var (options, issues) = OptionsLoader.Load(Environment(("OPSMITH_CONFIG", file)), OptionOverrides.None);
            return Task.FromResult(options is null && issues.Count == 0 ? "neither options nor issues" : issues.FirstOrDefault(i => i.Source.Length == 0) is { } i ? $"an issue without a source: {i}" : null);
        }, Describe);
        failures.AddRange(await EachAsync(numbers.SelectMany(n => variables.Select(v => (v, n))).ToList(), pair =>
        {
            var (options, issues) = OptionsLoader.Load(Environment((pair.v, pair.n)), OptionOverrides.None);
            var named = issues.All(i => i.Source.Contains(pair.v, StringComparison.Ordinal) || i.Source == "the policy" || pair.v == "OPSMITH_MODEL_TIERS");
            return Task.FromResult(options is null == (issues.Count == 0) || !named ? $"{issues.Count} issues, options {(options is null ? "missing" : "given")}" : null);
        }, pair => $"{pair.v}='{pair.n}'"));

        AssertNone(failures);
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] set) => name =>
        name == "OPSMITH_HOME" ? System.IO.Path.GetTempPath() + "opsmith-fuzz-home" : set.FirstOrDefault(s => s.Name == name).Value;

    [Fact]
    public async Task Agent_environment_model_tiers_and_agent_script_files_give_diagnostics_in_the_file_never_an_exception()
    {
        var root = CliProcess.RepositoryRoot;
        var documents = new[] { "examples/lab/lab-sre.agent.yaml", "examples/lab/lab.environment.yaml", "bench/agents/heuristic.agent.yaml" }
            .Select(f => (Name: Path.GetFileName(f), Bytes: File.ReadAllBytes(Path.Combine(root, f)))).ToList();
        var tiers = Utf8("""
            apiVersion: opsmith/v1
            kind: ModelTiers
            tiers:
              fast: {provider: openai, model: gpt-4o-mini, base_url: "http://127.0.0.1:9/v1", api_key_env: OPENAI_API_KEY}
              standard: {provider: anthropic, model: claude-sonnet-4-5, timeout: 2m, max_output_tokens: 4096, headers: {x-team: ops}}
              reasoning: {provider: anthropic, model: claude-opus-4, api_key_file: /etc/opsmith/key}
            """);
        var script = File.ReadAllBytes(Path.Combine(root, "bench/agents/catalog.yaml"));
        var mutator = new DocumentMutator(new Random(Seed));
        var inputs = documents.SelectMany(d => Enumerable.Range(0, 300).Select(i => (Kind: "document", Name: $"{i:000}-{d.Name}", Bytes: mutator.Mutate(d.Bytes))))
            .Concat(Enumerable.Range(0, 300).Select(i => (Kind: "tiers", Name: $"{i:000}-tiers.yaml", Bytes: mutator.Mutate(tiers))))
            .Concat(Enumerable.Range(0, 300).Select(i => (Kind: "script", Name: Path.Combine(root, "bench/agents", $"{i:000}-catalog.yaml"), Bytes: mutator.Mutate(script))))
            .ToList();

        var failures = await EachAsync(inputs, input =>
        {
            var lines = Encoding.UTF8.GetString(input.Bytes).Split('\n').Length;
            IReadOnlyList<Diagnostic> diagnostics;
            switch (input.Kind)
            {
                case "document":
                    var document = DocumentLoader.Load(input.Name, input.Bytes);
                    diagnostics = document.Diagnostics;
                    if (!document.IsValid && !diagnostics.Any(d => d.IsError)) return Task.FromResult<string?>("invalid without an error");
                    break;
                case "tiers":
                    var bag = new DiagnosticBag(input.Name);
                    ModelTiersReader.ReadDocument(Encoding.UTF8.GetString(input.Bytes), bag);
                    diagnostics = bag.Items;
                    break;
                default:
                    var scriptBag = new DiagnosticBag(input.Name);
                    AgentScript.Read(input.Name, Encoding.UTF8.GetString(input.Bytes), scriptBag);
                    diagnostics = scriptBag.Items;
                    break;
            }
            var outside = diagnostics.FirstOrDefault(d => d.File != input.Name || d.Position.Line < 1 || d.Position.Column < 1 || d.Position.Line > lines + 1);
            var unknown = diagnostics.FirstOrDefault(d => DiagnosticCodes.Find(d.Code) is null);
            return Task.FromResult(outside is not null ? $"a diagnostic outside the file: {outside.ToLine()}"
                : unknown is not null ? $"a code missing from docs/diagnostic-codes.md: {unknown.ToLine()}" : null);
        }, input => $"{input.Name} {Describe(input.Bytes)}");

        AssertNone(failures);
    }

    [Fact]
    public async Task Every_numeric_option_of_the_command_tree_parses_any_text_without_an_exception()
    {
        var random = new Random(Seed);
        var root = OpsmithCli.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null));
        var numeric = new List<(string[] Path, Option Option)>();
        Walk(root, []);
        Assert.True(numeric.Count >= 8, $"only {numeric.Count} numeric options found");
        var inputs = numeric.SelectMany(o => NumberTexts(random, 150).Select(n => (o.Path, o.Option, Text: n))).ToList();

        var failures = await EachAsync(inputs, input =>
        {
            var parsed = root.Parse([.. input.Path, input.Option.Name, input.Text]);
            return Task.FromResult<string?>(parsed.Errors.Count == 0 && parsed.GetResult(input.Option) is null ? "parsed without the option" : null);
        }, input => $"opsmith {string.Join(' ', input.Path)} {input.Option.Name} '{input.Text}'");

        AssertNone(failures);

        void Walk(Command command, string[] path)
        {
            foreach (var option in command.Options)
                if (option.ValueType == typeof(int) || option.ValueType == typeof(long) || option.ValueType == typeof(double) || option.ValueType == typeof(TimeSpan))
                    numeric.Add((path, option));
            foreach (var sub in command.Subcommands) Walk(sub, [.. path, sub.Name]);
        }
    }

    /// <summary>
    /// Verbs run in this process (no lab, no remote host: a local inventory): numbers and durations given to the verbs
    /// that read them (<c>audit list --since/--limit</c>, <c>run --parallel</c> and int/duration skill inputs), and run
    /// reports broken in every way, as <c>rollback</c> reads them.
    /// </summary>
    [Fact]
    public async Task Verbs_given_any_number_duration_or_broken_report_end_without_an_internal_error_or_a_stack_trace()
    {
        var random = new Random(Seed);
        using var temp = new TempFolder();
        var home = System.Environment.GetEnvironmentVariable("OPSMITH_HOME");
        System.Environment.SetEnvironmentVariable("OPSMITH_HOME", Path.Combine(temp.Path, "home"));
        try
        {
            await VerbsAsync(random, temp);
        }
        finally
        {
            System.Environment.SetEnvironmentVariable("OPSMITH_HOME", home);
        }
    }

    private static async Task VerbsAsync(Random random, TempFolder temp)
    {
        var inventory = temp.Write("inventory.yaml", "apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n");
        var marker = Path.Combine(temp.Path, "marker");
        var skill = temp.Write("touch.yaml", $$$"""
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: fuzz-touch, title: Touch, description: Touches a marker and removes it on rollback., stage: recovery}
            spec:
              inputs:
                host: {type: host, required: true}
                count: {type: int, default: "3", min: 1, max: 1000}
                wait: {type: duration, default: 1s}
              targets: "{{ inputs.host }}"
              risk: service-mutation
              actions:
                - name: touch
                  run: touch {{{marker}}}
              success_criteria:
                - name: touched
                  run: test -e {{{marker}}}
              rollback:
                - name: remove
                  run: rm -f {{{marker}}}
            """);
        var report = Path.Combine(temp.Path, "report.json");
        var made = await Cli(["run", skill, "-i", inventory, "--input", "host=self", "--execute", "--report-out", report]);
        Assert.True(made.Code == 0 && File.Exists(report), made.Output);

        var commands = new List<string[]>();
        foreach (var n in NumberTexts(random, 40))
        {
            commands.Add(["audit", "list", "--since", n]);
            commands.Add(["audit", "list", "--since", n + "d"]);
            commands.Add(["audit", "list", "--limit", n]);
            commands.Add(["run", skill, "-i", inventory, "--input", "host=self", "--parallel", n]);
            commands.Add(["run", skill, "-i", inventory, "--input", "host=self", "--input", $"count={n}"]);
            commands.Add(["run", skill, "-i", inventory, "--input", "host=self", "--input", $"wait={n}{"smhd"[random.Next(4)]}"]);
        }
        var mutator = new DocumentMutator(random);
        var reportBytes = await File.ReadAllBytesAsync(report);
        var reports = Enumerable.Range(0, 150).Select(i =>
        {
            var broken = Path.Combine(temp.Path, $"report-{i:000}.json");
            File.WriteAllBytes(broken, mutator.Mutate(reportBytes));
            return broken;
        }).ToList();
        commands.AddRange(reports.Select(r => new[] { "rollback", r }));
        commands.AddRange(reports.Take(20).Select(r => new[] { "rollback", r, "--output", "json" }));
        commands.Add(["rollback", "/dev/zero"]);
        commands.Add(["rollback", temp.Path]);

        var failures = await EachAsync(commands, async args =>
        {
            var (code, output) = await Cli(args);
            return code == ExitCodes.InternalError ? $"exit 70: {output}"
                : output.Contains("   at ", StringComparison.Ordinal) || output.Contains("Exception:", StringComparison.Ordinal) ? $"a stack trace: {output}"
                : null;
        }, args => $"opsmith {string.Join(' ', args)}");

        AssertNone(failures);
    }

    private static async Task<(int Code, string Output)> Cli(string[] args)
    {
        var output = new StringWriter();
        using var stop = new CancellationTokenSource(Patience);
        var code = await OpsmithCli.RunAsync(args, output, output, stop.Token);
        return (code, output.ToString());
    }

    /// <summary>Texts people and scripts type where a number goes: huge, negative, zero, other digits, exponents, spaces, empty.</summary>
    private static List<string> NumberTexts(Random random, int count)
    {
        string[] fixedOnes =
        [
            "0", "-1", "1", "+5", "2147483647", "2147483648", "-2147483649", "9223372036854775808", "99999999999999999999999999999999",
            "1e9", "1e999", "NaN", "-0", "0x10", "1_000", "1,000", "1.5", " 7", "7 ", "", " ", "٣", "１２", "\u00A05", "5\u0000", "-", "--1",
        ];
        const string alphabet = "0123456789-+.,eE xX_٣１\u00A0";
        var texts = new List<string>(fixedOnes);
        while (texts.Count < count)
        {
            var length = random.Next(1, random.Next(2) == 0 ? 4 : 40);
            texts.Add(new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));
        }
        return texts.Take(count).ToList();
    }
}
