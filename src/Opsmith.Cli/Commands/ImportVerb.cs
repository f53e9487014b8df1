using Opsmith.Execution;
using System.CommandLine;
using Opsmith.Application;
using Opsmith.Application.Import;
using Opsmith.Cli.Output;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Inventories;
using Opsmith.Core.Skills;
using Opsmith.Execution.Linting;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith import opsskill|legator|agent-skill PATH…</c>: converts another system's files into Opsmith files under
/// -o, validates what it wrote, and says per source file and line what it could not carry over (docs/migrating.md).
/// </summary>
public sealed class ImportVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith import opsskill OpsSkill/skills OpsSkill/configs -o imported/      # skills, task cards, cluster configs",
        "opsmith import legator examples/agents/watchman-light.yaml examples/environments/dev-lab.yaml -o imported/",
        "opsmith import agent-skill skills/server-health/SKILL.md -o imported/ --force",
        "opsmith import opsskill skills/ --output json                              # the summary as JSON",
        .. new GhaImportCommand(context).Examples,
    ];

    public Command Build()
    {
        var import = new Command("import", "Convert the skills, task cards, agents and environments of other systems into Opsmith files that pass validate.");
        import.Subcommands.Add(Sub("opsskill", SourceSystem.OpsSkill,
            "Import OpsSkill skills, task cards, cluster configurations and benchmark task instances (files or folders)."));
        import.Subcommands.Add(Sub("legator", SourceSystem.Legator,
            "Import Legator resources: LegatorAgent, LegatorEnvironment, ModelTierConfig, and skills (SKILL.md, or ConfigMaps that carry one)."));
        import.Subcommands.Add(Sub("agent-skill", SourceSystem.AgentSkill,
            "Import Agent Skills (SKILL.md): the procedure as instructions for the LLM agent, its read-only commands as a drafted skill."));
        import.Subcommands.Add(new GhaImportCommand(context).Build());
        return import;
    }

    private Command Sub(string name, SourceSystem system, string description)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Source files, or folders to search for *.yaml, *.yml and SKILL.md.", Arity = ArgumentArity.OneOrMore };
        var outPath = new Option<string>("--out", "-o")
        {
            Description = "Folder to write into (skills/, task-cards/, instructions/ and the agent, environment and inventory files).",
            DefaultValueFactory = _ => "imported",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite files that exist; without it they are left as they are and listed." };
        var output = CliContext.OutputOption();
        var command = new Command(name, description) { paths, outPath, force, output };
        command.SetAction((p, ct) => RunAsync(new ImportRequest(system, p.GetValue(paths)!, p.GetValue(outPath)!, p.GetValue(force), OtherReaders), p.GetValue(output), ct));
        return command;
    }

    /// <summary>Model tiers are read by Opsmith.Llm, which the application layer does not reference.</summary>
    private static readonly IReadOnlyDictionary<ImportedKind, Func<string, string, IReadOnlyList<Diagnostic>>> OtherReaders =
        new Dictionary<ImportedKind, Func<string, string, IReadOnlyList<Diagnostic>>>
        {
            [ImportedKind.ModelTiers] = ModelTiersDocuments.Check,
        };

    private async Task<int> RunAsync(ImportRequest request, OutputFormat format, CancellationToken ct)
    {
        if (FileKinds.Of(request.OutputFolder) is not (FileKind.Missing or FileKind.Directory) and var kind)
            throw new UsageException($"-o '{request.OutputFolder}' is {FileKinds.Describe(kind)}; it names the folder to write into");
        var result = await ImportService.ImportAsync(request, new ShellcheckLinter(), ct);
        if (result.Error is { } error) return CliServices.Fail(context, error, format);
        var import = result.Value!;
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, Json(import));
        else Print(import);
        return import.AllValid ? ExitCodes.Ok : ExitCodes.Invalid;
    }

    private void Print(ImportResult import)
    {
        var t = context.Out;
        var cwd = Directory.GetCurrentDirectory();
        string Rel(string path) => Path.GetRelativePath(cwd, path);
        var rows = import.Files.Select(f => (Source: $"{Rel(f.Source)}:{f.SourceLine}", Kind: Kind(f.Kind), Path: Rel(f.Path), f.Outcome, f.Validated)).ToList();
        var w1 = Math.Max(6, rows.Select(r => r.Source.Length).DefaultIfEmpty(0).Max());
        var w2 = Math.Max(4, rows.Select(r => r.Kind.Length).DefaultIfEmpty(0).Max());
        var w3 = Math.Max(7, rows.Select(r => r.Path.Length).DefaultIfEmpty(0).Max());
        t.Writer.WriteLine(t.Bold($"{"SOURCE".PadRight(w1)}  {"KIND".PadRight(w2)}  {"WRITTEN".PadRight(w3)}  RESULT"));
        foreach (var r in rows)
        {
            var outcome = r.Outcome switch
            {
                ImportOutcome.Written when r.Validated => t.Green("valid"),
                ImportOutcome.Written => t.Green("written"),
                ImportOutcome.Exists => t.Yellow("exists (not overwritten; --force)"),
                ImportOutcome.Invalid => t.Red("invalid (see below)"),
                _ => t.Red("not written"),
            };
            t.Writer.WriteLine($"{r.Source.PadRight(w1)}  {r.Kind.PadRight(w2)}  {r.Path.PadRight(w3)}  {outcome}");
        }
        foreach (var source in import.NothingImported)
            t.Writer.WriteLine($"{Rel(source).PadRight(w1)}  {"-".PadRight(w2)}  {"-".PadRight(w3)}  {t.Red("nothing imported (see below)")}");

        var problems = import.Files.SelectMany(f => f.Problems).ToList();
        if (import.Notes.Count + problems.Count > 0) t.Writer.WriteLine();
        foreach (var group in import.Notes.GroupBy(n => n.File))
        {
            t.Writer.WriteLine(t.Bold(Rel(group.Key)));
            foreach (var note in group.OrderBy(n => n.Position.Line))
                t.Writer.WriteLine($"  {Rel(note.File)}:{note.Position.Line}: {Paint(t, note)}: {note.Message} {t.Dim($"[{note.Code}]")}");
        }
        if (problems.Count > 0)
        {
            t.Writer.WriteLine(t.Bold("validate finds these problems in the written files:"));
            foreach (var problem in problems) t.Writer.WriteLine($"  {Rel(problem.File)}:{problem.Position}: {t.Red("error")}: {problem.Message} {t.Dim($"[{problem.Code}]")}");
        }
        foreach (var note in import.ValidationNotes) t.Writer.WriteLine(t.Yellow("note: ") + note);
        var valid = import.Files.Count(f => f.Outcome == ImportOutcome.Written && f.Validated);
        t.Writer.WriteLine();
        t.Writer.WriteLine($"{import.Sources.Count} source file(s): {import.Sources.Count - import.NothingImported.Count} imported, {import.NothingImported.Count} not; " +
                           $"{import.Files.Count} file(s) to write: {valid} valid, {import.Files.Count(f => f.Outcome == ImportOutcome.Written && !f.Validated)} instructions, {import.Files.Count(f => f.Outcome == ImportOutcome.Invalid)} invalid, " +
                           $"{import.Files.Count(f => f.Outcome == ImportOutcome.Exists)} left as they were; " +
                           $"{import.Notes.Count(n => n.Severity == Severity.Warning)} to review, {import.Notes.Count(n => n.Code == ImportCodes.NotCarried)} not carried over.");
    }

    private static string Paint(Terminal t, Diagnostic note) => note.Severity switch
    {
        Severity.Error => t.Red("cannot import"),
        Severity.Warning => t.Yellow(note.Code),
        _ => t.Dim(note.Code),
    };

    private static string Kind(ImportedKind kind) => kind switch
    {
        ImportedKind.TaskCard => "task-card",
        ImportedKind.ModelTiers => "model-tiers",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static object Json(ImportResult import) => new
    {
        system = import.System switch { SourceSystem.OpsSkill => "opsskill", SourceSystem.Legator => "legator", _ => "agent-skill" },
        valid = import.AllValid,
        sources = import.Sources.Select(s => new { file = s, imported = !import.NothingImported.Contains(s) }),
        files = import.Files.Select(f => new
        {
            source = f.Source, source_line = f.SourceLine, kind = Kind(f.Kind), name = f.Name, path = f.Path,
            result = f.Outcome switch { ImportOutcome.Written => f.Validated ? "valid" : "written", ImportOutcome.Exists => "exists", ImportOutcome.Invalid => "invalid", _ => "not-written" },
            problems = f.Problems.Select(Diagnostic),
        }),
        notes = import.Notes.Select(Diagnostic),
        validation_notes = import.ValidationNotes,
    };

    private static object Diagnostic(Diagnostic d) => new
    {
        file = d.File, line = d.Position.Line, severity = d.Label, code = d.Code, field = d.Path, message = d.Message,
    };
}
