using System.Globalization;
using System.Text.RegularExpressions;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Skills;
using Opsmith.Core.Text;
using Opsmith.Core.Yaml;

namespace Opsmith.Lab.Bench;

/// <summary>
/// Reads a benchmark suite file (<c>kind: BenchSuite</c>) into a <see cref="BenchSuite"/>, reporting every problem
/// into the caller's <see cref="DiagnosticBag"/> in one pass: unknown keys (with did-you-mean), unknown faults and
/// fault params, duplicate ids, bad task types, answers that do not fit the task, and time limits out of range.
/// Defaults are applied here, so code past this point trusts the model. Returns a suite only when there are no errors.
/// </summary>
public static partial class BenchSuiteReader
{
    public const string Kind = "BenchSuite";

    /// <summary>The fault of a no-fault control: nothing is injected, and a correct agent finds nothing wrong.</summary>
    public const string NoFault = "none";

    /// <summary>The time limit of an instance when neither it nor the suite's defaults set one.</summary>
    public static readonly TimeSpan DefaultTimeLimit = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MinTimeLimit = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxTimeLimit = TimeSpan.FromHours(1);

    private const string SuiteContext = "the benchmark suite";
    private static readonly string[] SuiteKeys = ["apiVersion", "kind", "name", "description", "defaults", "instances"];
    private static readonly string[] DefaultKeys = ["time_limit", "host"];
    private static readonly string[] InstanceKeys = ["id", "fault", "host", "params", "task", "description", "expected", "time_limit"];
    private static readonly string[] ExpectedKeys = ["anomaly", "host", "fault"];

    /// <summary>What <c>defaults</c> gives every instance that does not set its own value.</summary>
    /// <param name="HostWritten">'defaults' has a host, even one too broken to use (already reported, so not again per instance).</param>
    private sealed record Defaults(string? Host, bool HostWritten, TimeSpan? TimeLimit);

    /// <param name="path">The suite file, kept in the model; <paramref name="diagnostics"/> names the file in messages.</param>
    /// <param name="faultParams">The faults the lab offers, each with the parameter names it accepts.</param>
    public static BenchSuite? Read(string path, string text, IReadOnlyDictionary<string, IReadOnlySet<string>> faultParams,
        DiagnosticBag diagnostics)
    {
        var root = YamlDocumentReader.Read(text, diagnostics);
        if (root is null) return null;
        var read = new NodeReader(diagnostics);
        var mapping = read.Mapping(root, "a benchmark suite file");
        if (mapping is null || !ReadHeader(read, mapping)) return null;
        var suite = new SuiteReading(read, faultParams).Read(mapping, path);
        return diagnostics.HasErrors ? null : suite;
    }

    /// <summary>False when the file is some other kind of document: its keys would only produce noise.</summary>
    private static bool ReadHeader(NodeReader read, YamlMapping root)
    {
        var apiVersion = read.String(root, "apiVersion", SuiteContext, required: true);
        if (apiVersion is not null && apiVersion != SkillReader.ApiVersion)
            read.Diagnostics.Error("bad-api-version", root["apiVersion"]!.Position,
                $"apiVersion is '{NodeReader.Truncate(apiVersion)}'; this Opsmith reads '{SkillReader.ApiVersion}'", "apiVersion",
                Suggestions.Closest(apiVersion, [SkillReader.ApiVersion]), Math.Max(1, apiVersion.Length));
        var kind = read.String(root, "kind", SuiteContext, required: true);
        if (kind is null || kind == Kind) return true;
        read.Diagnostics.Error("bad-kind", root["kind"]!.Position,
            $"kind is '{NodeReader.Truncate(kind)}', but a benchmark suite file has kind '{Kind}'", "kind",
            Suggestions.Closest(kind, [Kind]), Math.Max(1, kind.Length));
        return false;
    }

    private sealed class SuiteReading(NodeReader read, IReadOnlyDictionary<string, IReadOnlySet<string>> faults)
    {
        private readonly DiagnosticBag _diagnostics = read.Diagnostics;

        /// <summary>Each id seen so far, with the node that first used it.</summary>
        private readonly Dictionary<string, YamlNode> _ids = new(StringComparer.Ordinal);

