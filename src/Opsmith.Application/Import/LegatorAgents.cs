using System.Text.RegularExpressions;
using Opsmith.Core.Yaml;

namespace Opsmith.Application.Import;

/// <summary>
/// A <c>LegatorAgent</c> as an Opsmith agent (<c>kind: Agent</c>, docs/agent.md): schedule, autonomy, iteration and token
/// budgets, model tier, the skills it may use, its environment. Legator's tool-call patterns have no counterpart (every
/// command is classified); an agent that relied on denied patterns is lowered to <c>recommend</c>, never raised.
/// </summary>
public static partial class LegatorAgents
{
    private static readonly string[] Autonomy = ["observe", "recommend", "automate-safe", "automate-destructive"];

    public static Conversion Convert(SourceDocument doc, string file, ImportContext context, ImportNotes notes)
    {
        var metadata = SourceYaml.Map(doc.Root, "metadata");
        var sourceName = SourceYaml.Str(metadata, "name");
        var spec = SourceYaml.Map(doc.Root, "spec");
        if (sourceName is null)
        {
            notes.CannotImport(doc.Line, "metadata.name", "the LegatorAgent has no metadata.name; an agent needs a name");
            return Conversion.Empty;
        }
        if (spec is null || spec.Entries.Count == 0)
        {
            notes.CannotImport(SourceYaml.LineOf(doc.Root, "spec"), "spec",
                $"LegatorAgent '{sourceName}' has an empty spec (a scaffold to fill in); Legator itself requires description, schedule, model, skills, guardrails and environmentRef, so there is nothing to carry over");
            return Conversion.Empty;
        }
        var name = context.Claim(ImportedKind.Agent, SourceYaml.Kebab(sourceName), file, SourceYaml.LineOf(metadata, "name"), notes);
        var guardrails = SourceYaml.Map(spec, "guardrails");
        var model = SourceYaml.Map(spec, "model");

        var autonomy = SourceYaml.Str(guardrails, "autonomy") ?? "observe";
        if (!Autonomy.Contains(autonomy))
        {
            notes.Changed(SourceYaml.LineOf(guardrails, "autonomy"), "guardrails.autonomy", $"'{autonomy}' is not an autonomy level; the agent observes only (observe), the safest");
            autonomy = "observe";
        }
        var denied = SourceYaml.Strings(guardrails, "deniedActions");
        if (denied.Count > 0 && autonomy is "automate-safe" or "automate-destructive")
        {
            notes.Changed(SourceYaml.LineOf(guardrails, "deniedActions"), "guardrails.deniedActions",
                $"Legator denied {denied.Count} tool-call pattern(s) ({string.Join(", ", denied.Take(3))}{(denied.Count > 3 ? ", …" : "")}), which Opsmith cannot express: it classifies every command instead. " +
                $"So that nothing the source denied runs on its own, the autonomy is lowered from {autonomy} to recommend; raise it once you have checked which of those commands automate-safe would run");
            autonomy = "recommend";
        }
        if (SourceYaml.Strings(guardrails, "allowedActions").Count > 0)
            notes.NotCarried(SourceYaml.LineOf(guardrails, "allowedActions"), "guardrails.allowedActions",
                "Opsmith does not allow tool calls by pattern: every command is classified (read, service-mutation, destructive, data-mutation) and the autonomy level decides; the agent's allowlist names skills");

        var skills = Skills(spec, notes);
        var schedule = Schedule(SourceYaml.Map(spec, "schedule"), notes);
        var tier = SourceYaml.Str(model, "tier") ?? SourceYaml.Str(spec, "modelTier");
        if (tier is not null && tier is not ("fast" or "standard" or "reasoning"))
        {
            notes.NotCarried(SourceYaml.LineOf(model ?? spec, model is null ? "modelTier" : "tier"), "model.tier", $"'{tier}' is not a model tier (fast, standard, reasoning); the agent uses standard");
            tier = null;
        }
        var tokens = Number(SourceYaml.Str(model, "tokenBudget") ?? SourceYaml.Str(guardrails, "tokenBudget"));
        var iterations = Number(SourceYaml.Str(guardrails, "maxIterations"));

        var environmentRef = SourceYaml.Str(spec, "environmentRef") ?? SourceYaml.Str(spec, "environment");
        string? environment = null;
        if (environmentRef is not null)
        {
            var envName = SourceYaml.Kebab(environmentRef);
            if (context.Environments.Contains(envName)) environment = $"{envName}.environment.yaml";
            else notes.Review(SourceYaml.LineOf(spec, spec.Find("environmentRef") is null ? "environment" : "environmentRef"), "environmentRef",
                $"environment '{environmentRef}' is not among the imported files; import its LegatorEnvironment into the same folder and add `environment: {envName}.environment.yaml`");
        }
        NotCarried(spec, guardrails, model, notes);

        var w = new YamlWriter();
        w.Comment($"Imported by `opsmith import legator` from {Path.GetFileName(file)} (LegatorAgent {sourceName}). See docs/migrating.md.");
        w.Field("apiVersion", "opsmith/v1").Field("kind", "Agent");
        w.Section("metadata", m => m.Field("name", name).Field("description", SourceYaml.Str(spec, "description")?.Trim()));
        w.Section("spec", s =>
        {
            s.Field("environment", environment).Field("autonomy", autonomy).FlowList("skills", skills);
            // The procedures of its skills imported alongside: what the LLM agent is told to follow (within the guardrails).
            var instructions = skills.Where(context.Instructions.Contains).Select(skill => $"instructions/{skill}/SKILL.md").ToList();
            if (instructions.Count > 0) s.FlowList("instructions", instructions);
            s.Field("schedule", schedule).Field("model_tier", tier);
            if (tokens is not null || iterations is not null)
                s.Section("budgets", b => b.Field("iterations", iterations).Field("tokens_per_session", tokens));
        });
        return new Conversion([new ConvertedFile(file, doc.Line, ImportedKind.Agent, name, $"{name}.agent.yaml", w.ToString())], []);
    }

