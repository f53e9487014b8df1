using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Generation;

namespace Opsmith.Core.Tests.Generation;

public sealed class CardProblemLocatorTests
{
    private const string Card = """
        apiVersion: opsmith/v1
        kind: TaskCard
        name: redis-health-cache1
        intent: Tell whether redis on cache1 is healthy
        stage: detection
        target: cache1
        service: redis
        expected_outcome: redis answers
        params:
          port: "99999"
        """;

    private static async Task<(LoadedDocument Card, LoadedDocument Generated)> GenerateAsync()
    {
        var card = DocumentLoader.Load("card.yaml", Card);
        var generated = await new TemplateSkillGenerator().GenerateAsync(card.TaskCard!, CancellationToken.None);
        return (card, DocumentLoader.Load("redis-health-cache1.yaml", generated.Yaml!));
    }

    [Fact]
    public async Task A_problem_caused_by_a_card_value_is_reported_at_that_value_in_the_card()
    {
        var (card, generated) = await GenerateAsync();
        Assert.Contains(generated.Diagnostics, d => d.Code == "bad-default" && d.Position.Line > 20); // at the generated skill's line

        var problem = Assert.Single(CardProblemLocator.OntoCard(card, generated));

        Assert.Equal("card.yaml", problem.File);
        Assert.Equal(new SourcePosition(10, 9), problem.Position);
        Assert.Equal("params.port", problem.Path);
        Assert.Equal("default of input 'port' is 99999, outside 1..65535 (in the generated skill, from this value of the task card)", problem.Message);
    }

    [Fact]
    public async Task A_problem_no_card_value_explains_is_reported_at_the_card_start_quoting_the_generated_line()
    {
        var (card, generated) = await GenerateAsync();
        var line = generated.SourceText.Split('\n').Select((text, i) => (text, i)).First(x => x.text.Contains("kind: Skill")).i + 1;
        var generatorBug = new Diagnostic(Severity.Error, "bad-value", generated.File, new SourcePosition(line, 7), "something the generator wrote");

        var problem = Assert.Single(CardProblemLocator.OntoCard(card, generated with { Diagnostics = [generatorBug] }));

        Assert.Equal(("card.yaml", new SourcePosition(1, 1)), (problem.File, problem.Position));
        Assert.Equal($"something the generator wrote (in the generated skill, line {line}: 'kind: Skill')", problem.Message);
    }
}
