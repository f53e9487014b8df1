using Opsmith.Core.Checks;
using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Checks;
using Opsmith.Execution.Hosts;

namespace Opsmith.Execution.Runs;

/// <summary>What one evaluation of a step produced, before it is written into the report.</summary>
/// <param name="Ran">It reached the host (it may have run in part).</param>
/// <param name="Changed">It ran with an effective tier above read: the host may have changed.</param>
internal sealed record StepOutcome(StepReport Report, bool Passed, bool HostLost, bool Canceled, IReadOnlyDictionary<string, string> Fields, bool Ran,
    bool Changed = false);

/// <summary>
/// Runs single steps for one host: shell commands through the <see cref="HostExecutor"/>, http/tcp/prometheus
/// checks from this machine, with retries, and records each as a masked <see cref="StepReport"/>, publishing
/// step-started, step-output and step-finished events as it goes.
/// </summary>
internal sealed class StepRunner(
    HostExecutor executor, RunChecks checks, TimeProvider time, Skill skill, InventoryHost host, RenderContext context, TimeSpan? defaultTimeout = null)
{
    private readonly SecretMasker masker = executor.Masker;
    private readonly RunEventStream events = executor.Audit.Events;

    private const int ExcerptChars = 4096;

    public async Task<StepOutcome> CommandAsync(RunSection section, string name, string template, RiskTier declared, TimeSpan timeout, CancellationToken ct)
    {
        events.Publish(new StepStartedEvent(host.Name, section, name));
        var rendered = TemplateRenderer.Render(template, context, RenderMode.Shell);
        if (!rendered.Ok) return Finished(Unrenderable(section, name, "run", rendered));
        var result = await executor.RunAsync(host, Identity(section, name, declared), rendered.Text!, new CommandLimits(timeout), ct);
        var fields = Fields(result);
        context.SetStepResult(section.Wire(), name, fields);
        var verdict = Verdict(result);
        var detail = result.Error ?? (result.Succeeded ? null : $"exited with {result.ExitCode}{Tail(masker.Apply(result.Stderr))}");
        return Finished(new StepOutcome(Report(section, name, "run", rendered.Text, result, verdict, detail, 1), result.Succeeded,
            result.Status == CommandStatus.Unreachable, result.Status == CommandStatus.Canceled, fields, result.Started,
            result.Started && result.Tier > RiskTier.Read));
    }

    /// <summary>An action whose <c>when:</c> did not hold: reported as skipped, with the reason; nothing ran.</summary>
    public StepOutcome Skipped(RunSection section, string name, string reason)
    {
        events.Publish(new StepStartedEvent(host.Name, section, name));
        var report = new StepReport(section, name, "run", null, null, 0, null, null, StepVerdict.Skipped, masker.Apply(reason), 0);
        return Finished(new StepOutcome(report, true, false, false, new Dictionary<string, string>(), false));
    }

    private StepIdentity Identity(RunSection section, string name, RiskTier declared) => new(skill.Name, section, name, declared, skill.Spec.Cooldown, Via: skill.Spec.Via);

    /// <summary>Publishes what the step printed and how it ended.</summary>
    private StepOutcome Finished(StepOutcome outcome)
    {
        var report = outcome.Report;
        if (report.Stdout is { Length: > 0 } stdout) events.Publish(new StepOutputEvent(host.Name, report.Section, report.Name, "stdout", stdout) { Sensitive = report.Sensitive });
        if (report.Stderr is { Length: > 0 } stderr) events.Publish(new StepOutputEvent(host.Name, report.Section, report.Name, "stderr", stderr) { Sensitive = report.Sensitive });
        events.Publish(new StepFinishedEvent(host.Name, report));
        return outcome;
    }

    public async Task<StepOutcome> CheckAsync(RunSection section, CheckStep check, CancellationToken ct)
    {
        events.Publish(new StepStartedEvent(host.Name, section, check.Name));
        var attempts = check.Retry?.Attempts ?? 1;
        var deadline = check.Retry?.Deadline is { } d ? time.GetUtcNow() + d : (DateTimeOffset?)null;
        StepOutcome? outcome = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            outcome = await CheckOnceAsync(section, check, ct);
            outcome = outcome with { Report = outcome.Report with { Attempts = attempt } };
            if (outcome.Passed || outcome.HostLost || outcome.Canceled || attempt == attempts) break;
            if (deadline is not null && time.GetUtcNow() + check.Retry!.Interval > deadline)
            {
                outcome = outcome with { Report = outcome.Report with { Detail = $"{outcome.Report.Detail} (deadline reached after {attempt} attempts)" } };
                break;
            }
            try
            {
                await Task.Delay(check.Retry!.Interval, time, ct);
            }
            catch (OperationCanceledException)
            {
                outcome = outcome with { Canceled = true, Report = outcome.Report with { Verdict = StepVerdict.Canceled, Detail = "cancelled while waiting to retry" } };
                break;
            }
        }
        context.SetStepResult(section.Wire(), check.Name, outcome!.Fields);
        return Finished(outcome);
    }

    private async Task<StepOutcome> CheckOnceAsync(RunSection section, CheckStep check, CancellationToken ct)
    {
        var timeout = check.Timeout ?? defaultTimeout ?? RunRequest.DefaultCheckTimeout;
        switch (check.Probe)
        {
            case RunProbe run:
            {
                var rendered = TemplateRenderer.Render(run.Command, context, RenderMode.Shell);
                if (!rendered.Ok) return Unrenderable(section, check.Name, "run", rendered);
                var expect = RenderExpectation(run.Expect);
                if (expect is null) return Unrenderable(section, check.Name, "run", new RenderResult(null, ["expect"]));
                var result = await executor.RunAsync(host, Identity(section, check.Name, RiskTier.Read), rendered.Text!, new CommandLimits(timeout), ct);
                if (result.Status != CommandStatus.Completed)
                    return new StepOutcome(Report(section, check.Name, "run", rendered.Text, result, Verdict(result), result.Error, 1),
                        false, result.Status == CommandStatus.Unreachable, result.Status == CommandStatus.Canceled, Fields(result), result.Started,
                        result.Started && result.Tier > RiskTier.Read);
                var evaluated = RunExpectationEvaluator.Evaluate(expect, result.ExitCode, result.Stdout, result.Stderr);
                return new StepOutcome(Report(section, check.Name, "run", rendered.Text, result,
                    evaluated.Passed ? StepVerdict.Passed : StepVerdict.Failed, evaluated.Passed ? null : evaluated.Detail, 1),
                    evaluated.Passed, false, false, Fields(result), true, result.Tier > RiskTier.Read);
            }
            case HttpProbe probe:
            {
                var url = Text(probe.Url);
                var body = probe.BodyContains is null ? null : Text(probe.BodyContains);
                if (url is null || probe.BodyContains is not null && body is null) return Unrenderable(section, check.Name, "http", new RenderResult(null, ["url"]));
                var rendered = probe with { Url = url, BodyContains = body };
                if (FromTarget(probe))
                    return await OnTargetAsync(section, check.Name, "http", TargetProbes.HttpCommand(rendered, timeout), timeout,
                        r => TargetProbes.Http(rendered, r.ExitCode, r.Stdout, r.Stderr), ct);
                return await Controller(section, check.Name, "http", $"{probe.Method} {url}",
                    () => checks.Http.RunAsync(probe with { Url = url, BodyContains = body }, timeout, ct));
            }
            case TcpProbe probe:
            {
                var address = Text(probe.Host);
                var port = Text(probe.Port);
                if (address is null || port is null) return Unrenderable(section, check.Name, "tcp", new RenderResult(null, ["host/port"]));
                var rendered = probe with { Host = address, Port = port };
                if (FromTarget(probe))
                    return await OnTargetAsync(section, check.Name, "tcp", TargetProbes.TcpCommand(rendered, timeout), timeout,
                        r => TargetProbes.Tcp(rendered, r.ExitCode, r.Stderr, timeout), ct);
                return await Controller(section, check.Name, "tcp", $"tcp {address}:{port}",
                    () => checks.Tcp.RunAsync(probe with { Host = address, Port = port }, timeout, ct));
            }
            case PrometheusProbe probe:
            {
                var url = Text(probe.Url);
                var query = Text(probe.Query);
                if (url is null || query is null) return Unrenderable(section, check.Name, "prometheus", new RenderResult(null, ["url/query"]));
                var rendered = probe with { Url = url, Query = query };
                if (FromTarget(probe))
                    return await OnTargetAsync(section, check.Name, "prometheus", TargetProbes.PrometheusCommand(rendered, timeout), timeout,
                        r => TargetProbes.Prometheus(rendered, r.ExitCode, r.Stdout, r.Stderr), ct);
                return await Controller(section, check.Name, "prometheus", $"{url} {query}",
                    () => checks.Prometheus.RunAsync(probe with { Url = url, Query = query }, timeout, ct));
            }
            default:
                throw new InvalidOperationException($"unknown probe {check.Probe.GetType().Name}");
        }
    }

    /// <summary><c>from:</c> as written; by default from the target when it is reached over SSH, from here when it is this machine.</summary>
    private bool FromTarget(Probe probe) => (probe.From ?? (host.Connection == ConnectionKind.Ssh ? CheckVantage.Target : CheckVantage.Controller)) == CheckVantage.Target;

    /// <summary>
    /// A check made from the target: its command runs as a read through the executor (policy, audit, sandbox) and
    /// the answer is compared as one made from here would be. The report keeps the check's kind and the command run.
    /// </summary>
    private async Task<StepOutcome> OnTargetAsync(RunSection section, string name, string kind, string? command, TimeSpan timeout,
        Func<CommandResult, CheckOutcome> interpret, CancellationToken ct)
    {
        if (command is null)
            return new StepOutcome(new StepReport(section, name, kind, null, null, 0, null, null, StepVerdict.Failed,
                $"cannot make this {kind} check from the target: the rendered address is not a valid URL or host and port", 1), false, false, false,
                new Dictionary<string, string>(), false);
        // curl and the connect have their own limits; the command gets a little more so their message is the one seen.
        var result = await executor.RunAsync(host, Identity(section, name, RiskTier.Read), command, new CommandLimits(timeout + TimeSpan.FromSeconds(5)), ct);
        if (result.Status != CommandStatus.Completed)
            return new StepOutcome(Report(section, name, kind, command, result, Verdict(result), result.Error, 1),
                false, result.Status == CommandStatus.Unreachable, result.Status == CommandStatus.Canceled, new Dictionary<string, string>(), result.Started,
                result.Started && result.Tier > RiskTier.Read);
        var outcome = interpret(result);
        return new StepOutcome(Report(section, name, kind, command, result,
                outcome.Passed ? StepVerdict.Passed : StepVerdict.Failed, outcome.Passed ? null : outcome.Detail, 1),
            outcome.Passed, false, false, outcome.Fields, true, result.Tier > RiskTier.Read);
    }

    private RunExpectation? RenderExpectation(RunExpectation expect)
    {
        string? Render(string? value) => value is null ? null : Text(value) ?? throw new FormatException();
        try
        {
            return expect with
            {
                StdoutContains = Render(expect.StdoutContains),
                StdoutNotContains = Render(expect.StdoutNotContains),
                StdoutMatches = Render(expect.StdoutMatches),
                Json = expect.Json is null ? null : expect.Json with { Path = Render(expect.Json.Path)!, Value = Render(expect.Json.Value)! },
            };
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private async Task<StepOutcome> Controller(RunSection section, string name, string kind, string what, Func<Task<CheckOutcome>> check)
    {
        var started = time.GetTimestamp();
        CheckOutcome outcome;
        try
        {
            outcome = await check();
        }
        catch (OperationCanceledException)
        {
            var canceled = new StepReport(section, name, kind, masker.Apply(what), null, (long)time.GetElapsedTime(started).TotalMilliseconds,
                null, null, StepVerdict.Canceled, "cancelled", 1);
            return new StepOutcome(canceled, false, false, true, new Dictionary<string, string>(), true);
        }
        var elapsed = time.GetElapsedTime(started);
        var report = new StepReport(section, name, kind, masker.Apply(what), null, (long)elapsed.TotalMilliseconds, null, null,
            outcome.Passed ? StepVerdict.Passed : StepVerdict.Failed, outcome.Passed ? null : masker.Apply(outcome.Detail), 1);
        return new StepOutcome(report, outcome.Passed, false, false, outcome.Fields, true);
    }

    private string? Text(string template) => TemplateRenderer.Render(template, context, RenderMode.Text).Text;

    private StepOutcome Unrenderable(RunSection section, string name, string kind, RenderResult rendered)
    {
        var detail = $"cannot render the step: no value for {string.Join(", ", rendered.Missing)} (a step it depends on did not run)";
        return new StepOutcome(new StepReport(section, name, kind, null, null, 0, null, null, StepVerdict.Failed, detail, 1),
            false, false, false, new Dictionary<string, string>(), false);
    }

    private StepReport Report(RunSection section, string name, string kind, string? command, CommandResult result, StepVerdict verdict, string? detail, int attempts) =>
        new(section, name, kind, command is null ? null : masker.Apply(command), result.Started && result.Status != CommandStatus.Unreachable ? result.ExitCode : null,
            (long)result.Duration.TotalMilliseconds, Excerpt(result.Stdout), Excerpt(result.Stderr), verdict,
            detail is null ? null : masker.Apply(detail), attempts, result.Tier)
        {
            Isolation = result.Isolation,
            ClassifierMiss = result.ClassifierMiss,
            Sensitive = result.Sensitive,
        };

    private string? Excerpt(string text)
    {
        if (text.Length == 0) return null;
        var masked = masker.Apply(text);
        return masked.Length <= ExcerptChars ? masked : masked[..ExcerptChars] + $"\n[... {masked.Length - ExcerptChars} more characters in the full output ...]";
    }

    private static StepVerdict Verdict(CommandResult result) => result.Status switch
    {
        CommandStatus.Completed => result.ExitCode == 0 ? StepVerdict.Passed : StepVerdict.Failed,
        CommandStatus.TimedOut => StepVerdict.TimedOut,
        CommandStatus.Canceled => StepVerdict.Canceled,
        CommandStatus.Refused => StepVerdict.Refused,
        _ => StepVerdict.Unreachable,
    };

    /// <summary>Result fields for templates. stdout loses its trailing newlines, as with the shell's $(...).</summary>
    private static Dictionary<string, string> Fields(CommandResult result) => new()
    {
        ["stdout"] = result.Stdout.TrimEnd('\n', '\r'),
        ["stderr"] = result.Stderr.TrimEnd('\n', '\r'),
        ["exit_code"] = result.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Tail(string stderr)
    {
        var last = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim();
        return string.IsNullOrEmpty(last) ? "" : $": {(last.Length > 200 ? last[..200] + "…" : last)}";
    }
}
