using Opsmith.Core.Documents;
using Opsmith.Core.Rendering;
using Opsmith.Core.Skills;

namespace Opsmith.Core.Tests.Rendering;

/// <summary>A secret input the masker cannot hide is refused at binding, before anything runs, naming the input.</summary>
public sealed class InputBinderSecretTests
{
    private static Skill SkillWithToken(bool required)
    {
        var document = DocumentLoader.Load("skill.yaml", """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: use-token, title: Use a token, description: Uses a token., stage: diagnosis}
            spec:
              inputs:
                token: {type: string, secret: true, required: REQUIRED}
              targets: node1
              risk: read
              actions:
                - name: use
                  run: echo {{ inputs.token }}
            """.Replace("REQUIRED", required ? "true" : "false"));
        return document.Skill ?? throw new InvalidOperationException(string.Join("\n", document.Diagnostics.Select(d => d.ToLine())));
    }

    [Fact]
    public void An_empty_value_for_a_required_secret_is_an_error_naming_the_input()
    {
        var (inputs, errors) = InputBinder.Bind(SkillWithToken(required: true), new Dictionary<string, string> { ["token"] = "" }, null);

        Assert.Null(inputs);
        var error = Assert.Single(errors);
        Assert.Contains("'token'", error);
        Assert.Contains("empty", error);
    }

    [Fact]
    public void An_empty_value_for_an_optional_secret_means_none()
    {
        var (inputs, errors) = InputBinder.Bind(SkillWithToken(required: false), new Dictionary<string, string> { ["token"] = "" }, null);

        Assert.Empty(errors);
        Assert.Equal("", inputs!.Values["token"]);
    }

    [Theory]
    [InlineData("e")]
    [InlineData("abc")]
    public void A_secret_too_short_to_mask_is_an_error_naming_the_input_and_not_echoing_it(string secret)
    {
        var (inputs, errors) = InputBinder.Bind(SkillWithToken(required: true), new Dictionary<string, string> { ["token"] = secret }, null);

        Assert.Null(inputs);
        var error = Assert.Single(errors);
        Assert.Contains("'token'", error);
        Assert.Contains($"at least {SecretMasker.MinimumSecretLength}", error);
        Assert.DoesNotContain($"'{secret}'", error);
    }

    [Fact]
    public void A_secret_of_the_minimum_length_binds()
    {
        var (inputs, errors) = InputBinder.Bind(SkillWithToken(required: true), new Dictionary<string, string> { ["token"] = "s3cr" }, null);

        Assert.Empty(errors);
        Assert.Equal("s3cr", inputs!.Values["token"]);
    }
}
