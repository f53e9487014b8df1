using Opsmith.Core.Diagnostics;
using Opsmith.Lab.Bench;

namespace Opsmith.Lab.Tests.Bench;

public sealed class BenchSuiteReaderTests
{
    private const string SuiteFile = "bench/suites/standard.yaml";

    /// <summary>The faults the lab offers, with the params each accepts.</summary>
    private static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Faults = new Dictionary<string, IReadOnlySet<string>>
    {
        ["none"] = new HashSet<string>(),
        ["service-crash"] = new HashSet<string> { "service" },
        ["service-hang"] = new HashSet<string> { "service" },
        ["disk-full"] = new HashSet<string>(),
        ["log-explosion"] = new HashSet<string>(),
        ["network-partition"] = new HashSet<string> { "peer" },
        ["latency"] = new HashSet<string> { "rate" },
        ["nginx-bad-config"] = new HashSet<string>(),
        ["redis-paused"] = new HashSet<string>(),
        ["redis-oom"] = new HashSet<string>(),
        ["postgres-connections"] = new HashSet<string>(),
        ["cpu-hog"] = new HashSet<string> { "threads" },
        ["memory-hog"] = new HashSet<string> { "megabytes" },
        ["tls-expired"] = new HashSet<string>(),
        ["sshd-killed"] = new HashSet<string>(),
    };

    private const string FullSuite = """
        apiVersion: opsmith/v1
        kind: BenchSuite
        name: standard
        description: One instance of each task type, and a control.
        defaults: {time_limit: 60s, host: node1}
        instances:
          - id: crash-demo-node1-mitigation
            fault: service-crash
            params: {service: demo}
            task: mitigation
            description: Users report errors from the demo service.
            time_limit: 90s
          - id: control-node2-detection
            fault: none
            host: node2
            task: detection
            expected: {anomaly: false}
          - id: partition-node1-localization
            fault: network-partition
            params: {peer: node2}
            task: localization
            expected: {host: node1}
            time_limit: 5m
          - id: cpu-hog-node1-diagnosis
            fault: cpu-hog
            params: {threads: 4}
            task: diagnosis
            expected: {fault: cpu-hog}
            time_limit: 120
          - id: crash-demo-node1-detection
            fault: service-crash
            params: {service: demo}
            task: detection
            expected:
              anomaly: true
        """;

    /// <summary>Four lines, so the first line of a test's instances is line 5.</summary>
    private const string Header = "apiVersion: opsmith/v1\nkind: BenchSuite\nname: standard\ninstances:\n";

    // ---- reading a valid suite ----

    [Fact]
    public void A_full_suite_reads_every_instance_in_file_order()
    {
        var suite = ReadValid(FullSuite);

        Assert.Equal("standard", suite.Name);
        Assert.Equal("One instance of each task type, and a control.", suite.Description);
        Assert.Equal(SuiteFile, suite.Path);
        Assert.Equal(
            ["crash-demo-node1-mitigation", "control-node2-detection", "partition-node1-localization", "cpu-hog-node1-diagnosis", "crash-demo-node1-detection"],
            suite.Instances.Select(i => i.Id));
        Assert.Equal([7, 13, 18, 24, 30], suite.Instances.Select(i => i.Line));
    }

    [Fact]
    public void A_mitigation_instance_reads_with_defaults_applied_and_its_own_values_kept()
    {
        var instance = ReadValid(FullSuite).Instances[0];

        Assert.Equal(new BenchInstance("crash-demo-node1-mitigation", "service-crash", "node1",
            instance.Params, BenchTaskType.Mitigation, new BenchExpected(null, null, null), TimeSpan.FromSeconds(90),
            "Users report errors from the demo service.", 7), instance);
        Assert.Equal(new Dictionary<string, string> { ["service"] = "demo" }, instance.Params);
    }

    [Fact]
    public void A_detection_control_reads_with_its_own_host_and_the_default_time_limit()
    {
        var instance = ReadValid(FullSuite).Instances[1];

        Assert.Equal("none", instance.Fault);
        Assert.Equal("node2", instance.Host);
        Assert.Equal(BenchTaskType.Detection, instance.Task);
        Assert.Equal(new BenchExpected(false, null, null), instance.Expected);
        Assert.Equal(TimeSpan.FromSeconds(60), instance.TimeLimit);
        Assert.Empty(instance.Params);
        Assert.Null(instance.Description);
    }

