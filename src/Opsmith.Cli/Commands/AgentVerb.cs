using System.CommandLine;
using System.Text.Json;
using Opsmith.Application;
using Opsmith.Application.Agents;
using Opsmith.Application.Validation;
using Opsmith.Cli.Output;
using Opsmith.Core.Agents;
using Opsmith.Core.Documents;
using Opsmith.Core.Runs;
using Opsmith.Core.Text;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Incidents;
using Opsmith.Storage.Sessions;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith agent run</c>: one session of the staged agent (detect → localize → diagnose → recover → verify, docs/agent.md);
/// <c>opsmith agent sessions list|show</c>: what past sessions saw and did.
/// </summary>
public sealed class AgentVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith agent run examples/lab/lab-sre.agent.yaml --incident in-7f3k2 --allow-mutation",
        "opsmith agent run examples/lab/lab-sre.agent.yaml --description \"node2's web site refuses connections\"",
        "opsmith agent run -i inventory.yaml --description \"the API on web1 answers 502\" --stages detect,localize,diagnose",
        "opsmith agent run examples/lab/lab-sre.agent.yaml --task-card examples/task-cards/nginx-down.yaml --output json --report-out session.json",
        "opsmith agent run lab-sre.agent.yaml --description \"postgres is full\" --planner llm-tools --instructions imported/instructions/pg-disk/SKILL.md",
        "opsmith agent sessions list",
        "opsmith agent sessions show as-7f3k2 --output json",
    ];

    public Command Build()
    {
        var agent = new Command("agent", "Run the staged agent on an incident, a task card or a description, and read its past sessions.");
        agent.Subcommands.Add(RunCommand());
        var sessions = new Command("sessions", "Past agent sessions: what each saw, believed and did.");
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first.", DefaultValueFactory = _ => 30 };
        var listOutput = CliContext.OutputOption();
        var list = new Command("list", "List agent sessions, newest first.") { limit, listOutput };
        list.SetAction((p, ct) => ListAsync(p.GetValue(limit), p.GetValue(listOutput), ct));
        var id = new Argument<string>("ID") { Description = "The session's id, such as as-7f3k2 (from agent sessions list)." };
        var showOutput = CliContext.OutputOption();
        var show = new Command("show", "Show one session: observations, findings, hypotheses with evidence, actions, timings.") { id, showOutput };
        show.SetAction((p, ct) => ShowAsync(p.GetValue(id)!, p.GetValue(showOutput), ct));
        sessions.Subcommands.Add(list);
        sessions.Subcommands.Add(show);
        agent.Subcommands.Add(sessions);
        return agent;
    }

    private Command RunCommand()
    {
        var file = new Argument<string?>("AGENT") { Description = "The agent file (kind: Agent). Without it, -i gives a default agent over the whole catalog.", Arity = ArgumentArity.ZeroOrOne };
        var incident = new Option<string?>("--incident") { Description = "Work on this incident (from opsmith incidents list)." };
        var taskCard = new Option<string?>("--task-card") { Description = "Work on this task card (kind: TaskCard)." };
        var description = new Option<string?>("--description") { Description = "Work on what a person says is wrong; hosts it names are suspects." };
        var inventory = new Option<string?>("--inventory", "-i") { Description = "Inventory (overrides the environment's)." };
        var stages = new Option<string?>("--stages") { Description = "Comma-separated stages to run: detect,localize,diagnose,recover,verify (default all)." };
        var allow = new Option<bool>("--allow-mutation") { Description = "Let the recover stage change hosts (read-only stages run without it)." };
        var planner = new Option<string>("--planner")
        {
            Description = "The planner: heuristic; llm (the staged agent, with a model choosing among the eligible recovery skills; the heuristic choice when it cannot); " +
                          "or llm-tools (a model investigates with tools — skills, reads, Prometheus — within the agent's allowlist, autonomy and budgets; " +
                          "the heuristic planner takes over when the model cannot be used). See docs/llm.md.",
            DefaultValueFactory = _ => "heuristic",
        };
        planner.AcceptOnlyFromAmong("heuristic", "llm", "llm-tools");
        var reportOut = new Option<string?>("--report-out") { Description = "Also write the session (JSON) to this file." };
        var catalog = new Option<string?>("--catalog") { Description = "Skill catalog folder (default: skills/ above the working folder)." };
        var settle = new Option<string?>("--settle") { Description = "How long verify waits before checking a second time (default 5s)." };
        var instructions = new Option<string[]>("--instructions")
        {
            Description = "An instructions file (an Agent Skill's SKILL.md, or its folder) the llm-tools planner is told to follow, besides the agent's own " +
                          "(spec.instructions); repeatable. Every command from it passes the guardrails like any other.",
            HelpName = "SKILL.md",
        };
        var output = CliContext.OutputOption();
        var command = new Command("run", "Run one agent session: detect, localize, diagnose, and with --allow-mutation recover and verify.")
            { file, incident, taskCard, description, inventory, stages, allow, planner, reportOut, catalog, settle, instructions, output };
        var models = new ModelFlags();
        models.AddTo(command);
        command.SetAction((p, ct) => RunAsync(new RunArguments(p.GetValue(file), p.GetValue(incident), p.GetValue(taskCard), p.GetValue(description), p.GetValue(inventory),
            p.GetValue(stages), p.GetValue(allow), p.GetValue(reportOut), p.GetValue(catalog), p.GetValue(settle), p.GetValue(output))
        {
            Planner = p.GetValue(planner)!, Models = models.Read(p), Instructions = p.GetValue(instructions) ?? [],
        }, ct));
        return command;
    }

    private sealed record RunArguments(string? File, string? Incident, string? TaskCard, string? Description, string? Inventory, string? Stages,
        bool AllowMutation, string? ReportOut, string? Catalog, string? Settle, OutputFormat Output)
    {
        public string Planner { get; init; } = "heuristic";
        public Opsmith.Llm.Tiers.ModelOverrides Models { get; init; } = Opsmith.Llm.Tiers.ModelOverrides.None;
        public IReadOnlyList<string> Instructions { get; init; } = [];
    }

    private async Task<int> RunAsync(RunArguments a, CancellationToken ct)
    {
        if (new[] { a.Incident, a.TaskCard, a.Description }.Count(x => x is not null) != 1)
            throw new UsageException("say what to work on with exactly one of --incident ID, --task-card FILE or --description TEXT");
        var stages = ParseStages(a.Stages);
        var settle = TimeSpan.FromSeconds(5);
        if (a.Settle is not null && (DurationText.Parse(a.Settle, out settle) != DurationProblem.None))
            throw new UsageException($"--settle must be a duration such as 5s, not '{a.Settle}'");

        LoadedAgent agent;
        AgentTrigger trigger;
        await using (var loading = CliServices.Open())
        {
            var loaded = await new AgentLoader(loading).LoadAsync(a.File, a.Inventory, null, a.Catalog, ct);
            if (loaded.Error is { } error) return CliServices.Fail(context, error, a.Output);
            agent = loaded.Value!;
            var extra = await AgentLoader.ReadInstructionsAsync(a.Instructions.Select(Path.GetFullPath), "--instructions", ct);
            if (extra.Error is { } extraError) return CliServices.Fail(context, extraError, a.Output);
            agent = agent with { Instructions = [.. agent.Instructions, .. extra.Value!] };
            if (agent.Instructions.Count > 0 && a.Planner != "llm-tools")
                context.Stderr.WriteLine($"note: the instructions ({agent.Instructions.Count} file(s)) are read only by --planner llm-tools; the {a.Planner} planner follows the catalog's skills");
            var made = await TriggerAsync(loading, agent, a, ct);
            if (made.Error is { } triggerError) return CliServices.Fail(context, triggerError, a.Output);
            trigger = made.Value!;
        }

        // The agent acts as itself: its runs, decisions and session are recorded as agent:NAME.
        await using var services = new OpsmithServices(CliServices.Options(), new Actor(agent.Name, ActorKind.Agent));
        var text = a.Output == OutputFormat.Text;
        var tier = agent.Definition.ModelTier;
        if (a.Planner == "llm-tools")
        {
            var loop = await new Application.Llm.ToolLoopAgent(services, text ? line => context.Stderr.WriteLine(context.Out.Dim($"[llm-tools] {TerminalText.Sanitize(line)}")) : null)
                .RunAsync(agent, trigger, a.AllowMutation, ModelFlags.Choose(services, tier, a.Models), ct);
            if (!loop.FellBack) return Print(loop, agent.Name, a);
            context.Stderr.WriteLine($"note: {Application.Llm.ModelAccess.FallbackNote("agent", loop.Investigation.FallbackReason ?? loop.Summary, "the heuristic planner")}");
        }
        var service = new AgentService(services, text ? p => context.Stderr.WriteLine(context.Out.Dim($"[{p.Stage.ToString().ToLowerInvariant()}] {TerminalText.Sanitize(p.Text)}")) : null);
        var planner = a.Planner == "llm"
            ? new Application.Llm.LlmRecoveryPlanner(services, ModelFlags.Choose(services, tier, a.Models),
                line => context.Stderr.WriteLine($"note: {TerminalText.Sanitize(line)}"))
            : null;
        var result = await service.RunAsync(new AgentRequest(agent, trigger, stages, a.AllowMutation) { SettleDelay = settle, Planner = planner }, ct);
        var document = Json(result.SessionId, agent.Name, result.Status, result.Summary, result.Trajectory);
        if (a.ReportOut is not null) await File.WriteAllTextAsync(a.ReportOut, JsonSerializer.Serialize(document, JsonOutput.Options) + "\n", CancellationToken.None);
        if (text) SessionPrinter.Print(context, result.SessionId, result.Status, result.Summary, result.Trajectory);
        else JsonOutput.Write(context.Stdout, document);
        ct.ThrowIfCancellationRequested();
        return result.Status switch
        {
            SessionStatus.Resolved or SessionStatus.Healthy or SessionStatus.Diagnosed => ExitCodes.Ok,
            SessionStatus.Escalated => ExitCodes.SkillFailed,
            SessionStatus.Cancelled => ExitCodes.Interrupted,
            _ => ExitCodes.Invalid,
        };
    }

    /// <summary>A tool-loop session: its conclusion and each tool call, or the JSON document with the same.</summary>
    private int Print(Application.Llm.ToolLoopSession loop, string agent, RunArguments a)
    {
        var result = loop.Investigation;
        var document = new
        {
            session = loop.SessionId, agent, planner = "llm-tools", status = loop.Status.ToWireName(), summary = loop.Summary, outcome = result.Outcome,
            model = result.Model, iterations = result.Iterations, tokens = result.Tokens, input_tokens = result.InputTokens, output_tokens = result.OutputTokens,
            calls = result.Calls,
        };
        if (a.ReportOut is not null) File.WriteAllText(a.ReportOut, JsonSerializer.Serialize(document, JsonOutput.Options) + "\n");
        if (a.Output == OutputFormat.Json) JsonOutput.Write(context.Stdout, document);
        else
        {
            context.Stdout.WriteLine($"session {loop.SessionId} {loop.Status.ToWireName()} ({result.Outcome.Wire()}, {result.Iterations} model calls, {result.Tokens} tokens)");
            foreach (var call in result.Calls)
                context.Stdout.WriteLine($"  {call.Iteration}. {call.Tool} {TerminalText.OneLine(call.Arguments)}{(call.Refused ? " — refused" : "")}");
            context.Stdout.WriteLine(TerminalText.Sanitize(loop.Summary));
        }
        return loop.Status switch
        {
            SessionStatus.Diagnosed => ExitCodes.Ok,
            SessionStatus.Escalated => ExitCodes.SkillFailed,
            _ => ExitCodes.Invalid,
        };
    }

    private static IReadOnlySet<AgentStage> ParseStages(string? text)
    {
        if (text is null) return AgentRequest.AllStages;
        var stages = new HashSet<AgentStage>();
        foreach (var word in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<AgentStage>(word, ignoreCase: true, out var stage) || !Enum.IsDefined(stage))
                throw new UsageException($"--stages: '{word}' is not a stage; the stages are detect, localize, diagnose, recover, verify");
            stages.Add(stage);
        }
        return stages;
    }

    private static async Task<Result<AgentTrigger>> TriggerAsync(OpsmithServices services, LoadedAgent agent, RunArguments a, CancellationToken ct)
    {
        var hosts = agent.Inventory.Hosts.Keys;
        if (a.Incident is { } id)
        {
            var incident = await (await services.IncidentsAsync(ct)).GetAsync(id, ct);
            if (incident is null) return OpsmithError.NotFound($"there is no incident {id}; 'opsmith incidents list' shows them");
            if (incident.Status == IncidentStatus.Held)
                return OpsmithError.Conflict($"incident {incident.Id} is held{(incident.Note is null ? "" : $" ({incident.Note})")}; a person must release it first (opsmith incidents unhold {incident.Id})");
            if (incident.Status == IncidentStatus.Resolved) return OpsmithError.Conflict($"incident {incident.Id} is already resolved");
            return new AgentTrigger(TriggerKind.Incident, $"{incident.Summary}: {incident.Evidence}", incident.Id,
                incident.Host.Length > 0 ? [incident.Host] : []);
        }
        if (a.TaskCard is { } cardFile)
        {
            if (!File.Exists(cardFile)) return OpsmithError.NotFound($"task card '{cardFile}' does not exist");
            var document = await DocumentValidation.LoadFileAsync(cardFile, ct, DocumentKind.TaskCard);
            if (!document.IsValid || document.TaskCard is not { } card) return OpsmithError.Invalid($"{cardFile} is not a valid task card", document);
            var words = $"{card.Target} {card.Symptom} {card.Intent}";
            return new AgentTrigger(TriggerKind.TaskCard, card.Symptom ?? card.Intent, null, HeuristicPlanner.HostsNamedIn(words, hosts));
        }
        return new AgentTrigger(TriggerKind.Description, a.Description!, null, HeuristicPlanner.HostsNamedIn(a.Description!, hosts));
    }

    private async Task<int> ListAsync(int limit, OutputFormat format, CancellationToken ct)
    {
        if (limit is < 1 or > 10_000) throw new UsageException("--limit must be between 1 and 10000");
        await using var services = CliServices.Open();
        var sessions = await (await services.SessionsAsync(ct)).ListAsync(limit, ct);
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new
            {
                sessions = sessions.Select(s => new
                {
                    id = s.Id, agent = s.Agent, actor = s.Actor, trigger = s.TriggerKind, trigger_text = s.TriggerText, incident_id = s.IncidentId,
                    status = s.Status.ToWireName(), started = s.StartedAt, finished = s.FinishedAt, summary = s.Summary, tokens = s.Tokens,
                }),
            });
            return ExitCodes.Ok;
        }
        foreach (var s in sessions)
            context.Stdout.WriteLine($"{S(s.Id),-9} {s.Status.ToWireName(),-10} {s.StartedAt:yyyy-MM-dd HH:mm:ss}Z  {S(s.Agent),-12} {S(s.TriggerKind),-11} {Short(s.Summary)}");
        if (sessions.Count == 0) context.Stdout.WriteLine("No agent sessions.");
        return ExitCodes.Ok;
    }

    private async Task<int> ShowAsync(string id, OutputFormat format, CancellationToken ct)
    {
        await using var services = CliServices.Open();
        var session = await (await services.SessionsAsync(ct)).GetAsync(id, ct);
        if (session is null) return CliServices.Fail(context, OpsmithError.NotFound($"there is no agent session {S(id)}; 'opsmith agent sessions list' shows them"), format);
        var trajectory = ReadTrajectory(session.Trajectory);
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, Json(session.Id, session.Agent, session.Status, session.Summary, trajectory) with
        {
            Trigger = session.TriggerKind, TriggerText = session.TriggerText, IncidentId = session.IncidentId, Started = session.StartedAt, Finished = session.FinishedAt,
        });
        else
        {
            context.Stdout.WriteLine(context.Out.Dim($"{session.Agent} ({session.Actor}), {session.TriggerKind}: {TerminalText.OneLine(session.TriggerText)}; started {session.StartedAt:u}"));
            SessionPrinter.Print(context, session.Id, session.Status, session.Summary, trajectory);
        }
        return ExitCodes.Ok;
    }

    /// <summary>The stored trajectory; a session whose process died before writing one reads as empty.</summary>
    internal static AgentTrajectory ReadTrajectory(string json)
    {
        try { return JsonSerializer.Deserialize<AgentTrajectory>(json, JsonOutput.Options) ?? AgentTrajectory.Empty; }
        catch (JsonException) { return AgentTrajectory.Empty; }
    }

    internal sealed record SessionDocument(string SessionId, string Agent, string Status, string Summary, AgentTrajectory Trajectory)
    {
        public string? Trigger { get; init; }
        public string? TriggerText { get; init; }
        public string? IncidentId { get; init; }
        public DateTimeOffset? Started { get; init; }
        public DateTimeOffset? Finished { get; init; }
    }

    private static SessionDocument Json(string id, string agent, SessionStatus status, string summary, AgentTrajectory trajectory) =>
        new(id, agent, status.ToWireName(), summary, trajectory);

    private static string S(string? text) => TerminalText.OneLine(text);

    private static string Short(string text)
    {
        var line = TerminalText.OneLine(text.Replace('\n', ' '));
        return line.Length > 80 ? line[..80] + "…" : line;
    }
}
