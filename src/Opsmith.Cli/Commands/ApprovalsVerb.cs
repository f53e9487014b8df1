using System.CommandLine;
using Opsmith.Application;
using Opsmith.Cli.Output;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith approvals list|show|approve|deny</c>: the steps waiting for a person (docs/approvals.md). Requests live in
/// the audit database (SQLite <c>audit.db</c> in the data folder, or PostgreSQL with OPSMITH_AUDIT_POSTGRES). Every
/// command first applies the expiry outcome to overdue requests, so what it shows is what the executor will see.
/// </summary>
public sealed class ApprovalsVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith approvals list",
        "opsmith approvals list --status approved --output json",
        "opsmith approvals show ap-7f3k2",
        "opsmith approvals approve ap-7f3k2 --note \"checked the replica lag first\"",
        "opsmith approvals deny ap-7f3k2 --note \"not during the sale\"",
    ];

    public Command Build()
    {
        var approvals = new Command("approvals", "See and decide the steps waiting for a person's approval (four-eyes: never your own).");

        var status = new Option<string?>("--status") { Description = $"Only requests with this status: {string.Join(", ", ApprovalStatusNames.All)}." };
        var listOutput = CliContext.OutputOption();
        var list = new Command("list", "List approval requests, oldest first.") { status, listOutput };
        list.SetAction((p, ct) => ListAsync(p.GetValue(status), p.GetValue(listOutput), ct));

        var showId = IdArgument();
        var showOutput = CliContext.OutputOption();
        var show = new Command("show", "Show one request in full: who proposed what, where, why, and its decision.") { showId, showOutput };
        show.SetAction((p, ct) => ShowAsync(p.GetValue(showId)!, p.GetValue(showOutput), ct));

        approvals.Subcommands.Add(list);
        approvals.Subcommands.Add(show);
        approvals.Subcommands.Add(DecideCommand("approve", "Approve a pending request you did not propose; its step then runs.", approve: true));
        approvals.Subcommands.Add(DecideCommand("deny", "Deny a pending request you did not propose; its step does not run.", approve: false));
        return approvals;
    }

    private Command DecideCommand(string name, string description, bool approve)
    {
        var id = IdArgument();
        var note = new Option<string?>("--note") { Description = "Why: kept with the request and in the audit trail." };
        var output = CliContext.OutputOption();
        var command = new Command(name, description) { id, note, output };
        command.SetAction((p, ct) => DecideAsync(p.GetValue(id)!, p.GetValue(note), approve, p.GetValue(output), ct));
        return command;
    }

    private static Argument<string> IdArgument() => new("ID") { Description = "The request's id, such as ap-7f3k2 (from approvals list)." };

    private async Task<int> ListAsync(string? statusText, OutputFormat format, CancellationToken ct)
    {
        ApprovalStatus? status = null;
        if (statusText is not null)
        {
            if (!ApprovalStatusNames.TryParse(statusText, out var parsed))
                throw new UsageException($"--status must be one of {string.Join(", ", ApprovalStatusNames.All)}, not '{statusText}'");
            status = parsed;
        }
        await using var audit = await AuditVerb.OpenAsync(ct);
        var approvals = await OpenAsync(audit, ct);
        var requests = await approvals.ListAsync(status, ct);
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new { requests = requests.Select(Json) });
            return ExitCodes.Ok;
        }
        foreach (var r in requests)
            context.Stdout.WriteLine($"{S(r.Id),-9} {r.Status.ToWireName(),-9} {r.Expires:yyyy-MM-dd HH:mm}Z  {S(r.Proposer),-16} {S(r.Host),-12} {S(r.Tier),-16} {S(r.Skill)} {S(r.Step)}: {OneLine(r.Command)}");
        if (requests.Count == 0)
            context.Stdout.WriteLine(status is null ? "No approval requests." : $"No {status.Value.ToWireName()} approval requests.");
        return ExitCodes.Ok;
    }

    private async Task<int> ShowAsync(string id, OutputFormat format, CancellationToken ct)
    {
        await using var audit = await AuditVerb.OpenAsync(ct);
        var approvals = await OpenAsync(audit, ct);
        var request = await approvals.GetAsync(ApprovalIds.Normalize(id), ct);
        if (request is null) return CliServices.Fail(context, OpsmithError.NotFound($"there is no approval request {S(id)}; 'opsmith approvals list' shows them all"), format);
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, Json(request));
        else Print(request);
        return ExitCodes.Ok;
    }

    private async Task<int> DecideAsync(string id, string? note, bool approve, OutputFormat format, CancellationToken ct)
    {
        var actor = CliServices.CurrentActor();
        await using var audit = await AuditVerb.OpenAsync(ct);
        var approvals = await OpenAsync(audit, ct);
        var result = approve
            ? await approvals.ApproveAsync(id, actor, note, ct)
            : await approvals.DenyAsync(id, actor, note, ct);
        if (format == OutputFormat.Json)
            JsonOutput.Write(context.Stdout, new
            {
                decided = result.Succeeded,
                result = result.Kind switch
                {
                    ApprovalResultKind.Decided => "decided",
                    ApprovalResultKind.NotFound => "not-found",
                    ApprovalResultKind.AlreadyDecided => "already-decided",
                    ApprovalResultKind.Expired => "expired",
                    _ => "not-allowed",
                },
                message = result.Message,
                request = result.Request is { } r ? Json(r) : null,
            });
        if (!result.Succeeded)
        {
            context.Stderr.WriteLine($"Error: {TerminalText.Sanitize(result.Message)}");
            // An id that names nothing is a lookup that failed, as in every verb (docs/cli.md, exit codes).
            return result.Kind == ApprovalResultKind.NotFound ? ExitCodes.Usage : ExitCodes.Invalid;
        }
        if (format == OutputFormat.Text)
        {
            var r = result.Request!;
            var line = approve
                ? context.Out.Green($"Approved {S(r.Id)} as {S(actor.ToString())}: {S(r.Step)} on {S(r.Host)} may run.")
                : context.Out.Red($"Denied {S(r.Id)} as {S(actor.ToString())}: {S(r.Step)} on {S(r.Host)} will not run.");
            context.Stdout.WriteLine(line);
        }
        return ExitCodes.Ok;
    }

    /// <summary>Expiry and what happens then come from the configuration (docs/configuration.md).</summary>
    private static async Task<IApprovalStore> OpenAsync(IAuditStore audit, CancellationToken ct)
    {
        var approvals = ApprovalStores.For(audit, CliServices.Options().Policy, TimeProvider.System);
        await approvals.ExpireDueAsync(TimeProvider.System.GetUtcNow(), ct);
        return approvals;
    }

    private void Print(ApprovalRequest r)
    {
        (string, string?)[] fields =
        [
            ("id", r.Id), ("status", r.Status.ToWireName()), ("run", r.RunId), ("proposer", r.Proposer), ("skill", r.Skill),
            ("host", r.Host), ("step", r.Step), ("tier", r.Tier), ("command", r.Command), ("reason", r.Reason),
            ("created", r.Created.ToString("u")), ("expires", r.Expires.ToString("u")), ("decided by", r.DecidedBy),
            ("decided at", r.DecidedAt?.ToString("u")), ("note", r.DecisionNote),
        ];
        foreach (var (name, value) in fields)
            if (value is not null) context.Stdout.WriteLine($"{name,-10} {TerminalText.Sanitize(value)}");
    }

    private static Dictionary<string, object?> Json(ApprovalRequest r) => new()
    {
        ["id"] = r.Id, ["status"] = r.Status.ToWireName(), ["run_id"] = r.RunId, ["proposer"] = r.Proposer, ["skill"] = r.Skill,
        ["skill_hash"] = r.SkillHash, ["host"] = r.Host, ["step"] = r.Step, ["command"] = r.Command, ["tier"] = r.Tier,
        ["reason"] = r.Reason, ["created"] = r.Created, ["expires"] = r.Expires, ["decided_by"] = r.DecidedBy,
        ["decided_at"] = r.DecidedAt, ["note"] = r.DecisionNote,
    };

    /// <summary>Values in a list row came from outside: on one line, shown and not obeyed by the terminal.</summary>
    private static string S(string? text) => TerminalText.OneLine(text);

    private static string OneLine(string text)
    {
        var line = TerminalText.OneLine(text.Replace('\n', ' '));
        return line.Length > 80 ? line[..80] + "…" : line;
    }
}
