using Opsmith.Core.Text;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Skills;

/// <summary>Writes a <see cref="Skill"/> as skill-format YAML that <see cref="SkillReader"/> reads back unchanged.</summary>
public static class SkillYamlWriter
{
    public static string Write(Skill skill, string? headerComment = null)
    {
        var w = new YamlWriter();
        if (headerComment is not null)
            foreach (var line in headerComment.Split('\n')) w.Comment(line);
        w.Field("apiVersion", SkillReader.ApiVersion).Field("kind", "Skill");
        var m = skill.Metadata;
        w.Section("metadata", x =>
        {
            x.Field("name", m.Name).Field("title", m.Title).Field("description", m.Description)
             .Field("stage", YamlNames.Of(m.Stage)).Field("category", m.Category);
            if (m.Tags.Count > 0) x.FlowList("tags", m.Tags);
            x.Field("version", (long)m.Version);
        });
        var s = skill.Spec;
        w.Section("spec", x =>
        {
            if (s.Inputs.Count > 0) x.Section("inputs", inputs => { foreach (var i in s.Inputs) WriteInput(inputs, i); });
            x.Field("targets", s.Targets).Field("risk", YamlNames.Of(s.Risk));
            if (s.Preconditions.Count > 0) x.List("preconditions", s.Preconditions, WriteCheck);
            x.List("actions", s.Actions, WriteAction);
            if (s.SuccessCriteria.Count > 0) x.List("success_criteria", s.SuccessCriteria, WriteCheck);
            if (s.Rollback.IsExplicitlyNone)
                x.Section("rollback", r => r.Field("none", true).Field("reason", s.Rollback.NoneReason));
            else if (s.Rollback.Steps.Count > 0)
                x.List("rollback", s.Rollback.Steps, (r, step) =>
                {
                    r.Field("name", step.Name).Field("run", step.Run);
                    if (step.Timeout is { } t) r.Field("timeout", DurationText.Format(t));
                });
            if (s.Outputs.Count > 0)
                x.Section("outputs", o => { foreach (var output in s.Outputs) o.Section(output.Name, f => f.Field("from", output.From)); });
            if (s.Cooldown is { } cooldown) x.Field("cooldown", DurationText.Format(cooldown));
            if (s.Findings.Count > 0)
                x.List("findings", s.Findings, (f, finding) =>
                {
                    f.Field("name", finding.Name).Field("summary", finding.Summary);
                    f.Section("when", c => WriteCondition(c, finding.When));
                    f.FlowList("hypotheses", finding.Hypotheses).Field("severity", YamlNames.Of(finding.Severity));
                });
            if (s.Remedies.Count > 0) x.FlowList("remedies", s.Remedies);
            if (s.Via != Transport.Connection) x.Field("via", YamlNames.Of(s.Via));
        });
        return w.ToString();
    }

    private static void WriteInput(YamlWriter w, InputDefinition input) => w.Section(input.Name, x =>
    {
        x.Field("type", YamlNames.Of(input.Type));
        if (input.Required) x.Field("required", true);
        if (input.Default is not null)
        {
            if (input.Type is InputType.Int or InputType.Bool) x.Raw("default", input.Default);
            else x.Field("default", input.Default);
        }
        x.Field("min", input.Min).Field("max", input.Max);
        if (input.Values.Count > 0) x.FlowList("values", input.Values);
        if (input.Secret) x.Field("secret", true);
        x.Field("description", input.Description);
    });

    private static void WriteAction(YamlWriter w, ActionStep action)
    {
        w.Field("name", action.Name).Field("run", action.Run).Field("risk", YamlNames.Of(action.Risk));
        if (action.Timeout is { } t) w.Field("timeout", DurationText.Format(t));
        if (action.OnFailure != FailurePolicy.Abort) w.Field("on_failure", YamlNames.Of(action.OnFailure));
        w.Field("check", action.Check);
        if (action.When is { } when) w.Section("when", c => WriteCondition(c, when));
    }

    private static YamlWriter WriteFrom(YamlWriter w, Probe probe) => w.Field("from", probe.From is { } from ? YamlNames.Of(from) : null);

    private static void WriteCondition(YamlWriter w, Condition condition)
    {
        if (condition.Subject is { } subject) w.Field(YamlNames.Of(subject.Kind), subject.Name);
        if (condition.Outcome is { } outcome) w.Field("outcome", YamlNames.Of(outcome));
        w.Field("exit_code", condition.ExitCode).Field("stdout_contains", condition.StdoutContains)
         .Field("stdout_not_contains", condition.StdoutNotContains).Field("stdout_matches", condition.StdoutMatches);
        if (condition.Any.Count > 0) w.List("any", condition.Any, WriteCondition);
    }

    /// <summary>One check (precondition, success criterion, a task card's hidden check) in skill check syntax.</summary>
    public static void WriteCheck(YamlWriter w, CheckStep check)
    {
        w.Field("name", check.Name);
        switch (check.Probe)
        {
            case RunProbe run:
                w.Field("run", run.Command);
                var e = run.Expect;
                if (e != RunExpectation.Success)
                    w.Section("expect", x =>
                    {
                        if (e.ExitCode != 0) x.Field("exit_code", (long)e.ExitCode);
                        x.Field("stdout_contains", e.StdoutContains).Field("stdout_not_contains", e.StdoutNotContains)
                         .Field("stdout_matches", e.StdoutMatches);
                        if (e.Json is { } json)
                            x.Section("json", j => j.Field("path", json.Path).Raw(YamlNames.Of(json.Comparison), YamlWriter.Scalar(json.Value)));
                    });
                break;
            case HttpProbe http:
                w.Section("http", x =>
                {
                    x.Field("url", http.Url);
                    if (http.Method != "GET") x.Field("method", http.Method);
                    x.Field("expect_status", (long)http.ExpectStatus).Field("body_contains", http.BodyContains);
                    WriteFrom(x, http);
                });
                break;
            case TcpProbe tcp:
                w.Section("tcp", x => WriteFrom(x.Field("host", tcp.Host).Raw("port", YamlWriter.Scalar(tcp.Port)).Field("expect", YamlNames.Of(tcp.Expect)), tcp));
                break;
            case PrometheusProbe prom:
                w.Section("prometheus", x => x.Field("url", prom.Url).Field("query", prom.Query)
                    .Section("expect", ex => ex.Number(YamlNames.Of(prom.Comparison), prom.Value)).Field("from", prom.From is { } f ? YamlNames.Of(f) : null));
                break;
        }
        if (check.Retry is { } retry)
            w.Raw("retry", $"{{attempts: {retry.Attempts}, interval: {DurationText.Format(retry.Interval)}" +
                           (retry.Deadline is { } d ? $", deadline: {DurationText.Format(d)}}}" : "}"));
        if (check.Timeout is { } timeout) w.Field("timeout", DurationText.Format(timeout));
    }
}
