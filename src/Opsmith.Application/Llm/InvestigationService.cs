using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Opsmith.Application.Catalog;
using Opsmith.Core.Rendering;
using Opsmith.Llm.Providers;

namespace Opsmith.Application.Llm;

/// <summary>
/// The model's tool loop (<c>--planner llm-tools</c>): the model investigates with <see cref="InvestigationTools"/>
/// until it calls <c>report</c>. Budgets keep it bounded — model calls, tokens per session and per answer; the
/// conversation is pruned to the goal plus a sliding window; the same call repeated is answered from memory and
/// then ends the loop; on the last iteration (or when the token budget is nearly spent) the model may only call
/// <c>report</c>. When the model cannot be used, nothing is investigated by it and the result says so
/// (<see cref="InvestigationOutcome.Fallback"/>), so the caller runs its deterministic planner.
/// </summary>
public sealed class InvestigationService(OpsmithServices services, Action<string>? progress = null)
{
    private const int RepeatsBeforeStop = 2;

    public async Task<InvestigationResult> RunAsync(InvestigationRequest request, ModelChoice model, CancellationToken ct)
    {
        if (model.Client is not { } client) return Fallback(model.FallbackReason, 0, 0, 0, []);
        var skills = request.Skills ?? (await SkillCatalog.LoadAsync(request.SkillsFolder, services.Linter, ct)).Skills
            .Where(s => InvestigationTools.IsAllowed(request.AllowedSkills, s.Name)).ToList();
        var masker = services.NewMasker();
        var tools = new InvestigationTools(services, skills, request, masker);
        var budget = request.Budget;
        var reducer = new SlidingWindowReducer(budget.KeepMessages);
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, masker.Apply(SystemPrompt + Instructions(request.Instructions))),
            new(ChatRole.User, masker.Apply($"Investigate: {request.Goal}\nThe inventory's hosts are reached by name. Call report with your conclusion.")),
        };
        var calls = new List<ToolCallRecord>();
        var seen = new Dictionary<string, (int Count, string Result)>(StringComparer.Ordinal);
        long input = 0, output = 0;
        var forceReport = false;
        for (var iteration = 1; iteration <= budget.Iterations; iteration++)
        {
            var last = iteration == budget.Iterations || forceReport || input + output >= budget.TokensPerSession - budget.TokensPerCall;
            if (last && !forceReport)
            {
                messages.Add(new ChatMessage(ChatRole.User, "This is your last turn: call report now with what you know."));
                forceReport = true;
            }
            var options = new ChatOptions
            {
                Tools = last ? [InvestigationTools.ReportTool] : [.. InvestigationTools.Declarations],
                ToolMode = last ? ChatToolMode.RequireSpecific(InvestigationTools.Report) : ChatToolMode.Auto,
                MaxOutputTokens = budget.TokensPerCall,
            };
            ChatResponse response;
            try
            {
                response = await client.GetResponseAsync(await reducer.ReduceAsync(messages, ct), options, ct);
            }
            catch (ModelCallException e)
            {
                Say($"the model failed: {e.Message}");
                return calls.Count == 0 ? Fallback(masker.Apply(e.Message), input, output, iteration, calls)
                    : Concluded(InvestigationOutcome.NoReport, FromEvidence(calls, $"the model failed mid-investigation ({masker.Apply(e.Message)})"), calls, input, output, iteration, model);
            }
            input += response.Usage?.InputTokenCount ?? 0;
            output += response.Usage?.OutputTokenCount ?? 0;
            messages.AddRange(response.Messages.Select(m => Masked(m, masker)));
            var requested = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (requested.Count == 0)
            {
                if (iteration == 1 && ModelAnswers.IsRefusal(response))
                    return Fallback($"the model declined: {Short(response.Text)}", input, output, iteration, calls);
                if (last) break;
                messages.Add(new ChatMessage(ChatRole.User, "Use the tools to investigate, and call report to conclude; a plain answer is not read."));
                continue;
            }
            // Made to report, it did something else: nothing more runs.
            if (last && requested.All(c => c.Name != InvestigationTools.Report)) break;
            var results = new List<AIContent>();
            foreach (var call in requested)
            {
                var arguments = call.Arguments ?? new Dictionary<string, object?>();
                if (call.Name == InvestigationTools.Report)
                {
                    var conclusion = masker.Apply(InvestigationTools.Arg(arguments, "conclusion") ?? response.Text);
                    var hypothesis = InvestigationTools.Arg(arguments, "hypothesis");
                    Say($"report: {conclusion}");
                    return Concluded(forceReport ? InvestigationOutcome.ForcedReport : InvestigationOutcome.Reported,
                        hypothesis is { Length: > 0 } ? $"{conclusion} (hypothesis: {masker.Apply(hypothesis)})" : conclusion, calls, input, output, iteration, model)
                        with { Hypothesis = hypothesis is { Length: > 0 } ? masker.Apply(hypothesis) : null };
                }
                var signature = call.Name + " " + JsonSerializer.Serialize(arguments);
                string text;
                bool refused;
                if (seen.TryGetValue(signature, out var before))
                {
                    seen[signature] = (before.Count + 1, before.Result);
                    text = $"You already called {call.Name} with these arguments; the answer has not changed:\n{before.Result}\nDo something else, or report.";
                    refused = false;
                    if (before.Count + 1 >= RepeatsBeforeStop + 1) forceReport = true;
                    else if (before.Count + 1 >= RepeatsBeforeStop) Say($"loop: {call.Name} repeated");
                }
                else
                {
                    (text, refused) = await tools.CallAsync(call.Name, arguments, ct);
                    seen[signature] = (1, text);
                }
                Say($"{call.Name} {masker.Apply(JsonSerializer.Serialize(arguments))}: {Short(text)}");
                calls.Add(new ToolCallRecord(iteration, call.Name, masker.Apply(JsonSerializer.Serialize(arguments)), text, refused));
                results.Add(new FunctionResultContent(call.CallId, text));
            }
            messages.Add(new ChatMessage(ChatRole.Tool, results));
        }
        return Concluded(InvestigationOutcome.NoReport, FromEvidence(calls, "the model did not report even when told to"), calls, input, output, budget.Iterations, model);
    }

    private const string SystemPrompt =
        "You are Opsmith's investigating SRE. Find out what is wrong using the tools. Read before you act: run_command, " +
        "read_file and read_logs may only read; changes are made only by running a skill (run_skill), and Opsmith's policy may refuse or " +
        "ask a person to approve. Never ask for or write credentials: Opsmith supplies secret inputs itself. When you know, call report " +
        "with a short conclusion, the most likely hypothesis, and the next step.";

    /// <summary>
    /// An agent's instructions, after the system prompt: the model is told to follow them, and that they change nothing
    /// about what it may do (the system prompt, which the sliding window always keeps, carries them).
    /// </summary>
    private static string Instructions(IReadOnlyList<Agents.AgentInstructions> instructions) =>
        instructions.Count == 0 ? "" : "\n\nYour team gave you these procedures. Follow them where they apply to this investigation; every command in " +
            "them is still classified and may be refused or need a person's approval, like any other.\n" +
            string.Join("\n", instructions.Select(i => $"\n--- procedure {Path.GetFileName(Path.GetDirectoryName(i.File))}/{Path.GetFileName(i.File)} ---\n{i.Text.Trim()}\n--- end of procedure ---"));

    private void Say(string line) => progress?.Invoke(line);

    private static object? MaskedValue(object? value, SecretMasker masker)
    {
        if (value is null) return null;
        var text = value is JsonElement { ValueKind: JsonValueKind.String } s ? s.GetString()! : value.ToString()!;
        var masked = masker.Apply(text);
        return value is JsonElement { ValueKind: not JsonValueKind.String } && masked == text ? value : masked;
    }

    /// <summary>The model's own message as it goes back into the conversation: its text and call arguments masked too.</summary>
    private static ChatMessage Masked(ChatMessage message, SecretMasker masker) => new(message.Role, message.Contents.Select(c => c switch
    {
        TextContent text => new TextContent(masker.Apply(text.Text)),
        FunctionCallContent call => new FunctionCallContent(call.CallId, call.Name,
            call.Arguments?.ToDictionary(a => a.Key, a => MaskedValue(a.Value, masker))),
        _ => c,
    }).ToList());

    private static string Short(string text) => text.Length > 160 ? text[..160].ReplaceLineEndings(" ") + "…" : text.ReplaceLineEndings(" ");

    /// <summary>The conclusion Opsmith writes when the model gave none: what was tried and what came back.</summary>
    private static string FromEvidence(IReadOnlyList<ToolCallRecord> calls, string why)
    {
        var text = new StringBuilder($"No conclusion from the model: {why}. ");
        text.Append(calls.Count == 0 ? "No tool was called." : $"Evidence from {calls.Count} tool calls: " +
            string.Join("; ", calls.TakeLast(5).Select(c => $"{c.Tool}({c.Arguments}) → {Short(c.Result)}")));
        return text.ToString();
    }

    private static InvestigationResult Concluded(InvestigationOutcome outcome, string conclusion, IReadOnlyList<ToolCallRecord> calls, long input, long output,
        int iterations, ModelChoice model) =>
        new(outcome, conclusion, calls, input, output, iterations, model.Endpoint?.ToString(), null);

    private static InvestigationResult Fallback(string reason, long input, long output, int iterations, IReadOnlyList<ToolCallRecord> calls) =>
        new(InvestigationOutcome.Fallback, $"no model investigation: {reason}", calls, input, output, iterations, null, reason);
}
