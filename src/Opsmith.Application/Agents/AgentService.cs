using System.Text.Json;
using Opsmith.Application.Catalog;
using Opsmith.Application.Runs;
using Opsmith.Core.Agents;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Runs;
using Opsmith.Storage.Incidents;
using Opsmith.Storage.Sessions;

namespace Opsmith.Application.Agents;

/// <summary>
/// The staged agent (docs/agent.md): detect → localize → diagnose → recover → verify, every skill run through
/// <see cref="RunService"/> so policy, approvals, audit and rollback apply to it as to a person's run. The heuristic
/// planner (<see cref="HeuristicPlanner"/>) ranks hypotheses from the findings the runner reported and picks the recovery
/// whose <c>remedies</c> name the best one. Before any change it snapshots every invariant; a step that turns a green
/// invariant red is rolled back and its hypothesis refuted; when nothing is left to try, the session escalates to a
/// person with the evidence. Every session is stored with its trajectory.
/// </summary>
public sealed class AgentService(OpsmithServices services, Action<AgentProgress>? progress = null)
{
    private readonly InvariantChecker _invariants = new(services);

    public async Task<AgentResult> RunAsync(AgentRequest request, CancellationToken ct)
    {
        var agent = request.Agent;
        var sessions = await services.SessionsAsync(ct);
        var session = await sessions.StartAsync(agent.Name, services.Actor.ToString(), request.Trigger.KindName, request.Trigger.Text, request.Trigger.IncidentId, ct);
        var trajectory = new TrajectoryRecorder(services.Time);
        var context = new SessionContext(request, session.Id, trajectory);
        SessionStatus status;
        string summary;
        RankedHypothesis? best = null;
        try
        {
            if (request.Trigger.IncidentId is { } incidentId)
                await (await services.IncidentsAsync(ct)).AttachSessionAsync(incidentId, session.Id, ct);
            (status, summary, best) = await RunStagesAsync(context, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            (status, summary) = (SessionStatus.Cancelled, "stopped before it finished; the run in progress was stopped and what it changed rolled back");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            (status, summary) = (SessionStatus.Failed, $"the session failed: {e.Message}");
        }
        var finished = await sessions.FinishAsync(session, status, summary, trajectory.Json(), 0, CancellationToken.None);
        await UpdateIncidentAsync(request.Trigger.IncidentId, status, summary, CancellationToken.None);
        Say(AgentStage.Verify, $"session {finished.Id} {status.ToWireName()}: {summary}");
        return new AgentResult(finished.Id, status, summary, trajectory.Snapshot(), best);
    }

    private sealed record SessionContext(AgentRequest Request, string SessionId, TrajectoryRecorder Trajectory)
    {
        public LoadedAgent Agent => Request.Agent;
        public bool Runs(AgentStage stage) => Request.Stages.Contains(stage);
    }

    private async Task<(SessionStatus, string, RankedHypothesis?)> RunStagesAsync(SessionContext s, CancellationToken ct)
    {
        var agent = s.Agent;
        var t = s.Trajectory;
        InvariantSnapshot before = new([], [], []);
        // Hosts the trigger names are suspects whatever the invariants say: their diagnosis (read-only) runs while
        // detect checks the invariants, so a slow host (a throttled link) is not waited on twice in a row.
        var named = s.Request.Trigger.Hosts.Distinct().ToList();
        var early = s.Runs(AgentStage.Diagnose) && named.Count > 0 ? DiagnoseAsync(s, named, ct) : Task.CompletedTask;
        try
        {
            if (s.Runs(AgentStage.Detect))
                using (t.Stage(AgentStage.Detect))
                {
                    Say(AgentStage.Detect, $"checking {agent.Definition.Invariants.Count} invariants");
                    before = await _invariants.CheckAsync(agent, AgentStage.Detect, ct);
                    t.Observe(before);
                    foreach (var red in before.Red) Say(AgentStage.Detect, $"red: {red.Invariant}{On(red.Host)}: {red.Detail}");
                }
        }
        catch
        {
            await Task.WhenAny(early);   // never leave it running unobserved; its own failure is not the one to report
            throw;
        }

        List<string> suspects;
        using (t.Stage(AgentStage.Localize))
        {
            suspects = HeuristicPlanner.Suspects(s.Request.Trigger.Hosts, before.Red, agent.Inventory.Hosts.Keys).ToList();
            // Something is wrong (an invariant is red, or a person reports a symptom) but nothing points at a host: look everywhere.
            if (suspects.Count == 0 && (before.Red.Any() || s.Request.Trigger.Kind != TriggerKind.Incident)) suspects = agent.Inventory.Hosts.Keys.ToList();
            t.Suspect(suspects);
            Say(AgentStage.Localize, suspects.Count == 0 ? "no suspect host: every invariant is green and nobody named a host" : $"suspects: {string.Join(", ", suspects)}");
        }
        if (!s.Runs(AgentStage.Diagnose) || suspects.Count == 0)
            return before.Red.Any()
                ? (SessionStatus.Diagnosed, $"red: {string.Join(", ", before.Red.Select(o => o.Invariant + On(o.Host)))}", null)
                : (SessionStatus.Healthy, "every invariant is green", null);

        IReadOnlyList<RankedHypothesis> ranked;
        List<(string Host, string Text)> cut;
        using (t.Stage(AgentStage.Diagnose))
        {
            await early;
            await DiagnoseAsync(s, suspects.Except(named).ToList(), ct);
            // A host no skill could reach over its connection may still be looked at through its out-of-band console, when the inventory declares one.
            cut = Unreachable(t.Snapshot(), suspects);
            var viaConsole = cut.Select(c => c.Host).Where(h => agent.Inventory.Hosts.TryGetValue(h, out var ih) && ih.Console is not null).ToList();
            if (viaConsole.Count > 0)
            {
                Say(AgentStage.Diagnose, $"{string.Join(", ", viaConsole)} cannot be reached over ssh; looking through the console the inventory declares");
                await DiagnoseAsync(s, viaConsole, ct, Transport.Console);
            }
            ranked = HeuristicPlanner.Rank(t.Findings, suspects);
            // Act only on something wrong: a red invariant on the host, or a critical finding.
            var redHosts = before.Red.Select(o => o.Host).ToHashSet();
            ranked = ranked.Where(h => redHosts.Contains(h.Host) || redHosts.Contains("") || h.Evidence.Any(f => f.Weight >= 3) || s.Request.Trigger.Hosts.Contains(h.Host)).ToList();
            t.Rank(ranked);
            foreach (var h in ranked.Take(3))
                Say(AgentStage.Diagnose, $"hypothesis {h.Id} on {h.Host} (score {h.Score:0.#}): {string.Join("; ", h.Evidence.Select(f => $"{f.Skill}: {f.Summary}"))}");
        }
        if (ranked.Count == 0)
        {
            // A suspect no skill could reach cannot be diagnosed or repaired through the executor: say so, with ssh's error.
            if (cut.Count > 0)
                return Escalate(s, before, $"{string.Join("; ", cut.Select(c => c.Text))}: no skill could look at it, so nothing can be diagnosed or repaired there " +
                                           "until a person restores remote access (a console or another out-of-band path)" +
                                           (cut.Any(c => agent.Inventory.Hosts.TryGetValue(c.Host, out var ih) && ih.Console is not null)
                                               ? "; what its console showed explains nothing a skill can repair" : ""), null);
            if (!before.Red.Any()) return (SessionStatus.Healthy, "every invariant is green and no diagnosis found anything wrong", null);
            return Escalate(s, before, "red invariants, but no skill's findings explain them", null);
        }
        var top = ranked[0];
        if (!s.Runs(AgentStage.Recover) || !s.Request.AllowMutation)
        {
            var choice = HeuristicPlanner.ChooseRecovery(top, RecoveryCandidates(agent, top.Host), KnownValues(agent, before, top.Host), []);
            var next = choice is null ? "no allowed recovery skill remedies it" : $"the recovery would be {choice.Skill.Skill} on {top.Host}";
            var why = s.Request.AllowMutation ? "the recover stage was not asked for" : "changes need --allow-mutation";
            return (SessionStatus.Diagnosed, $"most likely {top.Id} on {top.Host}; {next} ({why})", top);
        }
        return await RecoverAsync(s, before, ranked, ct);
    }

    /// <summary>Suspect hosts where every diagnosis run ended unreachable (the executor could not connect), each with the error.</summary>
    private static List<(string Host, string Text)> Unreachable(AgentTrajectory trajectory, IEnumerable<string> suspects) =>
        suspects.Select(host => (Host: host, Runs: trajectory.Actions.Where(a => a.Stage == AgentStage.Diagnose && a.Host == host).ToList()))
            .Where(x => x.Runs.Count > 0 && x.Runs.All(a => a.Verdict == RunVerdict.Unreachable.Wire()))
            .Select(x => (x.Host, $"{x.Host} cannot be reached ({x.Runs[0].Outcome})")).ToList();

    /// <summary>How long the slower diagnoses still get once one of them has reported a critical finding.</summary>
    private static readonly TimeSpan DiagnosisGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs every allowed diagnosis skill whose inputs can be bound on each suspect host, all at once, and collects their
    /// findings. Once one reports a critical finding the others get <see cref="DiagnosisGrace"/> to finish and are then
    /// stopped: decisive evidence does not wait for the slowest skill (a host under load takes tens of seconds).
    /// </summary>
    /// <param name="via">
    /// Which skills: those that use the hosts' connection, or (only for hosts that cannot be reached over it and declare a
    /// console) those that say <c>via: console</c>.
    /// </param>
    private async Task DiagnoseAsync(SessionContext s, IReadOnlyList<string> suspects, CancellationToken ct, Transport via = Transport.Connection)
    {
        var agent = s.Agent;
        using var slow = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var runs = new List<Task<RunReport?>>();
        foreach (var host in suspects)
            foreach (var entry in agent.SkillsOf(Stage.Diagnosis))
            {
                // A diagnosis without findings gives the planner nothing to weigh: people read those, the agent skips them.
                if (entry.Skill.Spec.Findings.Count == 0 || entry.Skill.Spec.FindInput("host") is not { Type: InputType.Host } || entry.Skill.Spec.Via != via) continue;
                if (Bind(entry.Skill, KnownValues(agent, null, host)) is not { } inputs) continue;
                runs.Add(RunSkillAsync(s, entry, host, inputs, AgentStage.Diagnose, null, slow.Token));
            }
        var pending = new List<Task>(runs);
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            if (done is not Task<RunReport?> { IsCompletedSuccessfully: true, Result: { } report } ||
                !report.Hosts.SelectMany(h => ReportFindings.Of(report, h, Stage.Diagnosis)).Any(f => f.Weight >= 3)) continue;
            if (pending.Count > 0) await Task.WhenAny(Task.WhenAll(pending), Task.Delay(DiagnosisGrace, services.Time, ct));
            await slow.CancelAsync();
            break;
        }
        try { await Task.WhenAll(runs); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }   // the stragglers, stopped above
    }

