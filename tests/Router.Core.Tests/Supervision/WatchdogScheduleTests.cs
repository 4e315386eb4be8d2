using Router.Core.Supervision;

namespace Router.Core.Tests.Supervision;

public class WatchdogScheduleTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void PingsAtOnceThenEveryHalfOfTheTimeout()
    {
        var w = new WatchdogSchedule(S(10), S(100));
        Assert.Equal(S(5), w.Interval);
        Assert.True(w.TakeDue(S(100)));
        Assert.False(w.TakeDue(S(104.999)));
        Assert.Equal(S(105), w.NextPing);
        Assert.True(w.TakeDue(S(105)));
        Assert.Equal((2L, S(105), S(110)), (w.Pings, w.LastPing!.Value, w.NextPing));
    }

    [Fact]
    public void ALateTurnPingsOnceAndCountsTheIntervalFromThen()
    {
        var w = new WatchdogSchedule(S(2), TimeSpan.Zero);
        w.TakeDue(TimeSpan.Zero);
        // The loop was busy for 3 s: one ping now, not a burst of the missed ones.
        Assert.True(w.TakeDue(S(3)));
        Assert.False(w.TakeDue(S(3)));
        Assert.Equal(S(4), w.NextPing);
    }

    [Fact]
    public void AZeroTimeoutIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WatchdogSchedule(TimeSpan.Zero, TimeSpan.Zero));
}
