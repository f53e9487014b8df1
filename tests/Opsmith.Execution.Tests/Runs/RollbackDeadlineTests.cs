using Microsoft.Extensions.Time.Testing;
using Opsmith.Execution.Runs;

namespace Opsmith.Execution.Tests.Runs;

/// <summary>A stop gives the rollback a long grace; a second, urgent stop shortens it; nothing lengthens it.</summary>
public sealed class RollbackDeadlineTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _hurry = new();

    [Fact]
    public void Without_a_stop_the_rollback_has_no_deadline()
    {
        using var deadline = new RollbackDeadline(_stop.Token, _hurry.Token, _time);

        _time.Advance(TimeSpan.FromDays(1));

        Assert.False(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_stop_gives_the_rollback_the_whole_grace()
    {
        using var deadline = new RollbackDeadline(_stop.Token, _hurry.Token, _time);

        _stop.Cancel();
        _time.Advance(RollbackDeadline.Grace - TimeSpan.FromSeconds(1));
        var beforeTheGrace = deadline.Token.IsCancellationRequested;
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(beforeTheGrace);
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_second_stop_shortens_the_grace()
    {
        using var deadline = new RollbackDeadline(_stop.Token, _hurry.Token, _time);

        _stop.Cancel();
        _time.Advance(TimeSpan.FromMinutes(1));
        _hurry.Cancel();
        _time.Advance(RollbackDeadline.HurriedGrace);

        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_second_stop_late_in_the_grace_does_not_lengthen_it()
    {
        using var deadline = new RollbackDeadline(_stop.Token, _hurry.Token, _time);

        _stop.Cancel();
        _time.Advance(RollbackDeadline.Grace - TimeSpan.FromSeconds(5));
        _hurry.Cancel();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_stop_that_came_before_the_rollback_started_still_starts_the_grace()
    {
        _stop.Cancel();
        using var deadline = new RollbackDeadline(_stop.Token, _hurry.Token, _time);

        var atOnce = deadline.Token.IsCancellationRequested;
        _time.Advance(RollbackDeadline.Grace);

        Assert.False(atOnce);
        Assert.True(deadline.Token.IsCancellationRequested);
    }
}