    private async Task<(SessionStatus, string, RankedHypothesis?)> RecoverAsync(SessionContext s, InvariantSnapshot before, IReadOnlyList<RankedHypothesis> ranked, CancellationToken ct)
    {
        var agent = s.Agent;
        var t = s.Trajectory;
        var budget = agent.Definition.Budgets.Iterations ?? 5;
        var attempts = 0;
        // Recoveries already run in this session, per host: one is never run twice on a host for different hypotheses
        // (its cooldown would block the second run, and a blocked step is something the agent should not have asked for).
        var ranOn = new Dictionary<string, HashSet<string>>();
        // Without a detect stage there is no snapshot yet: take one before the first change.
        if (before.Observations.Count == 0) before = await _invariants.CheckAsync(agent, AgentStage.Recover, ct);
        foreach (var candidate in ranked)
        {
            var hypothesis = candidate;
            var tried = new List<string>();
            while (true)
            {
                if (attempts >= budget) return Escalate(s, before, $"the iteration budget ({budget}) is spent", ranked[0]);
                var known = KnownValues(agent, before, hypothesis.Host);
                var candidates = RecoveryCandidates(agent, hypothesis.Host);
                var ran = ranOn.TryGetValue(hypothesis.Host, out var onHost) ? onHost : [];
                var excluded = tried.Union(ran).ToList();
                var choice = s.Request.Planner is { } planner
                    ? await planner.ChooseAsync(hypothesis, candidates, known, excluded, ct)
                    : HeuristicPlanner.ChooseRecovery(hypothesis, candidates, known, excluded);
                if (choice is null)
                {
                    var alreadyRan = tried.Count == 0 && HeuristicPlanner.ChooseRecovery(hypothesis, candidates, known, tried) is { } again
                        ? $"{again.Skill.Skill} already ran on {hypothesis.Host} in this session for another hypothesis" : null;
                    hypothesis = hypothesis with
                    {
                        State = tried.Count == 0 ? HypothesisState.Untested : HypothesisState.Refuted,
                        Note = tried.Count == 0 ? alreadyRan ?? "no allowed recovery skill remedies it with the inputs known" : hypothesis.Note,
                    };
                    t.Update(hypothesis);
                    break;
                }
                attempts++;
                tried.Add(choice.Skill.Skill);
                if (!ranOn.TryAdd(hypothesis.Host, [choice.Skill.Skill])) ranOn[hypothesis.Host].Add(choice.Skill.Skill);
                var entry = agent.Skill(choice.Skill.Skill)!;
                var inputs = Bind(entry.Skill, choice.Inputs, Hearsay(agent, before, hypothesis))!;
                Say(AgentStage.Recover, $"{hypothesis.Id} on {hypothesis.Host}: running {entry.Name}");
                var report = await RunSkillAsync(s, entry, hypothesis.Host, inputs, AgentStage.Recover, hypothesis.Id, ct);
                if (report is null || !report.Verdict.IsSuccess())
                {
                    hypothesis = hypothesis with { State = HypothesisState.Refuted, Note = $"{entry.Name} did not succeed ({report?.Verdict.Wire() ?? "could not run"})" };
                    t.Update(hypothesis);
                    continue;
                }

                using (t.Stage(AgentStage.Verify))
                {
                    var after = await _invariants.CheckAsync(agent, AgentStage.Verify, ct);
                    t.Observe(after);
                    var regressions = HeuristicPlanner.Regressions(before.Observations, after.Observations);
                    if (regressions.Count > 0)
                    {
                        var broke = string.Join(", ", regressions.Select(r => r.Invariant + On(r.Host)));
                        Say(AgentStage.Verify, $"{entry.Name} turned {broke} red: rolling it back");
                        var undone = await RollBackAsync(s, entry, report, hypothesis.Id, ct);
                        hypothesis = hypothesis with
                        {
                            State = HypothesisState.Refuted,
                            Note = $"{entry.Name} made {broke} red; " + (undone is null ? "rolled back" : $"the rollback did not restore it ({undone})"),
                        };
                        t.Update(hypothesis);
                        // A change that could not be undone leaves the system worse than it was: stop and hand over, never pile on.
                        if (undone is not null) return Escalate(s, before, $"{entry.Name} made {broke} red and its rollback did not restore it ({undone})", hypothesis);
                        continue;
                    }
                    var problem = await VerifyAsync(s, after, hypothesis, ct);
                    if (problem is null)
                    {
                        Say(AgentStage.Verify, $"green now; checking again after {s.Request.SettleDelay.TotalSeconds:0.#} s");
                        await Task.Delay(s.Request.SettleDelay, services.Time, ct);
                        var settled = await _invariants.CheckAsync(agent, AgentStage.Verify, ct);
                        t.Observe(settled);
                        problem = await VerifyAsync(s, settled, hypothesis, ct);
                        if (problem is not null) problem = $"after {s.Request.SettleDelay.TotalSeconds:0.#} s: {problem}";
                    }
                    if (problem is null)
                    {
                        hypothesis = hypothesis with { State = HypothesisState.Confirmed, Note = $"{entry.Name} fixed it; every invariant is green, also after the settle delay" };
                        t.Update(hypothesis);
                        return (SessionStatus.Resolved, $"{hypothesis.Id} on {hypothesis.Host}: {entry.Name} repaired it and it stayed repaired", hypothesis);
                    }
                    hypothesis = hypothesis with { State = HypothesisState.Refuted, Note = $"{entry.Name} ran, but {problem}" };
                    t.Update(hypothesis);
                    Say(AgentStage.Verify, hypothesis.Note!);
                }
            }
        }
        return Escalate(s, before, "every hypothesis was tried or has no allowed recovery", ranked[0]);
    }