    [Fact]
    public void Localization_and_diagnosis_read_their_expected_answers_and_minute_and_plain_second_limits()
    {
        var instances = ReadValid(FullSuite).Instances;

        Assert.Equal(new BenchExpected(null, "node1", null), instances[2].Expected);
        Assert.Equal(TimeSpan.FromMinutes(5), instances[2].TimeLimit);
        Assert.Equal(new BenchExpected(null, null, "cpu-hog"), instances[3].Expected);
        Assert.Equal(TimeSpan.FromSeconds(120), instances[3].TimeLimit);
        Assert.Equal(new BenchExpected(true, null, null), instances[4].Expected);
    }

    [Fact]
    public void A_numeric_param_keeps_its_text()
    {
        var instance = ReadValid(FullSuite).Instances[3];

        Assert.Equal(new Dictionary<string, string> { ["threads"] = "4" }, instance.Params);
    }

    [Fact]
    public void Without_defaults_the_time_limit_is_the_readers_default()
    {
        var suite = ReadValid(Header + "  - {id: a, fault: disk-full, host: node1, task: mitigation}\n");

        Assert.Equal(BenchSuiteReader.DefaultTimeLimit, suite.Instances[0].TimeLimit);
    }

    [Fact]
    public void A_no_fault_control_may_be_a_mitigation_task_with_an_empty_expected()
    {
        var suite = ReadValid(Header + "  - {id: control, fault: none, host: node1, task: mitigation, expected: {}}\n");

        Assert.Equal(new BenchExpected(null, null, null), suite.Instances[0].Expected);
    }

    // ---- one error each ----

    [Fact]
    public void An_unknown_top_level_key_is_reported_with_a_suggestion()
    {
        var yaml = Header.Replace("name: standard", "name: standard\ndescripton: typo") + "  - {id: a, fault: none, host: node1, task: mitigation}\n";

        AssertOnly(yaml, "4:1: error: unknown key 'descripton' in the benchmark suite; did you mean 'description'?");
    }

    [Fact]
    public void An_unknown_fault_is_reported_with_a_suggestion()
    {
        var yaml = Header + "  - {id: a, fault: service-crsh, host: node1, task: mitigation}\n";

        AssertOnly(yaml, "5:20: error: 'fault' in instance 'a' is 'service-crsh', which is not a fault the lab offers; did you mean 'service-crash'?");
    }

    [Fact]
    public void A_duplicate_id_is_reported_at_the_second_naming_the_first_line()
    {
        var yaml = Header + """
              - id: crash
                fault: service-crash
                task: mitigation
                host: node1
              - id: crash
                fault: disk-full
                task: mitigation
                host: node1

            """;

        AssertOnly(yaml, "9:9: error: instance id 'crash' is already used by the instance at line 5; give each instance its own id");
    }

    [Fact]
    public void A_bad_task_type_is_reported_with_a_suggestion()
    {
        var yaml = Header + "  - {id: a, fault: disk-full, host: node1, task: mitigate}\n";

        AssertOnly(yaml,
            "5:50: error: 'task' in instance 'a' must be one of detection, localization, diagnosis, mitigation, not 'mitigate'; did you mean 'mitigation'?");
    }

    [Fact]
    public void A_localization_without_an_expected_host_is_reported()
    {
        var yaml = Header + "  - id: a\n    fault: disk-full\n    host: node1\n    task: localization\n    expected: {}\n";

        AssertOnly(yaml, "9:5: error: instance 'a' is a localization task, so it needs 'expected: {host: node1}'");
    }

    [Fact]
    public void A_detection_without_expected_is_reported_at_the_instance()
    {
        var yaml = Header + "  - {id: a, fault: disk-full, host: node1, task: detection}\n";

        AssertOnly(yaml, "5:5: error: instance 'a' is a detection task, so it needs 'expected: {anomaly: true}'");
    }

    [Fact]
    public void A_no_fault_control_that_expects_an_anomaly_is_reported()
    {
        var yaml = Header + "  - {id: a, fault: none, host: node1, task: detection, expected: {anomaly: true}}\n";

        AssertOnly(yaml,
            "5:76: error: instance 'a' injects no fault, and a no-fault control expects 'anomaly: false', not true");
    }

    [Fact]
    public void A_fault_that_expects_no_anomaly_is_reported()
    {
        var yaml = Header + "  - {id: a, fault: disk-full, host: node1, task: detection, expected: {anomaly: false}}\n";

        AssertOnly(yaml,
            "5:81: error: instance 'a' injects 'disk-full', so it expects 'anomaly: true'; only a no-fault control (fault: none) expects false");
    }

