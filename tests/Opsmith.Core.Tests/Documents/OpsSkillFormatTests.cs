using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Skills;

namespace Opsmith.Core.Tests.Documents;

/// <summary>Documents written for OpsSkill, the tool before Opsmith, have no apiVersion/kind header.</summary>
public sealed class OpsSkillFormatTests
{
    private const string PlainCard = """
        # A card from OpsSkill
        name: restart-nginx-web1
        intent: Bring nginx on web1 back
        stage: recovery
        target: web1
        service: nginx
        symptom: port 80 refuses connections
        severity: high
        expected_outcome: nginx answers on port 80
        """;

    private const string PlainSkill = """
        name: restart-nginx
        intent: Restart nginx
        namespace: web
        metadata:
          risk_level: medium
          stage: recovery
          hidden_checks: []
        steps:
          - command: systemctl restart nginx
            expect_stdout_contains: ""
            on_failure: abort
            rollback: systemctl start nginx
        """;

    [Fact]
    public void A_plain_opsskill_task_card_is_read_as_a_task_card_with_a_note_suggesting_the_header()
    {
        var document = DocumentLoader.Load("card.yaml", PlainCard);

        Assert.True(document.IsValid);
        Assert.Equal(DocumentKind.TaskCard, document.Kind);
        Assert.Equal("restart-nginx-web1", document.TaskCard!.Name);
        Assert.Equal(Stage.Recovery, document.TaskCard.Stage);
        Assert.Equal("nginx answers on port 80", document.TaskCard.ExpectedOutcome);
        var note = Assert.Single(document.Diagnostics);
        Assert.Equal((Severity.Note, "no-header", 2), (note.Severity, note.Code, note.Position.Line));
        Assert.StartsWith("card.yaml:2:1: note: no apiVersion/kind header: read as a task card", note.ToLine());
        Assert.Contains("add 'apiVersion: opsmith/v1' and 'kind: TaskCard'", note.Message);
    }

    [Fact]
    public void A_plain_card_with_a_mistake_gets_the_note_and_the_error_at_its_line()
    {
        var document = DocumentLoader.Load("card.yaml", PlainCard.Replace("stage: recovery", "stage: recovry", StringComparison.Ordinal));

        Assert.False(document.IsValid);
        Assert.Collection(document.Diagnostics,
            d => Assert.Equal(Severity.Note, d.Severity),
            d => Assert.Equal(("bad-value", 4, "recovery"), (d.Code, d.Position.Line, d.Suggestion)));
    }

    [Fact]
    public void A_plain_opsskill_skill_is_one_error_naming_the_format_and_the_conversion_at_its_steps()
    {
        var document = DocumentLoader.Load("skill.yaml", PlainSkill);

        Assert.False(document.IsValid);
        var error = Assert.Single(document.Diagnostics);
        Assert.Equal(("opsskill-skill", new SourcePosition(8, 1)), (error.Code, error.Position));
        Assert.Contains("plain format of OpsSkill", error.Message);
        Assert.Contains("opsmith import opsskill", error.Message);
    }

    [Fact]
    public void An_opsskill_skill_with_actions_as_its_repository_writes_them_is_the_same_one_error_at_its_actions()
    {
        const string skill = "version: \"0.1\"\nname: check-namespace-access\nintent: Verify kubectl access\nnamespace: default\n" +
                             "actions:\n  - name: list pods\n    command: kubectl -n default get pods\nsuccess_criteria: []\n";

        var document = DocumentLoader.Load("skill.yaml", skill);

        var error = Assert.Single(document.Diagnostics);
        Assert.Equal(("opsskill-skill", new SourcePosition(5, 1)), (error.Code, error.Position));
        Assert.Contains("opsmith import opsskill FILE", error.Message);
    }

    [Fact]
    public void When_a_task_card_is_expected_a_header_less_document_is_read_as_one()
    {
        var document = DocumentLoader.Load("card.yaml", "name: tidy-up\nintnet: tidy\n"u8.ToArray(), expected: DocumentKind.TaskCard);

        Assert.Equal(DocumentKind.TaskCard, document.Kind);
        Assert.Contains(document.Diagnostics, d => d is { Code: "unknown-key", Suggestion: "intent" });
        Assert.Contains(document.Diagnostics, d => d.IsNote);
        Assert.DoesNotContain(document.Diagnostics, d => d.Message.Contains("apiVersion'", StringComparison.Ordinal) && d.IsError);
    }

    [Fact]
    public void A_header_less_document_that_looks_like_nothing_known_still_misses_its_header()
    {
        var document = DocumentLoader.Load("thing.yaml", "name: tidy-up\ncolour: blue\n");

        Assert.Contains(document.Diagnostics, d => d.Message == "the document is missing required field 'apiVersion'");
        Assert.DoesNotContain(document.Diagnostics, d => d.IsNote);
    }

    [Fact]
    public void A_document_with_half_a_header_is_not_guessed_at()
    {
        var document = DocumentLoader.Load("card.yaml", "kind: TaskCard\n" + PlainCard);

        Assert.Contains(document.Diagnostics, d => d.Message == "the document is missing required field 'apiVersion'");
        Assert.DoesNotContain(document.Diagnostics, d => d.IsNote);
    }
}