    /// <summary>Null when the hypothesis' host is healthy: no red invariant there and the findings that made the hypothesis are gone.</summary>
    private async Task<string?> VerifyAsync(SessionContext s, InvariantSnapshot now, RankedHypothesis hypothesis, CancellationToken ct)
    {
        var red = now.Red.Where(o => o.Host == hypothesis.Host || o.Host.Length == 0).ToList();
        if (red.Count > 0) return $"{string.Join(", ", red.Select(o => o.Invariant + On(o.Host)))} still red";
        // The evidence again: the diagnosis skills that reported it, on that host.
        var agent = s.Agent;
        foreach (var skill in hypothesis.Evidence.Select(f => f.Skill).Distinct())
        {
            if (agent.Skill(skill) is not { } entry || entry.Skill.Metadata.Stage != Stage.Diagnosis) continue;
            if (Bind(entry.Skill, KnownValues(agent, null, hypothesis.Host)) is not { } inputs) continue;
            var report = await RunSkillAsync(s, entry, hypothesis.Host, inputs, AgentStage.Verify, hypothesis.Id, ct);
            var still = report?.Hosts.SelectMany(h => ReportFindings.Of(report, h, entry.Skill.Metadata.Stage)).Where(f => f.Hypotheses.Contains(hypothesis.Id)).ToList() ?? [];
            if (still.Count > 0) return $"{entry.Name} still reports {still[0].Summary}";
        }
        return null;
    }

