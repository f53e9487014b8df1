using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;

namespace Opsmith.Storage.Tests;

/// <summary>
/// Four-eyes through the store, in both databases: the proposer cannot approve their own request under another
/// spelling of their name, and a request whose proposer cannot be read is approved by nobody.
/// </summary>
public abstract partial class ApprovalStoreContract
{
    [Theory]
    [InlineData("Alice")]
    [InlineData("ALICE")]
    [InlineData(" alice ")]
    [InlineData("alice\u00a0")]
    [InlineData("user:alice")]
    [InlineData("USER: Alice")]
    [InlineData("ａｌｉｃｅ")]
    public async Task The_proposer_cannot_approve_under_another_spelling_of_their_name(string spelling)
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Alice), None);

        var result = await db.Approvals.ApproveAsync(request.Id, new Actor(spelling, ActorKind.Human), null, None);

        Assert.Equal(ApprovalResultKind.NotAllowed, result.Kind);
        Assert.Contains("user:alice proposed this step and cannot approve it", result.Message);
        Assert.Equal(ApprovalStatus.Pending, (await db.Approvals.GetAsync(request.Id, None))!.Status);
    }

    [Theory]
    [InlineData("alice\n")]
    [InlineData("alice\r\n")]
    [InlineData("user:user:alice")]
    [InlineData("ali\u200bce")]
    [InlineData("")]
    public void A_spelling_that_needs_cleaning_is_no_actor_at_all(string spelling)
    {
        Assert.Throws<ArgumentException>(() => new Actor(spelling, ActorKind.Human));
        Assert.False(ActorText.TryParse(spelling, out _));
    }

    [Fact]
    public async Task A_proposer_given_in_another_spelling_is_stored_canonical()
    {
        await using var db = await OpenAsync();

        var request = await db.Approvals.CreateAsync(Proposal(new Actor(" User:ALICE ", ActorKind.Human)), None);

        Assert.Equal("user:alice", request.Proposer);
        Assert.Equal("user:alice", (await db.Approvals.GetAsync(request.Id, None))!.Proposer);
    }

    [Fact]
    public async Task A_stored_proposer_in_another_spelling_still_cannot_approve()
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Alice), None);
        await db.Trail.TamperAsync("UPDATE approval_requests SET proposer = 'user: Alice ' WHERE id = @Id", new { request.Id });

        var byAlice = await db.Approvals.ApproveAsync(request.Id, Alice, null, None);
        var byBob = await db.Approvals.ApproveAsync(request.Id, Bob, null, None);

        Assert.Equal(ApprovalResultKind.NotAllowed, byAlice.Kind);
        Assert.True(byBob.Succeeded, byBob.Message);
    }

    [Theory]
    [InlineData("user:user:alice")]
    [InlineData("alice\n")]
    [InlineData("")]
    public async Task A_request_whose_proposer_cannot_be_read_is_approved_by_nobody(string stored)
    {
        await using var db = await OpenAsync();
        var request = await db.Approvals.CreateAsync(Proposal(Alice), None);
        await db.Trail.TamperAsync("UPDATE approval_requests SET proposer = @Stored WHERE id = @Id", new { Stored = stored, request.Id });

        var result = await db.Approvals.ApproveAsync(request.Id, Bob, null, None);

        Assert.Equal(ApprovalResultKind.NotAllowed, result.Kind);
        Assert.Contains("cannot read", result.Message);
        Assert.Equal(ApprovalStatus.Pending, (await db.Approvals.GetAsync(request.Id, None))!.Status);
    }
}