        public BenchSuite Read(YamlMapping root, string path)
        {
            read.AllowOnly(root, SuiteContext, SuiteKeys);
            var name = read.String(root, "name", SuiteContext, required: true);
            read.Matches(root["name"], name, NodeReader.KebabName(), "suite name", "use lower-kebab-case such as standard or smoke-tests");
            var description = read.String(root, "description", SuiteContext);
            var defaults = ReadDefaults(read.Mapping(root["defaults"], "'defaults'"));
            var instances = ReadInstances(root, defaults);
            return new BenchSuite(name ?? "", description, instances, path);
        }

        private Defaults ReadDefaults(YamlMapping? node)
        {
            if (node is null) return new Defaults(null, false, null);
            const string context = "'defaults'";
            read.AllowOnly(node, context, DefaultKeys);
            return new Defaults(ReadHost(node, context), !IsAbsent(node["host"]), ReadTimeLimit(node, context));
        }

        private List<BenchInstance> ReadInstances(YamlMapping root, Defaults defaults)
        {
            var instances = new List<BenchInstance>();
            var entry = root.Find("instances");
            if (entry is null)
            {
                read.Required(root, "instances", SuiteContext);
                return instances;
            }
            var list = read.Sequence(entry.Value, "'instances'");
            if (list is null) return instances;
            if (list.Items.Count == 0)
            {
                _diagnostics.Error("empty-instances", entry.Key.Position,
                    "'instances' is empty; a suite needs at least one instance, each with an id, a fault, a host and a task",
                    "instances", length: entry.Key.Value.Length);
                return instances;
            }
            for (var i = 0; i < list.Items.Count; i++)
            {
                var instance = ReadInstance(list.Items[i], i + 1, defaults);
                if (instance is not null) instances.Add(instance);
            }
            return instances;
        }

        private BenchInstance? ReadInstance(YamlNode item, int number, Defaults defaults)
        {
            var node = read.Mapping(item, $"instance {number} of 'instances'");
            if (node is null) return null;

            var id = read.String(node, "id", $"instance {number}", required: true);
            var context = id is null ? $"instance {number}" : $"instance '{id}'";
            read.AllowOnly(node, context, InstanceKeys);
            if (read.Matches(node["id"], id, NodeReader.KebabName(), "instance id", "use lower-kebab-case such as crash-demo-node1-mitigation"))
                CheckUnique(node["id"]!, id!);

            var fault = read.String(node, "fault", context, required: true);
            var faultKnown = fault is not null && CheckFault(node["fault"]!, fault, $"'fault' in {context}");
            var host = IsAbsent(node["host"]) ? defaults.Host : ReadHost(node, context);
            if (IsAbsent(node["host"]) && !defaults.HostWritten)
                _diagnostics.Error("missing-field", node.Position,
                    $"{context} has no 'host', and 'defaults' sets none; add 'host: node1' (the host to inject the fault on) to the instance or to 'defaults'",
                    Join(node.Path, "host"));
            var parameters = ReadParams(node, context, faultKnown ? fault : null);
            var task = read.Enum<BenchTaskType>(node, "task", context, required: true);
            if (fault == NoFault && task is BenchTaskType.Localization or BenchTaskType.Diagnosis)
                _diagnostics.Error("control-task", node["task"]!.Position,
                    $"{context} is a no-fault control (fault: none), so there is nothing to {(task == BenchTaskType.Localization ? "locate" : "diagnose")}; " +
                    "a control can be a detection or a mitigation task", node["task"]!.Path, length: YamlNames.Of(task.Value).Length);
            var description = read.String(node, "description", context);
            var expected = ReadExpected(node, context, task, faultKnown ? fault : null, host);
            var timeLimit = IsAbsent(node["time_limit"]) ? defaults.TimeLimit ?? DefaultTimeLimit : ReadTimeLimit(node, context);

            if (id is null || fault is null || host is null || task is null || timeLimit is null) return null;
            return new BenchInstance(id, fault, host, parameters, task.Value, expected, timeLimit.Value, description, node.Position.Line);
        }

        private void CheckUnique(YamlNode idNode, string id)
        {
            if (_ids.TryAdd(id, idNode)) return;
            _diagnostics.Error("duplicate-id", idNode.Position,
                $"instance id '{id}' is already used by the instance at line {_ids[id].Position.Line}; give each instance its own id",
                idNode.Path, length: id.Length);
        }