    [Theory]
    [InlineData("90x", "'time_limit' in instance 'a' is '90x', which is not a time limit; write whole seconds or minutes, such as 90, 90s or 5m")]
    [InlineData("1h", "'time_limit' in instance 'a' is '1h', which is not a time limit; write whole seconds or minutes, such as 90, 90s or 5m")]
    [InlineData("0s", "'time_limit' in instance 'a' is '0s'; a time limit must be between 1s and 1h (60m)")]
    [InlineData("61m", "'time_limit' in instance 'a' is '61m'; a time limit must be between 1s and 1h (60m)")]
    [InlineData("99999999999999999999", "'time_limit' in instance 'a' is '99999999999999999999'; a time limit must be between 1s and 1h (60m)")]
    public void A_bad_time_limit_is_reported(string limit, string message)
    {
        var yaml = Header + $"  - id: a\n    fault: disk-full\n    host: node1\n    task: mitigation\n    time_limit: {limit}\n";

        AssertOnly(yaml, $"9:17: error: {message}");
    }

    [Fact]
    public void A_time_limit_of_exactly_an_hour_is_allowed()
    {
        var suite = ReadValid(Header + "  - {id: a, fault: disk-full, host: node1, task: mitigation, time_limit: 60m}\n");

        Assert.Equal(TimeSpan.FromHours(1), suite.Instances[0].TimeLimit);
    }

    [Fact]
    public void A_param_the_fault_does_not_take_is_reported_with_a_suggestion()
    {
        var yaml = Header + "  - {id: a, fault: service-crash, host: node1, task: mitigation, params: {servce: demo}}\n";

        AssertOnly(yaml, "5:75: error: fault 'service-crash' has no param 'servce'; did you mean 'service'?");
    }

    [Fact]
    public void A_param_on_a_fault_without_params_is_reported()
    {
        var yaml = Header + "  - {id: a, fault: disk-full, host: node1, task: mitigation, params: {size: 10G}}\n";

        AssertOnly(yaml, "5:71: error: fault 'disk-full' takes no params, but instance 'a' sets 'size'");
    }

    [Fact]
    public void A_wrong_kind_is_reported_and_the_rest_is_not_read()
    {
        var yaml = Header.Replace("kind: BenchSuite", "kind: TaskCard") + "  - nonsense\n";

        AssertOnly(yaml, "2:7: error: kind is 'TaskCard', but a benchmark suite file has kind 'BenchSuite'");
    }

    [Theory]
    [InlineData("instances: []\n")]
    [InlineData("instances:\n")]
    public void Empty_instances_are_reported(string instances)
    {
        var yaml = Header.Replace("instances:\n", instances);

        AssertOnly(yaml, "4:1: error: 'instances' is empty; a suite needs at least one instance, each with an id, a fault, a host and a task");
    }

    [Fact]
    public void An_instance_that_is_not_a_mapping_is_reported()
    {
        var yaml = Header + "  - crash-demo\n";

        AssertOnly(yaml, "5:5: error: instance 1 of 'instances' must be a mapping (key: value lines), not 'crash-demo'");
    }

    // ---- more rules ----

    [Fact]
    public void An_unknown_instance_key_is_reported_with_a_suggestion()
    {
        var yaml = Header + "  - {id: a, fault: disk-full, host: node1, task: mitigation, time_limt: 30s}\n";

        AssertOnly(yaml, "5:62: error: unknown key 'time_limt' in instance 'a'; did you mean 'time_limit'?");
    }

    [Fact]
    public void An_unknown_fault_without_a_close_match_lists_the_faults()
    {
        var yaml = Header + "  - {id: a, fault: meteor, host: node1, task: mitigation}\n";

        AssertOnly(yaml, "5:20: error: 'fault' in instance 'a' is 'meteor', which is not a fault the lab offers; the lab offers " +
            "cpu-hog, disk-full, latency, log-explosion, memory-hog, network-partition, nginx-bad-config, none, postgres-connections, " +
            "redis-oom, redis-paused, service-crash, service-hang, sshd-killed, tls-expired");
    }

    [Fact]
    public void A_missing_host_without_a_default_is_reported()
    {
        var yaml = Header + "  - {id: a, fault: disk-full, task: mitigation}\n";

        AssertOnly(yaml,
            "5:5: error: instance 'a' has no 'host', and 'defaults' sets none; add 'host: node1' (the host to inject the fault on) to the instance or to 'defaults'");
    }

