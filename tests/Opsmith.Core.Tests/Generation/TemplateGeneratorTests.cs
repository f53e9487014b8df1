using Opsmith.Core.Documents;
using Opsmith.Core.Generation;
using Opsmith.Core.Skills;
using Opsmith.Core.TaskCards;

namespace Opsmith.Core.Tests.Generation;

public sealed class TemplateGeneratorTests
{
    private static TaskCard Card(Stage stage, string intent, string? family = null, string service = "nginx") =>
        new("some-task", intent, stage, "web1", service, null, Severity.High, "it works again", [], family,
            new Dictionary<string, string>());

    [Theory]
    [InlineData("Restart nginx when it has crashed", "restart")]
    [InlineData("Free space when the disk is full", "clear-disk")]
    [InlineData("Rotate logs that grow too fast", "rotate-logs")]
    [InlineData("Scale out when traffic saturates the pods", "scale")]
    [InlineData("Rolling restart of the kubernetes deployment", "rollout-restart")]
    [InlineData("Make it better", "restart")]
    public void Recovery_family_is_chosen_from_the_card_words(string intent, string family) =>
        Assert.Equal(family, TemplateSkillGenerator.Choose(Card(Stage.Recovery, intent), out _)!.Name);

    [Theory]
    [InlineData(Stage.Detection, "check-health")]
    [InlineData(Stage.Verification, "check-health")]
    [InlineData(Stage.Diagnosis, "collect-diagnostics")]
    public void Read_only_stages_get_read_only_families(Stage stage, string family) =>
        Assert.Equal(family, TemplateSkillGenerator.Choose(Card(stage, "restart the crashed disk"), out _)!.Name);

    [Fact]
    public void An_unknown_explicit_family_is_an_error_naming_the_known_ones()
    {
        Assert.Null(TemplateSkillGenerator.Choose(Card(Stage.Recovery, "x", family: "teleport"), out var error));
        Assert.Contains("asks for family 'teleport'; the template generator knows restart, rollout-restart", error);
    }

    public static TheoryData<string> Families()
    {
        var data = new TheoryData<string>();
        foreach (var family in TemplateSkillGenerator.Families) data.Add(family.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Every_family_writes_a_skill_that_reads_back_without_diagnostics(string family)
    {
        var card = Card(family is "check-health" ? Stage.Detection : family is "collect-diagnostics" ? Stage.Diagnosis : Stage.Recovery,
            "Do the thing: with 'quotes' and # hashes", family, service: "redis");

        var result = await new TemplateSkillGenerator().GenerateAsync(card, CancellationToken.None);

        var document = DocumentLoader.Load("generated.yaml", result.Yaml!);
        Assert.Empty(document.Diagnostics);
        Assert.Equal("some-task", document.Skill!.Name);
        Assert.Contains("with 'quotes' and # hashes", document.Skill.Metadata.Description);
    }
}
