using Opsmith.Policy.Decisions;

namespace Opsmith.Policy.Tests.Decisions;

/// <summary>One identity has one spelling: the canonical actor that four-eyes and the approval store compare.</summary>
public sealed class ActorTests
{
    private static readonly Actor Alice = new("alice", ActorKind.Human);

    [Theory]
    [InlineData("alice")]
    [InlineData("Alice")]
    [InlineData("ALICE")]
    [InlineData("  alice  ")]
    [InlineData("\u00a0alice\u3000")] // no-break and ideographic spaces
    [InlineData("user:alice")]
    [InlineData("USER:Alice")]
    [InlineData("user: alice")]
    [InlineData("ａｌｉｃｅ")] // fullwidth letters: NFKC
    [InlineData("user：alice")] // fullwidth colon: NFKC
    public void Every_spelling_of_a_name_reads_as_the_same_person(string text)
    {
        var actor = Actor.Parse(text);

        Assert.Equal(Alice, actor);
        Assert.Equal("user:alice", actor.ToString());
        Assert.True(actor.IsSameIdentityAs(Alice));
    }

    [Fact]
    public void The_constructor_canonicalizes_too()
    {
        Assert.Equal(Alice, new Actor(" User:ALICE ", ActorKind.Human));
        Assert.Equal("agent:opsmith", new Actor("Agent:OpsMith", ActorKind.Agent).ToString());
    }

    [Fact]
    public void Inner_white_space_becomes_one_space()
    {
        Assert.Equal("user:alice smith", Actor.Parse("Alice \u00a0  Smith").ToString());
    }

    [Fact]
    public void Canonical_text_reads_back_as_itself()
    {
        foreach (var text in new[] { "user:alice", "agent:opsmith", "user:alice smith", "user:émile" })
            Assert.Equal(text, Actor.Parse(Actor.Parse(text).ToString()).ToString());
    }

    [Theory]
    [InlineData("alice\n")]
    [InlineData("alice\r")]
    [InlineData("ali\nce")]
    [InlineData("alice\u0000")]
    [InlineData("alice\u001b[2J")]
    [InlineData("ali\u200bce")] // zero-width space
    [InlineData("\u202ealice")] // bidi override
    [InlineData("alice\u2028")] // line separator
    [InlineData("\talice")]
    public void A_name_with_control_format_or_line_break_characters_is_refused(string text)
    {
        Assert.False(Actor.TryParse(text, out _, out var problem));
        Assert.Contains("control, format or line-break", problem);
        Assert.DoesNotContain("\n", problem);
        Assert.Throws<ArgumentException>(() => new Actor(text, ActorKind.Human));
    }

    [Theory]
    [InlineData("user:user:alice")]
    [InlineData("user:agent:alice")]
    [InlineData("agent:user:alice")]
    [InlineData("alice:admin")]
    public void A_prefix_is_accepted_once_and_a_colon_nowhere_else(string text)
    {
        Assert.False(Actor.TryParse(text, out _, out var problem));
        Assert.Contains("colon", problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("user:")]
    [InlineData("user:   ")]
    [InlineData(null)]
    public void An_empty_name_is_refused(string? text)
    {
        Assert.False(Actor.TryParse(text, out _, out var problem));
        Assert.NotEmpty(problem);
    }

    [Theory]
    [InlineData("e\u0301mile")] // a combining accent: NFKC would compose it, so it is refused rather than compared raw
    [InlineData("ﬁona")] // a ligature
    [InlineData("аlice")] // Cyrillic а
    [InlineData("𝐚lice")] // mathematical bold a
    public void A_name_with_characters_whose_normal_form_is_not_known_is_refused(string text)
    {
        Assert.False(Actor.TryParse(text, out _, out var problem));
        Assert.Contains("actor names use letters", problem);
    }

    [Fact]
    public void Accented_latin_letters_are_names()
    {
        Assert.Equal("user:émile", Actor.Parse("ÉMILE").ToString());
    }

    [Fact]
    public void A_prefix_that_contradicts_the_given_kind_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Actor("agent:alice", ActorKind.Human));
    }

    [Fact]
    public void An_over_long_name_is_refused()
    {
        Assert.False(Actor.TryParse(new string('a', Actor.MaxNameLength + 1), out _, out _));
        Assert.True(Actor.TryParse(new string('a', Actor.MaxNameLength), out _, out _));
    }

    [Theory]
    [InlineData("Alice")]
    [InlineData(" alice")]
    [InlineData("user:alice")]
    [InlineData("USER: ALICE ")]
    [InlineData("ａｌｉｃｅ")]
    public void The_proposer_cannot_approve_under_another_spelling_of_their_name(string approver)
    {
        var decision = PolicyEngine.CanApprove(Alice, Actor.Parse(approver));

        Assert.Equal(DecisionOutcome.Block, decision.Outcome);
    }

    [Fact]
    public void A_person_cannot_approve_what_an_agent_of_the_same_name_proposed()
    {
        var decision = PolicyEngine.CanApprove(new Actor("alice", ActorKind.Agent), Alice);

        Assert.Equal(DecisionOutcome.Block, decision.Outcome);
    }

    [Fact]
    public void Another_person_can_approve()
    {
        Assert.Equal(DecisionOutcome.Allow, PolicyEngine.CanApprove(Alice, Actor.Parse("bob")).Outcome);
    }
}
