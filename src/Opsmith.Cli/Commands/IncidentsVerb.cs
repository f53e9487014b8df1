using System.CommandLine;
using Opsmith.Application;
using Opsmith.Cli.Output;
using Opsmith.Storage.Incidents;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith incidents list|show|hold|unhold|resolve</c>: what the monitor found (docs/agent.md). A held incident is not
/// acted on by an agent until a person releases it with <c>unhold</c>. Every change is an audit record naming who made it.
/// </summary>
public sealed class IncidentsVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith incidents list",
        "opsmith incidents list --status open --output json",
        "opsmith incidents show in-7f3k2",
        "opsmith incidents hold in-7f3k2 --note \"investigating by hand\"",
        "opsmith incidents unhold in-7f3k2",
        "opsmith incidents resolve in-7f3k2 --note \"fixed the config by hand\"",
    ];

    public Command Build()
    {
        var incidents = new Command("incidents", "See the incidents the monitor opened, and hold, release or resolve them.");
        var status = new Option<string?>("--status") { Description = "Only incidents with this status: open, held, resolved." };
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first.", DefaultValueFactory = _ => 50 };
        var listOutput = CliContext.OutputOption();
        var list = new Command("list", "List incidents, newest first.") { status, limit, listOutput };
        list.SetAction((p, ct) => ListAsync(p.GetValue(status), p.GetValue(limit), p.GetValue(listOutput), ct));

        var showId = IdArgument();
        var showOutput = CliContext.OutputOption();
        var show = new Command("show", "Show one incident: the invariant, the host, the evidence, who changed it last.") { showId, showOutput };
        show.SetAction((p, ct) => ShowAsync(p.GetValue(showId)!, p.GetValue(showOutput), ct));

        incidents.Subcommands.Add(list);
        incidents.Subcommands.Add(show);
        incidents.Subcommands.Add(ChangeCommand("hold", "Hold an open incident: no agent acts on it until a person releases it.", IncidentStatus.Held));
        incidents.Subcommands.Add(ChangeCommand("unhold", "Release a held incident: it is open again and agents may act on it.", IncidentStatus.Open));
        incidents.Subcommands.Add(ChangeCommand("resolve", "Resolve an incident (the monitor also resolves one when its invariant is green again).", IncidentStatus.Resolved));
        return incidents;
    }

    private Command ChangeCommand(string name, string description, IncidentStatus to)
    {
        var id = IdArgument();
        var note = new Option<string?>("--note") { Description = "Why: kept with the incident and in the audit trail." };
        var output = CliContext.OutputOption();
        var command = new Command(name, description) { id, note, output };
        command.SetAction((p, ct) => ChangeAsync(p.GetValue(id)!, to, p.GetValue(note), p.GetValue(output), ct));
        return command;
    }

    private static Argument<string> IdArgument() => new("ID") { Description = "The incident's id, such as in-7f3k2 (from incidents list)." };

    private async Task<int> ListAsync(string? statusText, int limit, OutputFormat format, CancellationToken ct)
    {
        IncidentStatus? status = null;
        if (statusText is not null)
        {
            if (!IncidentStatusNames.TryParse(statusText, out var parsed)) throw new UsageException($"--status must be open, held or resolved, not '{statusText}'");
            status = parsed;
        }
        if (limit is < 1 or > 10_000) throw new UsageException("--limit must be between 1 and 10000");
        await using var services = CliServices.Open();
        var incidents = await (await services.IncidentsAsync(ct)).ListAsync(status, limit, ct);
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new { incidents = incidents.Select(Json) });
            return ExitCodes.Ok;
        }
        foreach (var i in incidents)
        {
            var state = i.Status switch
            {
                IncidentStatus.Open => context.Out.Red("open    "),
                IncidentStatus.Held => context.Out.Yellow("held    "),
                _ => context.Out.Green("resolved"),
            };
            context.Stdout.WriteLine($"{S(i.Id),-9} {state} {i.OpenedAt:yyyy-MM-dd HH:mm}Z  x{i.Occurrences,-4} {S(i.Host),-10} {S(i.Invariant),-22} {Short(i.Evidence)}");
        }
        if (incidents.Count == 0) context.Stdout.WriteLine(status is null ? "No incidents." : $"No {status.Value.ToWireName()} incidents.");
        return ExitCodes.Ok;
    }

    private async Task<int> ShowAsync(string id, OutputFormat format, CancellationToken ct)
    {
        await using var services = CliServices.Open();
        var incident = await (await services.IncidentsAsync(ct)).GetAsync(id, ct);
        if (incident is null) return CliServices.Fail(context, OpsmithError.NotFound($"there is no incident {S(id)}; 'opsmith incidents list' shows them all."), format);
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, Json(incident));
        else Print(incident);
        return ExitCodes.Ok;
    }

    private async Task<int> ChangeAsync(string id, IncidentStatus to, string? note, OutputFormat format, CancellationToken ct)
    {
        var actor = CliServices.CurrentActor();
        await using var services = CliServices.Open();
        var change = await (await services.IncidentsAsync(ct)).SetStatusAsync(id, to, actor.ToString(), note, ct);
        if (change is { Changed: false, Incident: null }) return CliServices.Fail(context, OpsmithError.NotFound(TerminalText.Sanitize(change.Message)), format);
        if (format == OutputFormat.Json)
            JsonOutput.Write(context.Stdout, new { changed = change.Changed, message = change.Message, incident = change.Incident is { } i ? Json(i) : null });
        if (!change.Changed) return format == OutputFormat.Json ? ExitCodes.Invalid : context.Fail(TerminalText.Sanitize(change.Message), ExitCodes.Invalid);
        if (format == OutputFormat.Text) context.Stdout.WriteLine($"{TerminalText.Sanitize(change.Message)} (by {S(actor.ToString())})");
        return ExitCodes.Ok;
    }

    private void Print(Incident i)
    {
        (string, string?)[] fields =
        [
            ("id", i.Id), ("status", i.Status.ToWireName()), ("invariant", i.Invariant), ("host", i.Host.Length > 0 ? i.Host : "(none)"),
            ("summary", i.Summary), ("evidence", i.Evidence), ("seen", $"{i.Occurrences} time(s), last at {i.LastSeenAt:u}"),
            ("opened", i.OpenedAt.ToString("u")), ("changed by", $"{i.ChangedBy} at {i.UpdatedAt:u}"), ("note", i.Note),
            ("session", i.SessionId), ("resolved", i.ResolvedAt?.ToString("u")),
        ];
        foreach (var (name, value) in fields)
            if (value is not null) context.Stdout.WriteLine($"{name,-10} {TerminalText.Sanitize(value)}");
    }

    internal static Dictionary<string, object?> Json(Incident i) => new()
    {
        ["id"] = i.Id, ["status"] = i.Status.ToWireName(), ["invariant"] = i.Invariant, ["host"] = i.Host, ["summary"] = i.Summary,
        ["evidence"] = i.Evidence, ["occurrences"] = i.Occurrences, ["opened"] = i.OpenedAt, ["last_seen"] = i.LastSeenAt,
        ["updated"] = i.UpdatedAt, ["changed_by"] = i.ChangedBy, ["note"] = i.Note, ["session_id"] = i.SessionId, ["resolved"] = i.ResolvedAt,
    };

    private static string S(string? text) => TerminalText.OneLine(text);

    private static string Short(string text)
    {
        var line = TerminalText.OneLine(text.Replace('\n', ' '));
        return line.Length > 70 ? line[..70] + "…" : line;
    }
}
