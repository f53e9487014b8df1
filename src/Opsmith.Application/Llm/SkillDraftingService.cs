using System.Text;
using Microsoft.Extensions.AI;
using Opsmith.Application.Validation;
using Opsmith.Core.Documents;
using Opsmith.Core.Generation;
using Opsmith.Core.TaskCards;
using Opsmith.Llm.Providers;

namespace Opsmith.Application.Llm;

/// <summary>What drafting a skill came to: the result, which generator made it, and notes for the person (a fallback says so).</summary>
public sealed record DraftOutcome(GenerationResult Result, string Generator, IReadOnlyList<string> Notes, int RepairRounds, long Tokens);

/// <summary>
/// <c>opsmith generate CARD --generator llm</c>: the model drafts a skill from the task card and a few catalog
/// examples; the draft must pass <c>validate --strict</c>, and the validator's diagnostics go back to the model for
/// up to N repair rounds. When the model is unavailable, refuses, or cannot produce a valid skill, the template
/// generator writes it instead, and a note says so and why.
/// </summary>
public sealed class SkillDraftingService(OpsmithServices services)
{
    public const int DefaultRepairRounds = 3;
    private const int ExamplesShown = 2;

    public async Task<DraftOutcome> DraftAsync(TaskCard card, string cardText, ModelChoice model, string? examplesFolder, int repairRounds,
        CancellationToken ct)
    {
        if (model.Client is not { } client) return await TemplateAsync(card, model.FallbackReason, 0, 0, ct);
        var masker = services.NewMasker();
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, masker.Apply(await SystemPromptAsync(card, examplesFolder, ct))),
            new(ChatRole.User, masker.Apply($"Write the skill for this task card. Its metadata.name must be '{card.Name}'.\n```yaml\n{cardText.TrimEnd()}\n```")),
        };
        long tokens = 0;
        for (var round = 0; round <= repairRounds; round++)
        {
            ChatResponse response;
            try
            {
                response = await client.GetResponseAsync(messages, cancellationToken: ct);
            }
            catch (ModelCallException e)
            {
                return await TemplateAsync(card, masker.Apply(e.Message), round, tokens, ct);
            }
            tokens += response.Usage?.TotalTokenCount ?? 0;
            if (ModelAnswers.IsRefusal(response)) return await TemplateAsync(card, "the model declined to write the skill", round, tokens, ct);
            var yaml = ModelAnswers.Unfenced(response.Text);
            var problems = await ProblemsAsync(card, yaml, ct);
            if (problems.Count == 0)
                return new DraftOutcome(new GenerationResult(yaml, "llm", null), "llm",
                    [$"drafted by {model.Endpoint}{(round > 0 ? $" after {round} repair round{(round == 1 ? "" : "s")}" : "")}; passes validate --strict"], round, tokens);
            messages.AddRange(response.Messages);
            messages.Add(new ChatMessage(ChatRole.User,
                "opsmith validate --strict rejects the draft:\n" + string.Join("\n", problems) + "\nAnswer with the whole corrected skill, YAML only."));
        }
        return await TemplateAsync(card, $"the model's draft still fails validate --strict after {repairRounds} repair rounds", repairRounds, tokens, ct);
    }

    /// <summary>What validate --strict says about a draft, one line each ("line 7: …"); empty when it passes.</summary>
    private async Task<IReadOnlyList<string>> ProblemsAsync(TaskCard card, string yaml, CancellationToken ct)
    {
        var check = await DocumentValidation.ValidateAsync([DocumentLoader.Load($"{card.Name}.yaml", yaml)], strict: true, services.Linter, ct);
        var problems = check.Documents.SelectMany(d => d.Diagnostics).Where(d => d.IsError)
            .Select(d => $"line {d.Position.Line}:{d.Position.Column}: {d.Path}: {d.Message}").ToList();
        var document = check.Documents[0];
        if (problems.Count == 0 && document.Kind != DocumentKind.Skill) problems.Add("the answer is not a skill (kind: Skill)");
        if (problems.Count == 0 && document.Skill is { } skill && skill.Name != card.Name)
            problems.Add($"metadata.name is '{skill.Name}'; it must be '{card.Name}'");
        return problems;
    }

    private static async Task<DraftOutcome> TemplateAsync(TaskCard card, string reason, int rounds, long tokens, CancellationToken ct)
    {
        var result = await new TemplateSkillGenerator().GenerateAsync(card, ct);
        return new DraftOutcome(result, "template", [ModelAccess.FallbackNote("generate", reason, "the template generator")], rounds, tokens);
    }

    /// <summary>The format in a few lines, and the smallest valid catalog skills of the card's stage as examples.</summary>
    private async Task<string> SystemPromptAsync(TaskCard card, string? examplesFolder, CancellationToken ct)
    {
        var prompt = new StringBuilder(
            "You write Opsmith skills: one YAML document with apiVersion: opsmith/v1, kind: Skill, metadata (name, title, description, stage, " +
            "category, tags) and spec (targets, risk, inputs, preconditions, actions, success_criteria, rollback). Declare the risk each action " +
            "really has (read, service-mutation, config-mutation, data-mutation); every mutating skill needs a rollback or rollback: {none: true, reason: ...}. " +
            "Commands must pass shellcheck. Answer with the YAML only.\n");
        if (examplesFolder is null || !Directory.Exists(examplesFolder)) return prompt.ToString();
        var catalog = await Catalog.SkillCatalog.LoadAsync(examplesFolder, services.Linter, ct);
        var examples = catalog.Skills.Where(s => s.Skill.Metadata.Stage == card.Stage).Select(s => s.File)
            .Select(f => (File: f, Length: new FileInfo(f).Length)).OrderBy(f => f.Length).Take(ExamplesShown);
        foreach (var (file, _) in examples)
            prompt.Append($"\nAn example from the catalog ({Path.GetFileName(file)}):\n```yaml\n{(await File.ReadAllTextAsync(file, ct)).TrimEnd()}\n```\n");
        return prompt.ToString();
    }
}