    [Fact]
    public void A_broken_default_host_is_reported_once_not_again_for_each_instance()
    {
        var yaml = Header.Replace("instances:", "defaults: {host: \"node 1\"}\ninstances:") +
                   "  - {id: a, fault: disk-full, task: mitigation}\n  - {id: b, fault: disk-full, task: mitigation}\n";

        AssertOnly(yaml, "4:18: error: 'host' in 'defaults' is 'node 1'; a host is one name from the lab, such as node1");
    }

    [Fact]
    public void An_unknown_key_in_defaults_is_reported_with_a_suggestion()
    {
        var yaml = Header.Replace("instances:", "defaults: {timelimit: 30s}\ninstances:") +
                   "  - {id: a, fault: disk-full, host: node1, task: mitigation}\n";

        AssertOnly(yaml, "4:12: error: unknown key 'timelimit' in 'defaults'; did you mean 'time_limit'?");
    }

    [Fact]
    public void A_no_fault_control_cannot_be_a_localization_task()
    {
        var yaml = Header + "  - {id: a, fault: none, host: node1, task: localization, expected: {host: node1}}\n";

        AssertOnly(yaml,
            "5:45: error: instance 'a' is a no-fault control (fault: none), so there is nothing to locate; a control can be a detection or a mitigation task");
    }

    [Fact]
    public void An_expected_key_meant_for_another_task_type_is_reported()
    {
        var yaml = Header + "  - {id: a, fault: disk-full, host: node1, task: mitigation, expected: {host: node1}}\n";

        AssertOnly(yaml,
            "5:73: error: 'expected' in instance 'a' sets 'host', but a mitigation task has no expected answer (its hidden check decides); remove it");
    }

    [Fact]
    public void A_diagnosis_must_expect_a_known_fault()
    {
        var yaml = Header + "  - {id: a, fault: disk-full, host: node1, task: diagnosis, expected: {fault: disk-ful}}\n";

        AssertOnly(yaml, "5:79: error: 'fault' in 'expected' in instance 'a' is 'disk-ful', which is not a fault the lab offers; did you mean 'disk-full'?");
    }

    [Fact]
    public void Every_problem_in_a_file_is_reported_in_one_pass()
    {
        var yaml = """
            apiVersion: opsmith/v2
            kind: BenchSuite
            name: Standard
            instances:
              - {id: a, fault: service-crsh, host: node1, task: fix}
              - {id: a, fault: disk-full, task: detection, time_limit: 2h}
            """;

        Assert.Equal(
        [
            "1:13: error: apiVersion is 'opsmith/v2'; this Opsmith reads 'opsmith/v1'; did you mean 'opsmith/v1'?",
            "3:7: error: suite name 'Standard' is not valid: use lower-kebab-case such as standard or smoke-tests",
            "5:20: error: 'fault' in instance 'a' is 'service-crsh', which is not a fault the lab offers; did you mean 'service-crash'?",
            "5:53: error: 'task' in instance 'a' must be one of detection, localization, diagnosis, mitigation, not 'fix'",
            "6:5: error: instance 'a' has no 'host', and 'defaults' sets none; add 'host: node1' (the host to inject the fault on) to the instance or to 'defaults'",
            "6:5: error: instance 'a' is a detection task, so it needs 'expected: {anomaly: true}'",
            "6:10: error: instance id 'a' is already used by the instance at line 5; give each instance its own id",
            "6:60: error: 'time_limit' in instance 'a' is '2h', which is not a time limit; write whole seconds or minutes, such as 90, 90s or 5m",
        ], Problems(yaml));
    }

    // ---- the suites in the repository ----

    [Fact]
    public void Every_suite_in_bench_suites_reads_without_problems()
    {
        var folder = Path.Combine(RepositoryRoot(), "bench", "suites");
        if (!Directory.Exists(folder)) return; // no suites written yet

        foreach (var file in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var diagnostics = new DiagnosticBag(file);
            var suite = BenchSuiteReader.Read(file, File.ReadAllText(file), Faults, diagnostics);

            Assert.True(suite is not null && diagnostics.Items.Count == 0,
                string.Join("\n", diagnostics.Sorted().Select(d => d.ToLine()).DefaultIfEmpty($"{file}: no suite")));
        }
    }