    /// <summary>Runs the recorded rollback of a run through the run service, with the agent's autonomy. Null when it restored the steady state, else why not.</summary>
    private async Task<string?> RollBackAsync(SessionContext s, CatalogEntry entry, RunReport report, string hypothesis, CancellationToken ct)
    {
        var file = await KeepReportAsync(services, s.SessionId, report);
        var started = services.Time.GetUtcNow();
        var host = report.Hosts.FirstOrDefault()?.Host ?? "";
        var prepared = await services.Runs.PrepareRollbackAsync(file, new Dictionary<string, string>(), null, ct);
        if (prepared.Error is { } error)
        {
            s.Trajectory.Act(new AgentAction(AgentStage.Verify, entry.Name, host, report.Inputs, "rollback", null, "error", hypothesis, started, 0,
                $"the rollback could not be prepared: {error.Message}", RolledBack: true));
            return error.Message;
        }
        var rolled = await services.Runs.RollbackAsync(prepared.Value! with { Autonomy = s.Agent.Autonomy }, ct);
        var verdict = rolled.Value?.Verdict.Wire() ?? "error";
        var restored = rolled.Value is { } r && r.Hosts.Count > 0 && r.Hosts.All(h => h.Rollback?.Restored == true);
        s.Trajectory.Act(new AgentAction(AgentStage.Verify, entry.Name, host, report.Inputs, "rollback", rolled.Value?.RunId, verdict, hypothesis,
            started, (long)(services.Time.GetUtcNow() - started).TotalMilliseconds, rolled.Error?.Message ?? $"rollback {verdict}", RolledBack: true));
        return restored ? null : rolled.Error?.Message ?? $"the rollback {verdict}";
    }

