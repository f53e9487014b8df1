using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Opsmith.Application.Catalog;
using Opsmith.Application.Runs;
using Opsmith.Core.Rendering;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Execution.Hosts;

namespace Opsmith.Application.Llm;

/// <summary>
/// The tools a model investigates with. Each one goes where a person's command would: skills through
/// <see cref="RunService"/> (policy, approvals, audit, rollback), the model's own commands through the executor as
/// an agent's investigation (reads run, anything more is refused or waits for a person), and every result is masked
/// before the model sees it. Secret inputs of a skill come from the tool layer only: whatever the model writes for
/// them is dropped.
/// </summary>
internal sealed class InvestigationTools(OpsmithServices services, IReadOnlyList<CatalogEntry> skills, InvestigationRequest request, SecretMasker masker)
{
    public const string Report = "report";

    public static IReadOnlyList<AITool> Declarations { get; } =
    [
        Declare("list_skills", "Lists the skills you may run: name, stage, title, inputs.", """{"type":"object","properties":{"stage":{"type":"string","enum":["detection","diagnosis","recovery","verification"]}}}"""),
        Declare("describe_skill", "Describes one skill: inputs, risk, steps, success criteria, rollback.", """{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}"""),
        Declare("run_skill", "Runs a skill through Opsmith's guardrails (policy, approvals, audit, rollback) and returns its report.",
            """{"type":"object","properties":{"name":{"type":"string"},"inputs":{"type":"object","additionalProperties":{"type":"string"}}},"required":["name"]}"""),
        Declare("query_prometheus", "Runs an instant PromQL query against the environment's Prometheus.", """{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}"""),
        Declare("read_file", "Reads the last lines of a file on a host (read-only).", """{"type":"object","properties":{"host":{"type":"string"},"path":{"type":"string"},"lines":{"type":"integer"}},"required":["host","path"]}"""),
        Declare("read_logs", "Reads the last lines of a systemd unit's journal on a host (read-only).", """{"type":"object","properties":{"host":{"type":"string"},"unit":{"type":"string"},"lines":{"type":"integer"}},"required":["host","unit"]}"""),
        Declare("run_command", "Runs one shell command on a host. It is classified like any step: read-only commands run; anything that changes the host is refused or needs a person's approval.",
            """{"type":"object","properties":{"host":{"type":"string"},"command":{"type":"string"}},"required":["host","command"]}"""),
        Declare(Report, "Ends the investigation with your conclusion. Call it once you know, or when told to.",
            """{"type":"object","properties":{"conclusion":{"type":"string"},"hypothesis":{"type":"string"},"next_step":{"type":"string"}},"required":["conclusion"]}"""),
    ];

    public static AITool ReportTool => Declarations.Single(t => t.Name == Report);

    private static AITool Declare(string name, string description, string schema) =>
        AIFunctionFactory.CreateDeclaration(name, description, JsonDocument.Parse(schema).RootElement.Clone());

    /// <summary>Runs one call; the text goes back to the model (masked and capped), <c>Refused</c> says the guardrails stopped it.</summary>
    public async Task<(string Text, bool Refused)> CallAsync(string tool, IDictionary<string, object?> arguments, CancellationToken ct)
    {
        var (text, refused) = tool switch
        {
            "list_skills" => (ListSkills(Arg(arguments, "stage")), false),
            "describe_skill" => (Describe(Arg(arguments, "name")), false),
            "run_skill" => await RunSkillAsync(Arg(arguments, "name"), arguments.TryGetValue("inputs", out var inputs) ? inputs : null, ct),
            "query_prometheus" => (await QueryPrometheusAsync(Arg(arguments, "query"), ct), false),
            "read_file" => await CommandAsync(Arg(arguments, "host"),
                $"tail -n {Lines(arguments)} -- {ShellQuote.Quote(Arg(arguments, "path") ?? "")}", ct),
            "read_logs" => await CommandAsync(Arg(arguments, "host"),
                $"journalctl --no-pager -n {Lines(arguments)} -u {ShellQuote.Quote(Arg(arguments, "unit") ?? "")}", ct),
            "run_command" => await CommandAsync(Arg(arguments, "host"), Arg(arguments, "command"), ct),
            _ => ($"there is no tool '{tool}'; the tools are {string.Join(", ", Declarations.Select(d => d.Name))}", true),
        };
        return (masker.ApplyAndTruncate(text, request.Budget.MaxToolResultChars), refused);
    }

    public static string? Arg(IDictionary<string, object?> arguments, string name) =>
        arguments.TryGetValue(name, out var value) && value is not null
            ? value is JsonElement { ValueKind: JsonValueKind.String } s ? s.GetString() : value.ToString()
            : null;

    private static int Lines(IDictionary<string, object?> arguments) =>
        int.TryParse(Arg(arguments, "lines"), out var n) ? Math.Clamp(n, 1, 500) : 100;

    private IEnumerable<CatalogEntry> Allowed => skills;

    private CatalogEntry? Find(string? name) => skills.FirstOrDefault(s => s.Name == name);