    /// <summary>The skill allowlist: each skill's name, or the name its source implies (configmap://skill-x → x).</summary>
    private static List<string> Skills(YamlMapping spec, ImportNotes notes)
    {
        var refs = SourceYaml.Seq(spec, "skills").OfType<YamlMapping>().ToList();
        if (SourceYaml.Map(spec, "skill") is { } single) refs.Add(single);
        var names = new List<string>();
        foreach (var item in refs)
        {
            var source = SourceYaml.Str(item, "source");
            var name = SourceYaml.Str(item, "name") ?? FromSource(source);
            if (name is null)
            {
                notes.NotCarried(item.Position.Line, "skills", $"a skill with no name and source '{source}' cannot be named in the allowlist");
                continue;
            }
            names.Add(SourceYaml.Kebab(name));
            if (source == "bundled")
                notes.Review(item.Position.Line, "skills", $"'{name}' is one of Legator's bundled skills, which Opsmith does not have; the allowlist names it so that an Opsmith skill of that name is allowed once you write or import one");
            else if (source is not null && source.StartsWith("git://", StringComparison.Ordinal))
                notes.Review(item.Position.Line, "skills", $"skill '{name}' lives in {source}; import its SKILL.md with `opsmith import legator` too");
        }
        if (names.Count == 0)
            notes.Review(spec.Position.Line, "skills", "the agent names no skill; its allowlist is empty, so it may run none until you add some");
        return names.Distinct().ToList();
    }

    private static string? FromSource(string? source)
    {
        if (source is null || source == "bundled") return null;
        if (source.StartsWith("configmap://", StringComparison.Ordinal)) return LegatorImporter.SkillName(source["configmap://".Length..]);
        var path = source.Split('#').Last().Split('@')[0].TrimEnd('/');
        return path.Split('/').Last() is { Length: > 0 } last ? last : null;
    }