        private bool CheckFault(YamlNode node, string fault, string what)
        {
            if (faults.ContainsKey(fault)) return true;
            var suggestion = Suggestions.Closest(fault, faults.Keys);
            var offered = suggestion is null ? $"; the lab offers {string.Join(", ", faults.Keys.Order(StringComparer.Ordinal))}" : "";
            _diagnostics.Error("unknown-fault", node.Position, $"{what} is '{NodeReader.Truncate(fault)}', which is not a fault the lab offers{offered}",
                node.Path, suggestion, Math.Max(1, fault.Length));
            return false;
        }

        private string? ReadHost(YamlMapping node, string context)
        {
            var host = read.String(node, "host", context);
            if (host is null || (host.Length > 0 && !host.Any(char.IsWhiteSpace))) return host;
            _diagnostics.Error("bad-value", node["host"]!.Position,
                $"'host' in {context} is '{NodeReader.Truncate(host)}'; a host is one name from the lab, such as node1", node["host"]!.Path);
            return null;
        }

        /// <param name="fault">The instance's fault when it is one the lab offers; its params are checked against it.</param>
        private Dictionary<string, string> ReadParams(YamlMapping node, string context, string? fault)
        {
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            if (read.Mapping(node["params"], $"'params' in {context}") is not { } paramsNode) return parameters;
            foreach (var entry in paramsNode.Entries)
            {
                var name = entry.Key.Value;
                if (fault is not null && !faults[fault].Contains(name)) UnknownParam(entry.Key, fault, context);
                if (entry.Value is YamlScalar { IsNull: true })
                {
                    _diagnostics.Error("missing-value", entry.Key.Position, $"param '{name}' in {context} has no value", entry.Key.Path,
                        length: Math.Max(1, name.Length));
                    continue;
                }
                // Scalars keep their text: 'threads: 4' and 'threads: "4"' both mean "4".
                var value = read.String(entry.Value, $"param '{name}' in {context}");
                if (value is not null) parameters[name] = value;
            }
            return parameters;
        }

        private void UnknownParam(YamlScalar key, string fault, string context)
        {
            var accepted = faults[fault].Order(StringComparer.Ordinal).ToList();
            var message = accepted.Count == 0
                ? $"fault '{fault}' takes no params, but {context} sets '{key.Value}'"
                : $"fault '{fault}' has no param '{key.Value}'";
            var suggestion = Suggestions.Closest(key.Value, accepted);
            if (accepted.Count > 0 && suggestion is null) message += $"; it takes {string.Join(", ", accepted)}";
            _diagnostics.Error("unknown-param", key.Position, message, key.Path, suggestion, Math.Max(1, key.Value.Length));
        }

        /// <summary>
        /// Each task type has one answer (mitigation none: its hidden check decides). A key meant for another task
        /// type is reported as such, because it usually means the task type is not what the author thinks.
        /// </summary>
        /// <param name="fault">The instance's fault when it is one the lab offers.</param>
        private BenchExpected ReadExpected(YamlMapping instance, string context, BenchTaskType? task, string? fault, string? host)
        {
            var none = new BenchExpected(null, null, null);
            var entry = instance.Find("expected");
            var what = $"'expected' in {context}";
            var expected = entry is null ? new YamlMapping(instance.Position, Join(instance.Path, "expected"), []) : read.Mapping(entry.Value, what);
            if (expected is null) return none;
            if (task is null)
            {
                read.AllowOnly(expected, what, ExpectedKeys);
                return none;
            }

            var taskName = YamlNames.Of(task.Value);
            string? answerKey = task switch
            {
                BenchTaskType.Detection => "anomaly",
                BenchTaskType.Localization => "host",
                BenchTaskType.Diagnosis => "fault",
                _ => null,
            };
            foreach (var key in expected.Entries.Select(e => e.Key).Where(k => k.Value != answerKey))
            {
                if (!ExpectedKeys.Contains(key.Value))
                    _diagnostics.Error("unknown-key", key.Position, $"unknown key '{key.Value}' in {what}", key.Path,
                        Suggestions.Closest(key.Value, answerKey is null ? [] : [answerKey]), Math.Max(1, key.Value.Length));
                else if (answerKey is null)
                    _diagnostics.Error("bad-field", key.Position,
                        $"{what} sets '{key.Value}', but a mitigation task has no expected answer (its hidden check decides); remove it",
                        key.Path, length: key.Value.Length);
                else
                    _diagnostics.Error("bad-field", key.Position,
                        $"{what} sets '{key.Value}', which a {taskName} task does not use; a {taskName} task expects only '{answerKey}'",
                        key.Path, length: key.Value.Length);
            }
            if (answerKey is null) return none;

            if (IsAbsent(expected[answerKey]))
            {
                var example = task switch
                {
                    BenchTaskType.Detection => $"anomaly: {(fault == NoFault ? "false" : "true")}",
                    BenchTaskType.Localization => $"host: {host ?? "node1"}",
                    _ => $"fault: {(fault is null or NoFault ? "service-crash" : fault)}",
                };
                _diagnostics.Error("missing-field", entry?.Key.Position ?? instance.Position,
                    $"{context} is a {taskName} task, so it needs 'expected: {{{example}}}'", Join(expected.Path, answerKey));
                return none;
            }
            return task switch
            {
                BenchTaskType.Detection => none with { Anomaly = ReadAnomaly(expected, what, context, fault) },
                BenchTaskType.Localization => none with { Host = read.String(expected, "host", what) },
                _ => none with { Fault = ReadExpectedFault(expected, what) },
            };
        }

