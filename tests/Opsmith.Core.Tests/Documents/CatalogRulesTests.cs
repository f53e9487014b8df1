using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;

namespace Opsmith.Core.Tests.Documents;

public sealed class CatalogRulesTests
{
    private static string Skill(string metadata) => $"""
        apiVersion: opsmith/v1
        kind: Skill
        {metadata}
        spec:
          targets: web1
          risk: read
          actions:
            - name: df
              run: df -h
        """;

    [Theory]
    [InlineData("metadata: {title: Disk, description: Shows disk., stage: diagnosis, name: check-disk}", 3, 75)]
    [InlineData("metadata:\n  title: Disk\n  description: Shows disk.\n  stage: diagnosis\n  name: check-disk", 7, 9)]
    public void A_duplicate_skill_name_is_reported_where_the_second_file_writes_it(string metadata, int line, int column)
    {
        var first = DocumentLoader.Load("a.yaml", Skill(metadata));
        var second = DocumentLoader.Load("b.yaml", Skill(metadata));

        var checkedDocuments = CatalogRules.Apply([first, second]);

        var problem = Assert.Single(checkedDocuments[1].Diagnostics);
        Assert.Equal(("duplicate-skill", new SourcePosition(line, column)), (problem.Code, problem.Position));
    }
}
