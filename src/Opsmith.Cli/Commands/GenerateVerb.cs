using Opsmith.Core.Agents;
using Opsmith.Execution;
using Opsmith.Application;
using Opsmith.Application.Configuration;
using Opsmith.Application.Llm;
using Opsmith.Llm.Tiers;
using Opsmith.Core.Inventories;
using System.CommandLine;
using System.Text;
using Opsmith.Application.Validation;
using Opsmith.Cli.Output;
using Opsmith.Core.Documents;
using Opsmith.Core.Generation;
using Opsmith.Execution.Linting;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith generate CARD</c>: turns a task card into a skill, validates the result strictly, and writes
/// it only if it passes. Generators plug in behind <see cref="ISkillGenerator"/>.
/// </summary>
public sealed class GenerateVerb(CliContext context) : IVerb
{
    private static readonly IReadOnlyDictionary<string, ISkillGenerator> Generators =
        new Dictionary<string, ISkillGenerator> { ["template"] = new TemplateSkillGenerator() };

    public string[] Examples =>
    [
        "opsmith generate examples/task-cards/nginx-down.yaml                # print the skill",
        "opsmith generate examples/task-cards/nginx-down.yaml -o skills/     # write skills/<name>.yaml",
        "opsmith generate card.yaml -o my-skill.yaml --force                 # overwrite",
        "opsmith generate card.yaml --generator llm --model gpt-4.1          # a model drafts it; the template generator if it cannot",
    ];