    /// <summary>
    /// A few thousand suites broken the way files break (fixed seed, so a failure reproduces): every problem is a
    /// diagnostic naming the file and a real line, never an exception; a hang fails through a generous timeout.
    /// </summary>
    [Fact]
    public async Task Mutated_suites_give_diagnostics_with_a_file_and_a_real_line_and_never_an_exception()
    {
        var seeds = new[] { FullSuite, File.ReadAllText(Path.Combine(RepositoryRoot(), SuiteFile)) };
        var random = new Random(20261130);
        var inputs = Enumerable.Range(0, 3000).Select(i => SuiteMutations.Mutate(seeds[i % seeds.Length], random)).ToList();
        var current = -1;
        var failures = new List<string>();

        var work = Task.Run(() =>
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                current = i;
                var lines = inputs[i].Split('\n').Length;
                try
                {
                    var (suite, diagnostics) = Read(inputs[i]);
                    failures.AddRange(diagnostics.Items
                        .Where(d => d.File != SuiteFile || d.Position.Line < 1 || d.Position.Column < 1 || d.Position.Line > lines + 1)
                        .Select(d => $"input {i}: diagnostic outside the file: {d.ToLine()}"));
                    if (suite is null && !diagnostics.HasErrors) failures.Add($"input {i}: no suite and no error");
                }
                catch (Exception e)
                {
                    failures.Add($"input {i}: {e.GetType().Name}: {e.Message}\n{inputs[i][..Math.Min(400, inputs[i].Length)]}");
                }
            }
        });
        var finished = await Task.WhenAny(work, Task.Delay(TimeSpan.FromMinutes(3)));

        Assert.True(finished == work, $"reading did not end; stuck on input {current}:\n{inputs[Math.Max(0, current)]}");
        await work;
        Assert.True(failures.Count == 0, $"{failures.Count} failures, the first ones:\n{string.Join('\n', failures.Take(10))}");
    }

    /// <summary>Text mutations of a suite: huge numbers and durations, truncation, odd characters, tabs, nesting, aliases.</summary>
    private static class SuiteMutations
    {
        private static readonly string[] Pieces =
        [
            "999999999999999999999s", "99999999999999999999m", "1e999", "-1", "0", ".nan", "\uFEFF", "\u202E", "\U0001F525", "\t", "\0",
            "&a ", "*a", "*nope", "<<: *a", "{", "[", "}", "]", "- ", ": ", "? ", "|", "'", "\"", "#", "---\n", "\n\t\n",
            "[" + new string('[', 150), "{{ target.x }}", "none", "service-crash", "mitigation", "detection", "node1",
        ];

        public static string Mutate(string text, Random random)
        {
            for (var round = 0; round < 1 + random.Next(3); round++)
            {
                var lines = text.Split('\n').ToList();
                var line = random.Next(lines.Count);
                var piece = Pieces[random.Next(Pieces.Length)];
                switch (random.Next(7))
                {
                    case 0: text = text[..random.Next(text.Length + 1)]; continue;
                    case 1:
                        var colon = lines[line].IndexOf(": ", StringComparison.Ordinal);
                        lines[line] = colon >= 0 ? lines[line][..(colon + 2)] + piece : lines[line] + piece;
                        break;
                    case 2: lines.Insert(line, lines[line]); break;
                    case 3: lines[line] = new string(' ', random.Next(10)) + lines[line].TrimStart(); break;
                    case 4: lines[line] = "\t" + lines[line]; break;
                    default:
                        var at = random.Next(lines[line].Length + 1);
                        lines[line] = lines[line][..at] + piece + lines[line][at..];
                        break;
                }
                text = string.Join('\n', lines);
            }
            return text;
        }
    }

    private static (BenchSuite? Suite, DiagnosticBag Diagnostics) Read(string yaml)
    {
        var diagnostics = new DiagnosticBag(SuiteFile);
        return (BenchSuiteReader.Read(SuiteFile, yaml, Faults, diagnostics), diagnostics);
    }

    private static BenchSuite ReadValid(string yaml)
    {
        var (suite, diagnostics) = Read(yaml);
        Assert.Empty(diagnostics.Items.Select(d => d.ToLine()));
        return suite!;
    }

    private static void AssertOnly(string yaml, string expected) => Assert.Equal([expected], Problems(yaml));

    /// <summary>Every problem as <c>line:col: error: message</c>, after checking that no suite came back.</summary>
    private static List<string> Problems(string yaml)
    {
        var (suite, diagnostics) = Read(yaml);
        Assert.Null(suite);
        return diagnostics.Sorted()
            .Select(d => $"{d.Position.Line}:{d.Position.Column}: {(d.IsError ? "error" : "warning")}: {d.Message}")
            .ToList();
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Opsmith.slnx"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Opsmith.slnx)");
    }
}
