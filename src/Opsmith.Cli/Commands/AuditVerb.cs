using Opsmith.Application;
using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using System.CommandLine;
using Opsmith.Cli.Output;
using Opsmith.Core.Text;
using Opsmith.Storage.Audit;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith audit list|show|verify|export</c>: read the hash-chained audit trail (docs/audit.md).
/// The trail is SQLite in the data folder, or PostgreSQL when OPSMITH_AUDIT_POSTGRES holds a connection string.
/// </summary>
public sealed class AuditVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith audit list --since 2h --host web1",
        "opsmith audit show 42",
        "opsmith audit verify",
        "opsmith audit export --format jsonl > audit.jsonl",
        "opsmith audit summarize 3f2a9c…            # a short account of one run (the fast model tier, or extractive)",
    ];

    public Command Build()
    {
        var audit = new Command("audit", "Read and verify the tamper-evident audit trail of every decision and command.");

        var since = new Option<string?>("--since") { Description = "Only records from this long ago (2h, 1d) or since this time (2026-11-21T10:00Z)." };
        var skill = new Option<string?>("--skill") { Description = "Only records of this skill." };
        var host = new Option<string?>("--host") { Description = "Only records about this host." };
        var decision = new Option<string?>("--decision") { Description = "Only decisions with this outcome: allowed, blocked, approval-requested, approval-granted, approval-denied, approval-expired." };
        var limit = new Option<int>("--limit") { Description = "At most this many records, newest last.", DefaultValueFactory = _ => 100 };
        var output = CliContext.OutputOption();
        var list = new Command("list", "List audit records, oldest first.") { since, skill, host, decision, limit, output };
        list.SetAction((p, ct) => ListAsync(p.GetValue(since), p.GetValue(skill), p.GetValue(host), p.GetValue(decision), p.GetValue(limit), p.GetValue(output), ct));

        var id = new Argument<long>("ID")
        {
            Description = "The record's sequence number (from audit list).",
            CustomParser = ParseRecordNumber,
        };
        var showOutput = CliContext.OutputOption();
        var show = new Command("show", "Show one audit record in full, with its hashes.") { id, showOutput };
        show.SetAction((p, ct) => ShowAsync(p.GetValue(id), p.GetValue(showOutput), ct));

        var verifyOutput = CliContext.OutputOption();
        var verify = new Command("verify", "Check the hash chain: exit 1 and name the first record that was edited, deleted or moved.") { verifyOutput };
        verify.SetAction((p, ct) => VerifyAsync(p.GetValue(verifyOutput), ct));

        var format = new Option<string>("--format") { Description = "Export format (jsonl: one JSON object per line).", DefaultValueFactory = _ => "jsonl" };
        var export = new Command("export", "Write every record to stdout, one JSON object per line.") { format };
        export.SetAction((p, ct) => ExportAsync(p.GetValue(format)!, ct));

        audit.Subcommands.Add(list);
        audit.Subcommands.Add(show);
        audit.Subcommands.Add(verify);
        var runId = new Argument<string>("RUN_OR_SESSION") { Description = "A run id (from audit list or a run report) or an agent session id (from agent sessions list)." };
        var summarizeOutput = CliContext.OutputOption();
        var summarize = new Command("summarize", "A short summary of one run or agent session: by the fast model tier (docs/llm.md), or extracted from its records when no model is configured.")
        {
            runId, summarizeOutput,
        };
        var models = new ModelFlags();
        models.AddTo(summarize);
        summarize.SetAction((p, ct) => SummarizeAsync(p.GetValue(runId)!, models.Read(p), p.GetValue(summarizeOutput), ct));

        audit.Subcommands.Add(export);
        audit.Subcommands.Add(summarize);
        return audit;
    }

    private async Task<int> SummarizeAsync(string runId, Opsmith.Llm.Tiers.ModelOverrides modelFlags, OutputFormat format, CancellationToken ct)
    {
        await using var services = CliServices.Open();
        var model = ModelFlags.Choose(services, Opsmith.Core.Agents.ModelTier.Fast, modelFlags);
        var summary = await new Application.Llm.AuditSummaryService(services).SummarizeAsync(runId, model, ct);
        if (summary.Error is { } error) return CliServices.Fail(context, error, format);
        var value = summary.Value!;
        foreach (var note in value.Notes) context.Stderr.WriteLine($"note: {note}");
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, value);
        else context.Stdout.WriteLine(TerminalText.Sanitize(value.Summary));
        return ExitCodes.Ok;
    }

    public static Task<IAuditStore> OpenAsync(CancellationToken ct)
    {
        var options = CliServices.Options();
        return AuditStores.OpenAsync(options.StoreDirectory, options.AuditPostgres, TimeProvider.System, ct);
    }

    private async Task<int> ListAsync(string? since, string? skill, string? host, string? decisionText, int limit, OutputFormat format, CancellationToken ct)
    {
        if (limit is < 1 or > AuditQuery.MaxLimit) throw new UsageException($"--limit must be between 1 and {AuditQuery.MaxLimit}");
        AuditDecision? decision = null;
        if (decisionText is not null)
        {
            if (!AuditNames.TryParseDecision(decisionText, out var parsed))
                throw new UsageException($"--decision must be one of {string.Join(", ", AuditNames.DecisionNames)}");
            decision = parsed;
        }
        await using var store = await OpenAsync(ct);
        var records = await store.ListAsync(new AuditQuery(ParseSince(since), skill, host, decision, Limit: limit, NewestFirst: true), ct);
        var ordered = records.OrderBy(r => r.Sequence).ToList();
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new { records = ordered.Select(AuditJson) });
            return ExitCodes.Ok;
        }
        foreach (var r in ordered)
            context.Stdout.WriteLine($"{r.Sequence,6}  {r.Time:yyyy-MM-dd HH:mm:ss}Z  {r.Kind.ToWireName(),-15} {r.Decision?.ToWireName() ?? "",-18} {TerminalText.OneLine(r.Actor),-14} {TerminalText.OneLine(r.Host),-12} {TerminalText.OneLine(r.Skill),-24} {OneLine(r.Detail)}");
        if (ordered.Count == 0) context.Stdout.WriteLine("No audit records match.");
        return ExitCodes.Ok;
    }

    private async Task<int> ShowAsync(long id, OutputFormat format, CancellationToken ct)
    {
        await using var store = await OpenAsync(ct);
        var record = await store.GetAsync(id, ct);
        if (record is null) return CliServices.Fail(context, OpsmithError.NotFound($"there is no audit record {id}; 'opsmith audit list' shows them"), format);
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, AuditJson(record));
        else
        {
            foreach (var (name, value) in AuditFields(record)) context.Stdout.WriteLine($"{name,-13} {TerminalText.Sanitize(value)}");
        }
        return ExitCodes.Ok;
    }

    private async Task<int> VerifyAsync(OutputFormat format, CancellationToken ct)
    {
        AuditVerification result;
        try
        {
            await using var store = await OpenAsync(ct);
            result = await store.VerifyAsync(ct);
        }
        catch (System.Data.Common.DbException e)
        {
            // A trail the database itself cannot read (truncated, overwritten, not a database) is damaged: that is the answer.
            var reason = $"the database cannot be read ({e.Message}); it was truncated, overwritten or is not an Opsmith audit trail";
            if (format == OutputFormat.Json)
                JsonOutput.Write(context.Stdout, new { valid = false, records_checked = 0, last_sequence = 0, first_break = new { sequence = 1, kind = "unreadable", reason } });
            else context.Stdout.WriteLine(context.Out.Red($"The audit trail is DAMAGED: {TerminalText.Sanitize(reason)}"));
            return ExitCodes.Invalid;
        }
        if (format == OutputFormat.Json)
            JsonOutput.Write(context.Stdout, new
            {
                valid = result.IsValid, records_checked = result.RecordsChecked, last_sequence = result.LastSequence,
                first_break = result.FirstBreak is { } b ? new { sequence = b.Sequence, kind = b.Kind.ToString().ToLowerInvariant(), reason = b.Reason } : null,
            });
        else if (result.IsValid)
            context.Stdout.WriteLine(context.Out.Green($"The audit trail is intact: {result.RecordsChecked} records, the chain ends at {result.LastSequence}."));
        else
            context.Stdout.WriteLine(context.Out.Red($"The audit trail is BROKEN at record {result.FirstBreak!.Sequence} ({result.FirstBreak.Kind.ToString().ToLowerInvariant()}): {TerminalText.Sanitize(result.FirstBreak.Reason)}"));
        return result.IsValid ? ExitCodes.Ok : ExitCodes.Invalid;
    }

    private async Task<int> ExportAsync(string format, CancellationToken ct)
    {
        if (format != "jsonl") throw new UsageException($"--format must be jsonl, not '{format}'");
        await using var store = await OpenAsync(ct);
        await store.ExportJsonlAsync(context.Stdout, ct);
        return ExitCodes.Ok;
    }

    /// <summary>A record number is a positive whole number; anything else gets a message about records, not .NET types.</summary>
    private static long ParseRecordNumber(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0)
            return number;
        result.AddError($"ID must be a record number such as 42 (the first column of 'opsmith audit list'), not '{text}'");
        return 0;
    }

    private static DateTimeOffset? ParseSince(string? since)
    {
        if (since is null) return null;
        var now = DateTimeOffset.UtcNow;
        switch (DurationText.Parse(since, out var ago))
        {
            case DurationProblem.None when ago < now - DateTimeOffset.MinValue:
                return now - ago;
            case DurationProblem.None or DurationProblem.TooLong:
                throw new UsageException($"--since {since} reaches back further than Opsmith can count; use a shorter duration (such as 30d) or a time");
        }
        if (DateTimeOffset.TryParse(since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)) return time;
        throw new UsageException($"--since takes a duration (2h, 1d) or a time (2026-11-21T10:00Z), not '{since}'");
    }

    private static IEnumerable<(string, string)> AuditFields(AuditRecord r) =>
    [
        ("sequence", r.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("time", r.Time.ToString("O")), ("run", r.RunId),
        ("kind", r.Kind.ToWireName()), ("decision", r.Decision?.ToWireName() ?? ""), ("actor", r.Actor), ("host", r.Host),
        ("skill", r.Skill), ("skill hash", r.SkillHash), ("detail", r.Detail), ("previous hash", r.PreviousHash), ("hash", r.Hash),
    ];

    private static Dictionary<string, object?> AuditJson(AuditRecord r) => new()
    {
        ["sequence"] = r.Sequence, ["time"] = r.Time, ["run_id"] = r.RunId, ["kind"] = r.Kind.ToWireName(), ["decision"] = r.Decision?.ToWireName(),
        ["actor"] = r.Actor, ["host"] = r.Host, ["skill"] = r.Skill, ["skill_hash"] = r.SkillHash, ["detail"] = r.Detail,
        ["format"] = r.Format, ["section"] = r.Facts.Section?.Wire(), ["step"] = NullIfEmpty(r.Facts.Step),
        ["tier"] = r.Facts.Tier is { } tier ? YamlNames.Of(tier) : null, ["mode"] = r.Facts.Mode?.Wire(), ["outcome"] = NullIfEmpty(r.Facts.Outcome),
        ["previous_hash"] = r.PreviousHash, ["hash"] = r.Hash,
    };

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static string OneLine(string text)
    {
        var line = TerminalText.OneLine(text.Replace('\n', ' '));
        return line.Length > 100 ? line[..100] + "…" : line;
    }
}
