using Opsmith.Core.Templates;

namespace Opsmith.Core.Tests.Templates;

public sealed class TemplateTextTests
{
    [Fact]
    public void References_and_literals_are_split_with_offsets()
    {
        var parsed = TemplateText.Parse("curl http://{{ target.address }}:{{inputs.port}}/");

        Assert.Empty(parsed.Errors);
        Assert.Equal(["target.address", "inputs.port"], parsed.References.Select(r => r.Dotted));
        Assert.Equal(12, parsed.References.First().Offset);
    }

    [Theory]
    [InlineData("{{ inputs.port | quote }}")]
    [InlineData("{{ inputs.a + inputs.b }}")]
    [InlineData("{{ exec('rm -rf /') }}")]
    [InlineData("{{ }}")]
    public void Anything_but_a_reference_is_rejected(string text)
    {
        var parsed = TemplateText.Parse(text);

        var error = Assert.Single(parsed.Errors);
        Assert.Contains("is not a reference", error.Message);
        Assert.Empty(parsed.References);
    }

    [Fact]
    public void An_unclosed_template_is_an_error() =>
        Assert.Equal("'{{' is never closed with '}}'", Assert.Single(TemplateText.Parse("echo {{ inputs.x").Errors).Message);

    [Fact]
    public void A_stray_closing_brace_pair_is_an_error() =>
        Assert.Equal("'}}' without an opening '{{'", Assert.Single(TemplateText.Parse("echo x }}").Errors).Message);
}
