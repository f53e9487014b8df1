using System.Text.RegularExpressions;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Linting;
using Opsmith.Core.Skills;
using Opsmith.Core.Yaml;
using Opsmith.Policy.Classification;

namespace Opsmith.Application.Import;

/// <summary>
/// An Agent Skill (<c>SKILL.md</c>: optional YAML front matter with <c>name</c> and <c>description</c>, then a procedure in
/// prose with commands), the format Legator and many AI agents use. The procedure is kept whole as instructions for the
/// LLM agent (<c>instructions/NAME/SKILL.md</c>); the commands of it that only read, found in shell code blocks and in
/// inline code, are drafted into a typed diagnosis skill. What cannot be typed is listed with its line.
/// </summary>
public static partial class AgentSkills
{
    private static readonly string[] ShellLanguages = ["", "sh", "bash", "shell", "console", "zsh", "terminal"];

    /// <param name="name">The name the source gives it (a Legator ConfigMap's), when the file does not.</param>
    /// <param name="lineOffset">Lines before the Markdown in the source file (a ConfigMap's block), so notes name source lines.</param>
    public static Conversion Convert(string file, string text, string? name, ImportContext context, ImportNotes notes, int lineOffset = 0)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var (front, bodyStart) = FrontMatter(file, lines, notes, lineOffset);
        var heading = lines.Skip(bodyStart).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim();
        var folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file)));
        var skillName = SourceYaml.Kebab(SourceYaml.Str(front, "name") ?? name ?? (IsSkillFile(file) ? folder : null) ?? heading ?? Path.GetFileNameWithoutExtension(file));
        skillName = context.Claim(ImportedKind.Instructions, skillName, file, lineOffset + 1, notes);
        var description = SourceYaml.Str(front, "description") ?? heading ?? skillName;
        var instructionsPath = $"instructions/{skillName}/SKILL.md";
        var files = new List<ConvertedFile> { new(file, lineOffset + 1, ImportedKind.Instructions, skillName, instructionsPath, text) };

        var found = Commands(lines, bodyStart, lineOffset, notes);
        var classifier = new CommandClassifier();
        var names = new StepNames();
        var inputs = new Dictionary<string, InputDefinition>
        {
            ["host"] = new("host", InputType.Host, true, "Inventory host or group to gather the evidence on.", null, null, null, [], false, SourcePosition.Start),
        };
        var actions = new List<ActionStep>();
        var inputsUsed = new HashSet<string>();
        foreach (var command in found)
        {
            var run = Placeholder().Replace(command.Text, m =>
            {
                var input = SourceYaml.Snake(m.Groups[1].Value);
                inputs.TryAdd(input, new InputDefinition(input, InputType.String, true, $"The {m.Groups[1].Value} the procedure leaves open.", null, null, null, [], false, SourcePosition.Start));
                return $"{{{{ inputs.{input} }}}}";
            });
            var classification = classifier.Classify(ScriptLinting.Prepare(run));
            if (classification.Programs.Count == 0) continue; // a comment or an assignment runs nothing
            if (classification.Uncertain && classification.DecidingRule == "unknown-program" && !command.FromBlock)
                continue; // inline code that is not a command line (a tool name, a field, SQL): nothing to say about it
            if (classification.Tier > RiskTier.Read || classification.Uncertain)
            {
                notes.NotCarried(command.Line, "command", $"`{Short(command.Text)}` is not typed: it reads as {YamlNames.Of(classification.Tier)}" +
                    (classification.Uncertain ? " (the classifier is not sure what it does)" : "") +
                    ", and a step that changes things needs success criteria and a rollback the procedure does not state. The LLM agent may still propose it; it is then classified and approved like any command");
                continue;
            }
            actions.Add(new ActionStep(names.Take(command.Title, Program(command.Text)), run, RiskTier.Read, true, null, FailurePolicy.Continue, null, SourcePosition.Start));
            inputsUsed.UnionWith(Template().Matches(run).Select(m => m.Groups[1].Value));
        }
        if (actions.Count == 0)
        {
            notes.NotCarried(lineOffset + bodyStart + 1, "procedure", "no command of the procedure could be typed, so no skill is drafted; the procedure is imported as instructions for the LLM agent");
            return new Conversion(files, []);
        }
        var skill = new Skill(
            new SkillMetadata(context.Claim(ImportedKind.Skill, skillName, file, lineOffset + 1, notes), OpsSkillSkills.Title(description),
                $"{OpsSkillSkills.Sentence(description)} Drafted by `opsmith import` from the Agent Skill {Path.GetFileName(file)}: the commands of its procedure that only read, " +
                $"each a step that goes on when one fails. The procedure itself, with its thresholds and judgement, is {instructionsPath} for the LLM agent.",
                Stage.Diagnosis, "imported", ["agent-skill", "imported"], 1),
            new SkillSpec(inputs.Values.Where(i => i.Name == "host" || inputsUsed.Contains(i.Name)).ToList(), "{{ inputs.host }}", RiskTier.Read, [], actions, [], RollbackPlan.Missing, [], null),
            "", "");
        var header = $"Drafted by `opsmith import` from the Agent Skill {Path.GetFileName(file)}. Review it before use: the steps are the procedure's read-only commands; see docs/migrating.md.";
        files.Add(new ConvertedFile(file, lineOffset + 1, ImportedKind.Skill, skill.Name, $"skills/{skill.Name}.yaml", SkillYamlWriter.Write(skill, header)));
        return new Conversion(files, []);
    }

    internal static bool IsSkillFile(string file) => Path.GetFileName(file).Equals("SKILL.md", StringComparison.OrdinalIgnoreCase);

    private static (YamlMapping? Front, int BodyStart) FrontMatter(string file, string[] lines, ImportNotes notes, int lineOffset)
    {
        if (lines.Length == 0 || lines[0].TrimEnd() != "---") return (null, 0);
        var end = Array.FindIndex(lines, 1, l => l.TrimEnd() == "---");
        if (end < 0) return (null, 0);
        var yaml = string.Join('\n', lines.Select((l, i) => i > 0 && i < end ? l : ""));
        var bag = new DiagnosticBag(file);
        var root = yaml.Trim().Length == 0 ? null : YamlDocumentReader.Read(yaml, bag);
        foreach (var d in bag.Items)
            notes.NotCarried(lineOffset + d.Position.Line, "front matter", $"the front matter is not YAML ({d.Message}); the skill is named from its heading");
        var front = root as YamlMapping;
        foreach (var entry in front?.Entries ?? [])
            if (entry.Key.Value is not ("name" or "description"))
                notes.NotCarried(lineOffset + entry.Key.Position.Line, entry.Key.Value, "front matter an Opsmith skill has no field for; it stays in the instructions");
        return (front, end + 1);
    }

    private sealed record FoundCommand(string Text, int Line, string? Title, bool FromBlock);

    /// <summary>Shell code blocks (each one script), and inline code of list items and paragraphs; other code blocks are noted.</summary>
    private static List<FoundCommand> Commands(string[] lines, int from, int lineOffset, ImportNotes notes)
    {
        var found = new List<FoundCommand>();
        string? title = null;
        for (var i = from; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                var language = trimmed[3..].Trim().ToLowerInvariant();
                var close = Array.FindIndex(lines, i + 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
                if (close < 0) close = lines.Length;
                if (ShellLanguages.Contains(language) && !LooksLikeProse(lines, i + 1, close))
                {
                    // A block is one script: its lines share a shell (cd, variables, continued lines).
                    var script = lines.Skip(i + 1).Take(close - i - 1)
                        .Select(l => l.Trim()).Select(l => l.StartsWith("$ ", StringComparison.Ordinal) ? l[2..] : l)
                        .Where(l => l.Length > 0).ToList();
                    if (script.Count > 0) found.Add(new FoundCommand(string.Join('\n', script), lineOffset + i + 2, title, true));
                }
                else if (close > i + 1)
                    notes.NotCarried(lineOffset + i + 1, "code block", $"a {(language.Length == 0 ? "plain" : language)} block is not a shell command; it stays in the instructions for the LLM agent");
                i = close;
                continue;
            }
            if (trimmed.StartsWith('#')) title = trimmed.TrimStart('#').Trim();
            if (Bold().Match(trimmed) is { Success: true } bold) title = bold.Groups[1].Value;
            foreach (Match code in InlineCode().Matches(line))
            {
                var text = code.Groups[1].Value.Trim();
                if (text.Contains(' ') || text.Contains('|')) found.Add(new FoundCommand(text, lineOffset + i + 1, title, false));
            }
        }
        return found;
    }

    /// <summary>A plain block of report templates (headings, bullets) is not a script.</summary>
    private static bool LooksLikeProse(string[] lines, int from, int to) =>
        lines.Skip(from).Take(to - from).Any(l => l.TrimStart().StartsWith("##", StringComparison.Ordinal) || l.TrimStart().StartsWith("- ", StringComparison.Ordinal));

    private static string Program(string command) => command.Split(' ', 2)[0].Trim('(', '[', ' ');

    private static string Short(string text)
    {
        var line = text.Split('\n')[0];
        return line.Length > 60 || text.Contains('\n') ? line[..Math.Min(60, line.Length)] + "…" : line;
    }

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex(@"<([a-z][a-z0-9_-]*)>")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\{\{\s*inputs\.([a-z0-9_]+)\s*\}\}")]
    private static partial Regex Template();
}