    /// <summary>Legator's cron, or its interval as a cron expression when it divides an hour or a day evenly.</summary>
    private static string? Schedule(YamlMapping? schedule, ImportNotes notes)
    {
        if (schedule is null) return null;
        if (SourceYaml.Str(schedule, "timezone") is { } zone && zone != "UTC")
            notes.Review(SourceYaml.LineOf(schedule, "timezone"), "schedule.timezone", $"Legator read the cron in {zone}; check that the schedule means the same in Opsmith");
        foreach (var trigger in SourceYaml.Seq(schedule, "triggers"))
            notes.NotCarried(trigger.Position.Line, "schedule.triggers", "Opsmith starts agent sessions on a schedule and when an invariant turns red (opsmith monitor), not on webhooks or Kubernetes events");
        if (SourceYaml.Str(schedule, "cron") is { } cron) return cron.Trim();
        if (SourceYaml.Str(schedule, "interval") is not { } interval) return null;
        var line = SourceYaml.LineOf(schedule, "interval");
        if (GoDuration(interval) is not { } every || every.TotalMinutes < 1 || every.TotalSeconds % 60 != 0)
        {
            notes.NotCarried(line, "schedule.interval", $"'{interval}' is not a whole number of minutes, which a cron schedule needs");
            return null;
        }
        var minutes = (int)every.TotalMinutes;
        string? expression = minutes switch
        {
            < 60 when 60 % minutes == 0 => $"*/{minutes} * * * *",
            60 => "0 * * * *",
            < 1440 when minutes % 60 == 0 && 24 % (minutes / 60) == 0 => $"0 */{minutes / 60} * * *",
            1440 => "0 0 * * *",
            _ => null,
        };
        if (expression is null) notes.NotCarried(line, "schedule.interval", $"every {interval} does not divide an hour or a day evenly, so no cron expression says it; write a schedule by hand");
        else notes.Changed(line, "schedule.interval", $"'interval: {interval}' is the cron schedule '{expression}' (sessions start on the clock, not {interval} after the last one)");
        return expression;
    }

    private static TimeSpan? GoDuration(string text)
    {
        var total = TimeSpan.Zero;
        var matches = GoDurationPart().Matches(text.Trim());
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text.Trim()) return null;
        foreach (Match m in matches)
        {
            var n = double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch { "h" => TimeSpan.FromHours(n), "m" => TimeSpan.FromMinutes(n), "s" => TimeSpan.FromSeconds(n), _ => TimeSpan.FromMilliseconds(n) };
        }
        return total;
    }

    private static long? Number(string? text) => long.TryParse(text, out var n) && n > 0 && n <= int.MaxValue ? n : null;

    private static void NotCarried(YamlMapping spec, YamlMapping? guardrails, YamlMapping? model, ImportNotes notes)
    {
        foreach (var entry in spec.Entries)
        {
            var why = entry.Key.Value switch
            {
                "description" or "schedule" or "model" or "modelTier" or "skills" or "skill" or "guardrails" or "environmentRef" or "environment" => null,
                "emoji" => "an Opsmith agent has no icon",
                "capabilities" => "Opsmith does not match tool capabilities: a skill says what it runs, and the classifier judges each command",
                "reporting" => "every session is in the audit trail and its report; notifications go to the environment's channels",
                "observability" => "Opsmith's metrics and traces are configured once, not per agent",
                "channels" => "an agent channel needs a URL (webhook); Legator's names a channel of the environment, whose channels are imported with it",
                "paused" => entry.Value is YamlScalar { Value: "true" } ? "the agent was paused in Legator: do not start it until you mean to" : null,
                _ => "LegatorAgent has no such field in its CRD",
            };
            if (why is not null) notes.NotCarried(entry.Key.Position.Line, entry.Key.Value, why);
        }
        foreach (var entry in guardrails?.Entries ?? [])
        {
            var why = entry.Key.Value switch
            {
                "maxRetries" => "Opsmith retries checks as each skill says, not whole agent steps",
                "escalation" or "approvalMode" or "approvalTimeout" => "a step the autonomy level does not allow waits for a person's approval (opsmith approvals), four-eyes for data mutations",
                _ => null,
            };
            if (why is not null) notes.NotCarried(entry.Key.Position.Line, $"guardrails.{entry.Key.Value}", why);
        }
        if (model?.Find("timeout") is { } timeout)
            notes.NotCarried(timeout.Key.Position.Line, "model.timeout", "the timeout of one model call is set per tier in the model tiers (timeout), not per agent");
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(h|ms|m|s)")]
    private static partial Regex GoDurationPart();
}