    /// <summary>Where a session keeps the reports of its runs that did not succeed (for rollback, and for <c>opsmith review SESSION</c>).</summary>
    public static string ReportsFolder(OpsmithServices services, string sessionId) => Path.Combine(services.Options.Paths.DataDirectory, "agent", sessionId);

    private static async Task<string> KeepReportAsync(OpsmithServices services, string sessionId, RunReport report)
    {
        var folder = ReportsFolder(services, sessionId);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{report.RunId}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, ReportJson.Options), CancellationToken.None);
        return file;
    }

    /// <summary>Runs one skill on one host through the run service and records it; findings go into the trajectory.</summary>
    private async Task<RunReport?> RunSkillAsync(SessionContext s, CatalogEntry entry, string host, IReadOnlyDictionary<string, string> inputs, AgentStage stage,
        string? hypothesis, CancellationToken ct)
    {
        var started = services.Time.GetUtcNow();
        var given = new Dictionary<string, string>(inputs) { ["host"] = host };
        var result = await services.Runs.RunAsync(new RunSpec(entry.File, s.Agent.Inventory.SourceFile, given, RunMode.Execute, Autonomy: s.Agent.Autonomy,
            StepTimeout: stage == AgentStage.Recover ? null : InvariantChecker.ProbeTimeout), null, ct);
        var took = (long)(services.Time.GetUtcNow() - started).TotalMilliseconds;
        if (result.Error is { } error)
        {
            s.Trajectory.Act(new AgentAction(stage, entry.Name, host, given, "execute", null, "error", hypothesis, started, took, error.Message));
            return null;
        }
        var report = result.Value!;
        if (!report.Verdict.IsSuccess()) await KeepReportAsync(services, s.SessionId, report);
        var findings = report.Hosts.SelectMany(h => ReportFindings.Of(report, h, entry.Skill.Metadata.Stage)).ToList();
        s.Trajectory.Found(findings);
        var outcome = findings.Count > 0 ? string.Join("; ", findings.Select(f => f.Summary)) : Outcome(report);
        s.Trajectory.Act(new AgentAction(stage, entry.Name, host, report.Inputs, "execute", report.RunId, report.Verdict.Wire(), hypothesis, started, took, outcome));
        return report;
    }

    private static string Outcome(RunReport report)
    {
        var host = report.Hosts.FirstOrDefault();
        if (host?.Error is { } error) return error;
        var failed = host?.Steps.FirstOrDefault(x => x.Verdict == StepVerdict.Failed);
        return failed is null ? report.Verdict.Wire() : $"{failed.Name}: {failed.Detail}";
    }

    private (SessionStatus, string, RankedHypothesis?) Escalate(SessionContext s, InvariantSnapshot before, string why, RankedHypothesis? best)
    {
        var trajectory = s.Trajectory.Snapshot();
        var lines = new List<string> { $"Escalated to a person: {why}." };
        foreach (var red in before.Red) lines.Add($"red: {red.Invariant}{On(red.Host)}: {red.Detail}");
        foreach (var h in trajectory.Hypotheses)
            lines.Add($"hypothesis {h.Id} on {h.Host} ({h.State.ToString().ToLowerInvariant()}{(h.Note is null ? "" : ": " + h.Note)}); evidence: " +
                      string.Join("; ", h.Evidence.Select(f => $"{f.Skill}: {f.Summary}")));
        var text = string.Join("\n", lines);
        s.Trajectory.Escalate(text);
        Say(AgentStage.Verify, text);
        return (SessionStatus.Escalated, why, best);
    }

    private async Task UpdateIncidentAsync(string? incidentId, SessionStatus status, string summary, CancellationToken ct)
    {
        if (incidentId is null) return;
        var store = await services.IncidentsAsync(ct);
        var actor = services.Actor.ToString();
        if (status == SessionStatus.Resolved) await store.SetStatusAsync(incidentId, IncidentStatus.Resolved, actor, $"resolved by the agent: {summary}", ct);
        // An escalated incident waits for a person: held, so the agent does not pick it up again and again.
        else if (status == SessionStatus.Escalated) await store.SetStatusAsync(incidentId, IncidentStatus.Held, actor, $"escalated by the agent: {summary}", ct);
    }

    /// <summary>What the agent knows about a host without asking: its inventory variables and the inputs of invariants red there.</summary>
    private static Dictionary<string, string> KnownValues(LoadedAgent agent, InvariantSnapshot? snapshot, string host)
    {
        var values = new Dictionary<string, string>();
        if (agent.Inventory.Hosts.TryGetValue(host, out var inventoryHost))
            foreach (var (k, v) in agent.Inventory.VarsOf(inventoryHost)) values[k] = v;
        if (snapshot is not null)
            foreach (var red in snapshot.Red.Where(o => o.Host == host))
                if (agent.Definition.Invariants.FirstOrDefault(i => i.Name == red.Invariant) is { } invariant)
                    foreach (var (k, v) in invariant.Inputs) values.TryAdd(k, v);
        return values;
    }

    /// <summary>
    /// Known values that come only from the inputs of invariants red on the hypothesis's host — not from the inventory and
    /// not from the hypothesis's evidence. They were given to another skill, so they may fill a recovery's input that has
    /// no default, never replace one that has: the unit of a red "demo service running" invariant once became the unit of
    /// an sshd restart (whose default is the ssh unit), and the restart started the wrong service.
    /// </summary>
    private static HashSet<string> Hearsay(LoadedAgent agent, InvariantSnapshot snapshot, RankedHypothesis hypothesis)
    {
        var fromInvariants = KnownValues(agent, snapshot, hypothesis.Host).Keys.Except(KnownValues(agent, null, hypothesis.Host).Keys);
        return fromInvariants.Except(hypothesis.Evidence.SelectMany(f => f.Facts.Keys)).ToHashSet();
    }

    /// <summary>
    /// The skill's inputs from <paramref name="values"/>, or null when a required input without default has no value. A
    /// value named in <paramref name="hearsay"/> fills only an input without a default.
    /// </summary>
    private static Dictionary<string, string>? Bind(Skill skill, IReadOnlyDictionary<string, string> values, IReadOnlySet<string>? hearsay = null)
    {
        var inputs = new Dictionary<string, string>();
        foreach (var input in skill.Spec.Inputs.Where(i => i.Name != "host"))
        {
            if (values.TryGetValue(input.Name, out var value) && !(input.Default is not null && hearsay?.Contains(input.Name) == true)) inputs[input.Name] = value;
            else if (input.Required && input.Default is null) return null;
        }
        return inputs;
    }

    /// <summary>The allowed recovery skills that can run on <paramref name="host"/>: one that goes through a console only where the inventory declares one.</summary>
    private static IReadOnlyList<RecoveryCandidate> RecoveryCandidates(LoadedAgent agent, string host) =>
        agent.SkillsOf(Stage.Recovery).Where(e => e.Skill.Spec.FindInput("host") is { Type: InputType.Host })
            .Where(e => e.Skill.Spec.Via != Transport.Console || agent.Inventory.Hosts.TryGetValue(host, out var h) && h.Console is not null)
            .Select(e => new RecoveryCandidate(e.Name, e.Skill.Spec.Remedies, (int)e.Skill.Spec.Risk,
                e.Skill.Spec.Inputs.Where(i => i.Name != "host" && i.Required && i.Default is null).Select(i => i.Name).ToList()))
            .Where(c => c.Remedies.Count > 0).ToList();

    private void Say(AgentStage stage, string text) => progress?.Invoke(new AgentProgress(stage, text));

    private static string On(string host) => host.Length > 0 ? $" on {host}" : "";
}