    public Command Build()
    {
        var card = new Argument<string>("TASK_CARD") { Description = "Task card file (kind: TaskCard); see docs/task-cards.md." };
        var outPath = new Option<string?>("--out", "-o")
        {
            Description = "Write the skill here: a file, or a folder (the file is then named after the skill). Default: print it.",
        };
        var generator = new Option<string>("--generator")
        {
            Description = "Which generator writes the skill: 'template' (deterministic, needs nothing) or 'llm' (a model drafts it from the card and catalog " +
                          "examples and repairs it from validate --strict's diagnostics; falls back to the template generator, saying so). See docs/llm.md.",
            DefaultValueFactory = _ => "template",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file." };
        var repairs = new Option<int>("--repair-rounds")
        {
            Description = "With --generator llm: how many times validate --strict's diagnostics go back to the model.",
            DefaultValueFactory = _ => SkillDraftingService.DefaultRepairRounds,
        };
        var examples = new Option<string?>("--examples") { Description = "With --generator llm: the catalog folder whose skills are shown as examples (default: skills/ when it exists)." };
        var output = CliContext.OutputOption();
        var command = new Command("generate", "Write a skill from a task card, and keep it only if it passes validate --strict.")
        {
            card, outPath, generator, force, repairs, examples, output,
        };
        var models = new ModelFlags();
        models.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(card)!, parse.GetValue(outPath), parse.GetValue(generator)!,
            parse.GetValue(force), parse.GetValue(repairs), parse.GetValue(examples), models.Read(parse), parse.GetValue(output), ct));
        return command;
    }

    private async Task<int> RunAsync(string cardPath, string? outPath, string generatorName, bool force, int repairRounds, string? examples,
        ModelOverrides modelFlags, OutputFormat format, CancellationToken ct)
    {
        if (generatorName != "llm" && !Generators.ContainsKey(generatorName))
            throw new UsageException($"unknown generator '{generatorName}'; available: {string.Join(", ", Generators.Keys.Append("llm"))}");
        if (repairRounds is < 0 or > 10) throw new UsageException("--repair-rounds must be from 0 to 10");
        if (YamlFileFinder.ProblemWithFile(cardPath, "generate reads one task card file (see docs/task-cards.md)") is { } problem)
            throw new UsageException(problem);

        var terminal = context.Out;
        var cardDocument = await DocumentValidation.LoadFileAsync(cardPath, ct, DocumentKind.TaskCard);
        foreach (var note in cardDocument.Diagnostics.Where(d => d.IsNote)) context.Stderr.WriteLine(note.ToLine());
        if (cardDocument.TaskCard is not { } taskCard)
            return CliServices.Fail(context, cardDocument.IsValid
                ? new OpsmithError(ErrorKind.Invalid, $"{cardPath} is a {cardDocument.Kind}, not a task card (kind: TaskCard)", [])
                : new OpsmithError(ErrorKind.Invalid, $"{cardPath} is not a valid task card; nothing was generated",
                    cardDocument.Diagnostics.Where(d => !d.IsNote).ToList()) { Document = cardDocument }, format);

        GenerationResult generated;
        string generatorUsed = generatorName;
        if (generatorName == "llm")
        {
            await using var services = CliServices.Open(new OptionOverrides(Model: modelFlags));
            var model = ModelFlags.Choose(services, ModelTier.Standard, modelFlags);
            var drafted = await new SkillDraftingService(services).DraftAsync(taskCard, await File.ReadAllTextAsync(cardPath, ct), model,
                examples ?? (Directory.Exists("skills") ? "skills" : null), repairRounds, ct);
            foreach (var note in drafted.Notes) context.Stderr.WriteLine($"note: {note}");
            (generated, generatorUsed) = (drafted.Result, drafted.Generator);
        }
        else generated = await Generators[generatorName].GenerateAsync(taskCard, ct);
        if (generated.Yaml is null)
            return CliServices.Fail(context, new OpsmithError(ErrorKind.Invalid, generated.Error ?? "the generator produced nothing", []), format);

        var target = ResolveTarget(outPath, taskCard.Name);
        var check = await DocumentValidation.ValidateAsync([DocumentLoader.Load(target ?? $"{taskCard.Name}.yaml", generated.Yaml)],
            strict: true, new ShellcheckLinter(), ct);
        if (!check.IsValid)
            // The generated skill is not trustworthy: show why and write nothing.
            // Shown at the card's lines: the generated file was not written, the card is what to edit.
            return CliServices.Fail(context, new OpsmithError(ErrorKind.Invalid,
                $"the {generatorUsed} generator produced a skill that fails validate --strict; nothing was written",
                check.Documents.SelectMany(d => CardProblemLocator.OntoCard(cardDocument, d)).ToList()) { Document = cardDocument }, format);

        if (target is not null)
        {
            var existing = FileKinds.Of(target);
            if (existing == FileKind.RegularFile && !force) throw new UsageException($"'{target}' exists; pass --force to overwrite it");
            if (existing is FileKind.Fifo or FileKind.Socket or FileKind.Directory)
                throw new UsageException($"'{target}' is {FileKinds.Describe(existing)}; -o takes a file or a folder to write the skill into");
            if (await WriteAsync(target, generated.Yaml, ct) is { } failure)
                return context.Fail($"cannot write the skill to '{target}': {failure}; nothing usable was written", ExitCodes.Invalid);
        }

        if (format == OutputFormat.Json)
            JsonOutput.Write(context.Stdout, new GenerateReport(taskCard.Name, generatorUsed, generated.Family, target,
                check.Notes, target is null ? generated.Yaml : null));
        else if (target is null)
        {
            try
            {
                context.Stdout.Write(generated.Yaml);
                context.Stdout.Flush();
            }
            catch (IOException e)
            {
                return context.Fail($"cannot write the skill to standard output: {e.Message}", ExitCodes.Invalid);
            }
        }
        else
        {
            terminal.Writer.WriteLine($"{terminal.Green("wrote")} {target}  (generator {generatorUsed}{(generated.Family is { } family ? $", family {family}" : "")}; passes validate --strict)");
            foreach (var note in check.Notes) terminal.Writer.WriteLine(terminal.Yellow("note: ") + note);
        }
        return ExitCodes.Ok;
    }

    /// <summary>Writes and flushes the file, so a full disk or a read-only folder is an error here and not a silent loss.</summary>
    private static async Task<string?> WriteAsync(string target, string text, CancellationToken ct)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
            await using var stream = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await stream.WriteAsync(new UTF8Encoding(false).GetBytes(text), ct);
            await stream.FlushAsync(ct);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    private static string? ResolveTarget(string? outPath, string name)
    {
        if (outPath is null) return null;
        // An existing file that is not a folder (a skill to overwrite, /dev/stdout, /dev/full) is the target itself.
        if (FileKinds.Of(outPath) is not (FileKind.Missing or FileKind.Directory)) return outPath;
        var isFolder = Directory.Exists(outPath) || outPath.EndsWith('/') ||
                       !(outPath.EndsWith(".yaml", StringComparison.Ordinal) || outPath.EndsWith(".yml", StringComparison.Ordinal));
        return isFolder ? Path.Combine(outPath, $"{name}.yaml") : outPath;
    }
}

/// <summary>The JSON document of <c>opsmith generate --output json</c>.</summary>
public sealed record GenerateReport(string TaskCard, string Generator, string? Family, string? File, IReadOnlyList<string> Notes, string? Skill);
