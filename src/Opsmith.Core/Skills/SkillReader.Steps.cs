using System.Text.RegularExpressions;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Text;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Skills;

public sealed partial class SkillReader
{
    private static readonly string[] ProbeKinds = ["run", "http", "tcp", "prometheus"];
    /// <summary>
    /// A check only looks: it may not change anything, so it may only GET or HEAD. A request that changes
    /// something is an action, which runs through the executor (policy, audit, kill switch).
    /// </summary>
    private static readonly string[] HttpMethods = ["GET", "HEAD"];

    private static readonly string[] ChangingHttpMethods = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"];

    private IReadOnlyList<CheckStep> ReadChecks(YamlMapping spec, string section)
    {
        var sequence = _read.Sequence(spec[section], $"'{section}' in spec");
        if (sequence is null) return [];
        var checks = new List<CheckStep>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var context = $"{Singular(section)} {i + 1}";
            var node = _read.Mapping(sequence.Items[i], context);
            if (node is null) continue;
            var name = ReadStepName(node, Singular(section), ref context);
            _read.AllowOnly(node, context, ["name", "description", "run", "expect", "http", "tcp", "prometheus", "retry", "timeout"]);
            var probe = ReadProbe(node, context);
            var retry = ReadRetry(_read.Mapping(node["retry"], $"'retry' in {context}"), context);
            var timeout = _read.Duration(node, "timeout", context);
            RegisterStep(node, name, section, probe?.ResultFields ?? RunProbe.Fields);
            if (name is not null && probe is not null)
                checks.Add(new CheckStep(name, probe, retry, timeout, node.Position));
        }
        return checks;
    }

    /// <summary>Reads a step's name; <paramref name="context"/> becomes "action 'reload'" once the name is known.</summary>
    private string? ReadStepName(YamlMapping node, string label, ref string context)
    {
        var name = _read.String(node, "name", context, required: true);
        _read.Matches(node["name"], name, NodeReader.KebabName(), "step name", "use lower-kebab-case such as check-port");
        if (name is not null) context = $"{label} '{name}'";
        return name;
    }

    private Probe? ReadProbe(YamlMapping node, string context)
    {
        var kinds = ProbeKinds.Where(k => node[k] is not null).ToList();
        if (kinds.Count == 0)
        {
            _diagnostics.Error("missing-probe", node.Position,
                $"{context} must say what to check: one of {string.Join(", ", ProbeKinds)}", node.Path);
            return null;
        }
        if (kinds.Count > 1)
        {
            _diagnostics.Error("several-probes", node.Find(kinds[1])!.Key.Position,
                $"{context} has both '{kinds[0]}' and '{kinds[1]}'; a check has exactly one kind", node.Path);
            return null;
        }
        if (kinds[0] != "run" && node["expect"] is not null)
            _diagnostics.Error("bad-field", node.Find("expect")!.Key.Position,
                $"'expect' at step level belongs to 'run' checks; put it inside '{kinds[0]}'", node.Path);

        return kinds[0] switch
        {
            "run" => ReadRunProbe(node, context),
            "http" => ReadHttpProbe(_read.Mapping(node["http"], $"'http' in {context}"), context),
            "tcp" => ReadTcpProbe(_read.Mapping(node["tcp"], $"'tcp' in {context}"), context),
            _ => ReadPrometheusProbe(_read.Mapping(node["prometheus"], $"'prometheus' in {context}"), context),
        };
    }

    private RunProbe? ReadRunProbe(YamlMapping node, string context)
    {
        var command = ReadCommand(node, "run", context, required: true);
        var expectNode = _read.Mapping(node["expect"], $"'expect' in {context}");
        var expect = RunExpectation.Success;
        if (expectNode is not null)
        {
            var where = $"'expect' in {context}";
            _read.AllowOnly(expectNode, where, "exit_code", "stdout_contains", "stdout_not_contains", "stdout_matches", "json");
            var matches = TemplatedString(expectNode, "stdout_matches", where);
            if (matches is not null)
            {
                try { _ = new Regex(matches, RegexOptions.None, TimeSpan.FromSeconds(1)); }
                catch (ArgumentException e)
                {
                    _diagnostics.Error("bad-regex", expectNode["stdout_matches"]!.Position,
                        $"'stdout_matches' in {context} is not a valid regular expression: {e.Message}", expectNode["stdout_matches"]!.Path);
                }
            }
            expect = new RunExpectation(
                _read.Int(expectNode, "exit_code", where, 0, 255) ?? 0,
                TemplatedString(expectNode, "stdout_contains", where),
                TemplatedString(expectNode, "stdout_not_contains", where),
                matches,
                ReadJsonExpectation(_read.Mapping(expectNode["json"], $"'json' in {where}"), context));
        }
        return command is null ? null : new RunProbe(command, expect);
    }

    private JsonExpectation? ReadJsonExpectation(YamlMapping? node, string context)
    {
        if (node is null) return null;
        var where = $"'json' in the expectation of {context}";
        _read.AllowOnly(node, where, "path", "equals", "below", "above");
        var path = _read.String(node, "path", where, required: true);
        var comparison = ReadComparison(node, where, out var valueNode);
        var value = _read.String(valueNode, $"the value in {where}");
        if (comparison is not Comparison.Equals && valueNode is not null) _read.Number(valueNode, $"the value in {where}");
        return path is null || comparison is null || value is null ? null : new JsonExpectation(path, comparison.Value, value);
    }

    /// <summary>Exactly one of equals / below / above.</summary>
    private Comparison? ReadComparison(YamlMapping node, string where, out YamlNode? valueNode)
    {
        var present = YamlNames.All<Comparison>().Where(k => node[k] is not null).ToList();
        valueNode = null;
        if (present.Count != 1)
        {
            _diagnostics.Error(present.Count == 0 ? "missing-field" : "bad-field", node.Position,
                $"{where} needs exactly one of equals, below or above", node.Path);
            return null;
        }
        valueNode = node[present[0]];
        YamlNames.TryParse<Comparison>(present[0], out var comparison);
        return comparison;
    }

    private HttpProbe? ReadHttpProbe(YamlMapping? node, string context)
    {
        if (node is null) return null;
        var where = $"'http' in {context}";
        _read.AllowOnly(node, where, "url", "method", "expect_status", "body_contains", "from");
        var url = TemplatedString(node, "url", where, required: true);
        CheckUrl(node, url, context);
        var method = _read.String(node, "method", where) ?? "GET";
        if (ChangingHttpMethods.Contains(method.ToUpperInvariant()))
            _diagnostics.Error("check-changes-state", node["method"]!.Position,
                $"method in {context} is {method}, which can change something; a check may only look (GET or HEAD). " +
                "Make the request an action (for example: run: curl -fsS -X " + method.ToUpperInvariant() + " …) so the policy decides and the audit trail records it",
                node["method"]!.Path);
        else if (!HttpMethods.Contains(method))
            _diagnostics.Error("bad-value", node["method"]!.Position,
                $"method in {context} must be one of {string.Join(", ", HttpMethods)}, not '{method}'", node["method"]!.Path,
                Suggestions.Closest(method.ToUpperInvariant(), HttpMethods));
        var status = _read.Int(node, "expect_status", where, 100, 599) ?? 200;
        var body = TemplatedString(node, "body_contains", where);
        return url is null ? null : new HttpProbe(url, method, status, body) { From = _read.Enum<CheckVantage>(node, "from", where) };
    }

    private void CheckUrl(YamlMapping node, string? url, string context)
    {
        if (url is not null && !url.StartsWith("{{", StringComparison.Ordinal) &&
            !url.StartsWith("http://", StringComparison.Ordinal) && !url.StartsWith("https://", StringComparison.Ordinal))
            _diagnostics.Error("bad-url", node["url"]!.Position, $"url in {context} must start with http:// or https://, not '{url}'", node["url"]!.Path);
    }

    private TcpProbe? ReadTcpProbe(YamlMapping? node, string context)
    {
        if (node is null) return null;
        var where = $"'tcp' in {context}";
        _read.AllowOnly(node, where, "host", "port", "expect", "from");
        var host = TemplatedString(node, "host", where, required: true);
        var port = TemplatedString(node, "port", where, required: true);
        if (port is not null && !port.Contains("{{") && (!int.TryParse(port, out var number) || number is < 1 or > 65535))
            _diagnostics.Error("out-of-range", node["port"]!.Position, $"port in {context} must be 1-65535 or a template, not '{port}'", node["port"]!.Path);
        var expect = _read.Enum<TcpExpectation>(node, "expect", where) ?? TcpExpectation.Open;
        var from = _read.Enum<CheckVantage>(node, "from", where);
        return host is null || port is null ? null : new TcpProbe(host, port, expect) { From = from };
    }

    private PrometheusProbe? ReadPrometheusProbe(YamlMapping? node, string context)
    {
        if (node is null) return null;
        var where = $"'prometheus' in {context}";
        _read.AllowOnly(node, where, "url", "query", "expect", "from");
        var url = TemplatedString(node, "url", where, required: true);
        CheckUrl(node, url, context);
        var query = TemplatedString(node, "query", where, required: true);
        var expectNode = _read.Mapping(_read.Required(node, "expect", where), $"'expect' in {where}");
        Comparison? comparison = null;
        double? value = null;
        if (expectNode is not null)
        {
            _read.AllowOnly(expectNode, $"'expect' in {where}", "equals", "below", "above");
            comparison = ReadComparison(expectNode, $"'expect' in {where}", out var valueNode);
            value = _read.Number(valueNode, $"the value in 'expect' of {where}");
        }
        var from = _read.Enum<CheckVantage>(node, "from", where);
        return url is null || query is null || comparison is null || value is null
            ? null
            : new PrometheusProbe(url, query, comparison.Value, value.Value) { From = from };
    }

    private RetryPolicy? ReadRetry(YamlMapping? node, string context)
    {
        if (node is null) return null;
        var where = $"'retry' in {context}";
        _read.AllowOnly(node, where, "attempts", "interval", "deadline");
        var attempts = _read.Int(node, "attempts", where, 1, 1000, required: true);
        var interval = _read.Duration(node, "interval", where) ?? TimeSpan.FromSeconds(1);
        var deadline = _read.Duration(node, "deadline", where);
        return attempts is null ? null : new RetryPolicy(attempts.Value, interval, deadline);
    }

    private IReadOnlyList<ActionStep> ReadActions(YamlMapping spec, RiskTier skillRisk)
    {
        var sequence = _read.Sequence(_read.Required(spec, "actions", "spec"), "'actions' in spec");
        if (sequence is null) return [];
        if (sequence.Items.Count == 0)
            _diagnostics.Error("missing-field", sequence.Position, "'actions' in spec is empty; a skill needs at least one action", sequence.Path);
        var actions = new List<ActionStep>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var context = $"action {i + 1}";
            var node = _read.Mapping(sequence.Items[i], context);
            if (node is null) continue;
            var name = ReadStepName(node, "action", ref context);
            _read.AllowOnly(node, context, "name", "description", "run", "risk", "timeout", "on_failure", "check", "when");
            var risk = _read.Enum<RiskTier>(node, "risk", context);
            var run = ReadCommand(node, "run", context, required: true, declared: risk ?? skillRisk);
            var timeout = _read.Duration(node, "timeout", context);
            var onFailure = _read.Enum<FailurePolicy>(node, "on_failure", context) ?? FailurePolicy.Abort;
            var check = ReadCommand(node, "check", context, required: false, declared: RiskTier.Read);
            // Read before the step is registered: a condition looks only at steps that ran before it.
            var when = node["when"] is { } whenNode ? ReadCondition(whenNode, context, forAction: true, new HashSet<string>()) : null;
            RegisterStep(node, name, "actions", RunProbe.Fields);
            if (name is not null && run is not null)
                actions.Add(new ActionStep(name, run, risk ?? skillRisk, risk is not null, timeout, onFailure, check, node.Position) { When = when });
        }
        return actions;
    }

    private RollbackPlan ReadRollback(YamlMapping spec)
    {
        var node = spec["rollback"];
        switch (node)
        {
            case null:
                return RollbackPlan.Missing;
            case YamlScalar { Value: "none" } scalar:
                _diagnostics.Error("rollback-none-needs-reason", scalar.Position,
                    "'rollback: none' needs a reason: write 'rollback: {none: true, reason: \"why nothing needs undoing\"}'", scalar.Path);
                return RollbackPlan.Missing;
            case YamlMapping mapping:
            {
                const string where = "'rollback'";
                _read.AllowOnly(mapping, where, "none", "reason");
                var none = _read.Bool(mapping, "none", where);
                var reason = _read.String(mapping, "reason", where);
                if (none != true)
                    _diagnostics.Error("bad-rollback", mapping.Position,
                        "'rollback' is either a list of steps or {none: true, reason: ...}", mapping.Path);
                else if (string.IsNullOrWhiteSpace(reason))
                    _diagnostics.Error("rollback-none-needs-reason", mapping.Position,
                        "'rollback: {none: true}' needs a 'reason' saying why nothing needs undoing", mapping.Path);
                return reason is null ? RollbackPlan.Missing : new RollbackPlan([], reason);
            }
        }
        var sequence = _read.Sequence(node, "'rollback' in spec");
        if (sequence is null) return RollbackPlan.Missing;
        var steps = new List<RollbackStep>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var context = $"rollback {i + 1}";
            var item = _read.Mapping(sequence.Items[i], context);
            if (item is null) continue;
            var name = ReadStepName(item, "rollback step", ref context);
            _read.AllowOnly(item, context, "name", "description", "run", "timeout");
            var run = ReadCommand(item, "run", context, required: true, inRollback: true, declared: _skillRisk);
            var timeout = _read.Duration(item, "timeout", context);
            RegisterStep(item, name, "rollback", RunProbe.Fields);
            if (name is not null && run is not null) steps.Add(new RollbackStep(name, run, timeout, item.Position));
        }
        return new RollbackPlan(steps, null);
    }

    /// <summary>A shell command: text, templates checked, and remembered for shellcheck.</summary>
    private string? ReadCommand(YamlMapping node, string key, string context, bool required, bool inRollback = false,
        RiskTier declared = RiskTier.Read)
    {
        var command = _read.String(node, key, context, required);
        if (command is null) return null;
        var scalar = (YamlScalar)node[key]!;
        if (string.IsNullOrWhiteSpace(command))
        {
            _diagnostics.Error("empty-command", scalar.Position, $"'{key}' in {context} is empty", scalar.Path);
            return null;
        }
        CheckTemplate(scalar, allowSteps: true, inRollback);
        CheckTemplatesStandUnquoted(scalar, context);
        _commands.Add(new CommandSource(scalar, context, NumericInputs(), declared));
        return command;
    }

    /// <summary>A template inside quotes or a here-document would undo the quoting that makes inputs safe.</summary>
    private void CheckTemplatesStandUnquoted(YamlScalar scalar, string context)
    {
        var parsed = Templates.TemplateText.Parse(scalar.Value);
        if (parsed.Errors.Count > 0) return;
        foreach (var reference in parsed.References)
        {
            var where = Templates.ShellQuoting.ContextAt(scalar.Value, reference.Offset) switch
            {
                Templates.QuoteContext.SingleQuotes => "inside single quotes",
                Templates.QuoteContext.DoubleQuotes => "inside double quotes",
                Templates.QuoteContext.HereDocument => "inside a here-document",
                Templates.QuoteContext.Comment => "inside a comment (a newline in the value would start a command)",
                Templates.QuoteContext.AfterDollarOrBackslash => "right after $ or \\ (which would change how its quotes are read)",
                _ => null,
            };
            if (where is null) continue;
            _diagnostics.Error("template-in-quotes", _locator.Locate(scalar, reference.Offset),
                $"'{{{{ {reference.Dotted} }}}}' stands {where} in {context}; Opsmith already shell-quotes every value, and quoting it again " +
                "would let the value break out (or show its quotes). Write it bare, or assign it first: v={{ ... }}; then use \"$v\"",
                scalar.Path, length: reference.Length);
        }
    }

    /// <summary>Inputs whose values are whole numbers: linters see a number in their place.</summary>
    private IReadOnlySet<string> NumericInputs() => _inputs.Where(i => i.Type == InputType.Int).Select(i => i.Name).ToHashSet();

    private string? TemplatedString(YamlMapping node, string key, string context, bool required = false)
    {
        var text = _read.String(node, key, context, required);
        if (text is not null && node[key] is YamlScalar scalar) CheckTemplate(scalar, allowSteps: true);
        return text;
    }

    private static string Singular(string section) => section switch
    {
        "preconditions" => "precondition",
        "success_criteria" => "success criterion",
        "steady_state" => "steady-state check",
        "hidden_checks" => "hidden check",
        _ => section,
    };
}
