using Opsmith.Core.Documents;
using Opsmith.Core.Rendering;

namespace Opsmith.Core.Tests.Rendering;

public sealed class InputBinderTests
{
    private static readonly Opsmith.Core.Skills.Skill Skill = DocumentLoader.Load("wait.yaml", """
        apiVersion: opsmith/v1
        kind: Skill
        metadata: {name: wait-a-bit, title: Wait, description: Waits., stage: diagnosis}
        spec:
          inputs:
            pause: {type: duration, default: 1s}
            count: {type: int, default: "1"}
          targets: web1
          risk: read
          actions:
            - name: wait
              run: sleep 1
        """).Skill!;

    [Theory]
    [InlineData("pause", "999999999999999999999d", "input 'pause' = '999999999999999999999d' is longer than any duration Opsmith accepts (36500d)")]
    [InlineData("pause", "30 seconds", "input 'pause' = '30 seconds' is not a duration such as 30s or 5m")]
    [InlineData("count", "99999999999999999999999", "input 'count' = '99999999999999999999999' is too large for a whole number")]
    [InlineData("count", "many", "input 'count' = 'many' is not a whole number")]
    public void A_given_value_that_does_not_fit_is_an_error_that_says_why(string input, string value, string error)
    {
        var (bound, errors) = InputBinder.Bind(Skill, new Dictionary<string, string> { [input] = value }, null);

        Assert.Null(bound);
        Assert.Equal([error], errors);
    }
}