    /// <summary>Whether an allowlist (names or globs) lets a skill run; an empty one lets every skill.</summary>
    public static bool IsAllowed(IReadOnlyList<string> allowlist, string name) =>
        allowlist.Count == 0 || allowlist.Any(pattern => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false));

    private string ListSkills(string? stage)
    {
        var lines = Allowed.Where(s => stage is null || YamlNames.Of(s.Skill.Metadata.Stage) == stage)
            .Select(s => $"{s.Name} [{YamlNames.Of(s.Skill.Metadata.Stage)}, {YamlNames.Of(s.Skill.Spec.Risk)}]: {s.Skill.Metadata.Title}; inputs: " +
                         string.Join(", ", s.Skill.Spec.Inputs.Select(i => i.Name + (i.Secret ? " (secret, supplied by Opsmith)" : ""))));
        var text = string.Join("\n", lines);
        return text.Length == 0 ? "no skill matches" : text;
    }

    private string Describe(string? name)
    {
        if (Find(name) is not { } entry) return $"there is no skill '{name}' you may run; list_skills shows them";
        var skill = entry.Skill;
        var text = new StringBuilder();
        text.AppendLine($"{skill.Name}: {skill.Metadata.Title} — {skill.Metadata.Description}");
        text.AppendLine($"stage {YamlNames.Of(skill.Metadata.Stage)}, risk {YamlNames.Of(skill.Spec.Risk)}, targets {skill.Spec.Targets}");
        foreach (var input in skill.Spec.Inputs)
            text.AppendLine($"input {input.Name} ({YamlNames.Of(input.Type)}{(input.Required ? ", required" : "")}{(input.Secret ? ", secret: supplied by Opsmith" : "")}" +
                            $"{(input.Default is { } d && !input.Secret ? $", default {d}" : "")}): {input.Description}");
        foreach (var action in skill.Spec.Actions) text.AppendLine($"action {action.Name} [{YamlNames.Of(action.Risk)}]");
        foreach (var check in skill.Spec.SuccessCriteria) text.AppendLine($"success criterion {check.Name}");
        return text.ToString();
    }

    private async Task<(string, bool)> RunSkillAsync(string? name, object? inputs, CancellationToken ct)
    {
        if (Find(name) is not { } entry) return ($"there is no skill '{name}' you may run; list_skills shows them", true);
        var given = new Dictionary<string, string>();
        var dropped = new List<string>();
        if (inputs is JsonElement { ValueKind: JsonValueKind.Object } map)
            foreach (var property in map.EnumerateObject())
            {
                // Credentials come from the tool layer: a model's value for a secret input is never used.
                if (entry.Skill.Spec.FindInput(property.Name) is { Secret: true }) dropped.Add(property.Name);
                else given[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        var result = await services.Runs.RunAsync(new RunSpec(entry.File, request.InventoryFile, given, RunMode.Execute, Autonomy: request.Autonomy,
            Secrets: request.Secrets), null, ct);
        var note = dropped.Count > 0 ? $"(ignored your values for {string.Join(", ", dropped)}: secret inputs are supplied by Opsmith)\n" : "";
        if (result.Error is { } error) return (note + $"not run: {error.Message}", true);
        return (note + Summarize(result.Value!), false);
    }

    /// <summary>A run report as the model reads it: verdict, then each step with its verdict and a little output.</summary>
    private static string Summarize(Execution.Runs.RunReport report)
    {
        var text = new StringBuilder($"run {report.RunId} of {report.Skill}: {report.Verdict.Wire()}\n");
        foreach (var host in report.Hosts)
        {
            text.AppendLine($"host {host.Host}: {host.Verdict.Wire()}{(host.Error is { } e ? $" ({e})" : "")}");
            foreach (var step in host.Steps)
                text.AppendLine($"  {step.Section.Wire()}/{step.Name}: {step.Verdict.Wire()}" +
                                $"{(step.Detail is { Length: > 0 } d ? $" — {d}" : "")}{(step.Stdout is { Length: > 0 } o ? $"\n    {Cap(o, 400)}" : "")}");
        }
        return text.ToString();
    }

    private async Task<(string, bool)> CommandAsync(string? host, string? command, CancellationToken ct)
    {
        if (host is null || string.IsNullOrWhiteSpace(command)) return ("give a host and a command", true);
        var ran = await services.Runs.RunInvestigationCommandAsync(new InvestigationCommand(request.InventoryFile, host, command, request.Autonomy,
            TimeSpan.FromSeconds(60)), ct);
        if (ran.Error is { } error) return ($"not run: {error.Message}", true);
        var (_, result, approval, why) = ran.Value!;
        if (approval is not null)
            return ($"not run: the policy needs a person's approval first (request {approval}): {why}. Try another read-only way meanwhile.", true);
        if (result.Status == CommandStatus.Refused) return ($"refused by Opsmith's policy: {result.Error}", true);
        if (result.Status != CommandStatus.Completed) return ($"{result.Status.ToString().ToLowerInvariant()}: {result.Error}", false);
        return ($"exit {result.ExitCode}\n{Cap(result.Stdout, 3000)}{(result.Stderr.Length > 0 ? $"\nstderr: {Cap(result.Stderr, 1000)}" : "")}", false);
    }

    private async Task<string> QueryPrometheusAsync(string? query, CancellationToken ct)
    {
        if (request.Prometheus is null) return "no Prometheus is configured for this environment";
        if (string.IsNullOrWhiteSpace(query)) return "give a PromQL query";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        try
        {
            var url = new Uri($"{request.Prometheus.AbsoluteUri.TrimEnd('/')}/api/v1/query?query={Uri.EscapeDataString(query)}");
            using var response = await http.GetAsync(url, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return $"HTTP {(int)response.StatusCode}\n{Cap(body, 3000)}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"Prometheus at {request.Prometheus} cannot be queried: {e.Message}";
        }
    }

    private static string Cap(string text, int max) => text.Length > max ? text[..max] + "…" : text;
}