        private bool? ReadAnomaly(YamlMapping expected, string what, string context, string? fault)
        {
            var anomaly = read.Bool(expected, "anomaly", what);
            if (anomaly is null || fault is null) return anomaly;
            var node = expected["anomaly"]!;
            if (fault == NoFault && anomaly.Value)
                _diagnostics.Error("control-anomaly", node.Position,
                    $"{context} injects no fault, and a no-fault control expects 'anomaly: false', not true", node.Path, length: 4);
            else if (fault != NoFault && !anomaly.Value)
                _diagnostics.Error("control-anomaly", node.Position,
                    $"{context} injects '{fault}', so it expects 'anomaly: true'; only a no-fault control (fault: none) expects false",
                    node.Path, length: 5);
            return anomaly;
        }

        private string? ReadExpectedFault(YamlMapping expected, string what)
        {
            var fault = read.String(expected, "fault", what);
            if (fault is null || !CheckFault(expected["fault"]!, fault, $"'fault' in {what}")) return null;
            if (fault != NoFault) return fault;
            var node = expected["fault"]!;
            _diagnostics.Error("bad-value", node.Position,
                $"'fault' in {what} is 'none', but a diagnosis names the fault that was injected", node.Path, length: fault.Length);
            return null;
        }

        /// <summary>Whole seconds or minutes (<c>90</c>, <c>90s</c>, <c>5m</c>), from 1s to 1h.</summary>
        private TimeSpan? ReadTimeLimit(YamlMapping mapping, string context)
        {
            var node = mapping["time_limit"];
            var text = read.String(node, $"'time_limit' in {context}");
            if (text is null) return null;
            var match = TimeLimitText().Match(text);
            if (!match.Success)
            {
                _diagnostics.Error("bad-duration", node!.Position,
                    $"'time_limit' in {context} is '{NodeReader.Truncate(text)}', which is not a time limit; write whole seconds or minutes, such as 90, 90s or 5m",
                    node.Path, length: Math.Max(1, text.Length));
                return null;
            }
            var unit = match.Groups[2].Value == "m" ? 60 : 1;
            var seconds = long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) &&
                          amount <= (long)MaxTimeLimit.TotalSeconds ? amount * unit : long.MaxValue;
            if (seconds >= MinTimeLimit.TotalSeconds && seconds <= MaxTimeLimit.TotalSeconds) return TimeSpan.FromSeconds(seconds);
            _diagnostics.Error("bad-duration", node!.Position,
                $"'time_limit' in {context} is '{NodeReader.Truncate(text)}'; a time limit must be between 1s and 1h (60m)",
                node.Path, length: text.Length);
            return null;
        }

        private static bool IsAbsent(YamlNode? node) => node is null or YamlScalar { IsNull: true };

        private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
    }

    [GeneratedRegex("^([0-9]+)(s|m)?$")]
    private static partial Regex TimeLimitText();
}
