using Router.Core.Health;

namespace Router.Core.Tests.Health;

/// <summary>Health checks damped by rise/fall and their effect on priority (keepalived semantics), on a fake clock.</summary>
public class TrackStateTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private static TrackSettings Check(string name = "wan_ping", int rise = 1, int fall = 1, int weight = 0, bool initFail = false, params string[] instances) =>
        new() { Name = name, Interval = Interval, Timeout = TimeSpan.FromSeconds(1), Rise = rise, Fall = fall, Weight = weight, InitFail = initFail, Instances = instances };

    /// <summary>Runs one probe cycle at <paramref name="now"/> with the given result.</summary>
    private static TrackChange? Run(TrackState t, bool ok, TimeSpan now)
    {
        Assert.True(t.IsDue(now));
        return t.Complete(t.Begin(now), ok, ok ? "reply" : "no reply", now + TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public void GoesDownOnlyAfterFallConsecutiveFailuresAndUpAfterRiseSuccesses()
    {
        var t = new TrackState(Check(rise: 3, fall: 2));
        var now = TimeSpan.Zero;
        TimeSpan Next() => now += Interval;
        Assert.True(t.Up);
        Assert.Null(Run(t, false, now));
        Assert.Null(Run(t, true, Next()));     // a success resets the failure count
        Assert.Null(Run(t, false, Next()));
        var down = Run(t, false, Next());
        Assert.Equal(new TrackChange("wan_ping", false, "no reply", now + TimeSpan.FromMilliseconds(20)), down);
        Assert.Null(Run(t, true, Next()));
        Assert.Null(Run(t, true, Next()));
        Assert.Null(Run(t, false, Next()));    // a flap restarts the rise count
        Assert.Null(Run(t, true, Next()));
        Assert.Null(Run(t, true, Next()));
        Assert.True(Run(t, true, Next())!.Up);
        Assert.Equal(2, t.Changes);
    }

    [Fact]
    public void RunsAreSpacedByTheIntervalAndNeverOverlap()
    {
        var t = new TrackState(Check());
        var ticket = t.Begin(TimeSpan.Zero);
        Assert.False(t.IsDue(TimeSpan.FromSeconds(5)));           // still running
        Assert.Equal(TimeSpan.FromSeconds(1), t.NextDeadline);   // its timeout
        t.Complete(ticket, true, "ok", TimeSpan.FromSeconds(0.5));
        Assert.Equal(Interval, t.NextDeadline);
        Assert.False(t.IsDue(TimeSpan.FromSeconds(1.9)));
        Assert.True(t.IsDue(Interval));
    }

    [Fact]
    public void AProbePastItsTimeoutCountsAsFailedAndItsLateResultIsIgnored()
    {
        var t = new TrackState(Check());
        var ticket = t.Begin(TimeSpan.Zero);
        Assert.Null(t.CheckTimeout(TimeSpan.FromSeconds(0.99), out var early));
        Assert.False(early);
        var change = t.CheckTimeout(TimeSpan.FromSeconds(1), out var timedOut);
        Assert.True(timedOut);
        Assert.False(change!.Up);
        Assert.Equal("no result within 1 s", change.Detail);
        Assert.Null(t.Complete(ticket, true, "late", TimeSpan.FromSeconds(1.5)));
        Assert.False(t.Up);
    }

    [Fact]
    public void InitFailStartsDownAndNeedsRiseSuccesses()
    {
        var t = new TrackState(Check(rise: 2, initFail: true));
        Assert.False(t.Up);
        Assert.Null(Run(t, true, TimeSpan.Zero));
        Assert.True(Run(t, true, Interval)!.Up);
    }

    [Theory]
    [InlineData(100, 20, true, 120)]    // positive weight counts while up
    [InlineData(100, 20, false, 100)]
    [InlineData(100, -30, true, 100)]   // negative weight counts while down
    [InlineData(100, -30, false, 70)]
    [InlineData(240, 20, true, 254)]    // never reaches the owner's 255
    [InlineData(20, -50, false, 1)]     // never 0 (that means "resigning")
    [InlineData(255, -50, false, 255)]  // an address owner keeps 255
    public void WeightMovesThePriority(int configured, int weight, bool up, int expected)
    {
        var health = new HealthTracker([Check(weight: weight, fall: 1, initFail: !up)]);
        var result = health.Evaluate("lan", (byte)configured);
        Assert.Equal((byte)expected, result.Priority);
        Assert.Null(result.FaultReason);
    }

    [Fact]
    public void WeightZeroDownMeansFaultForTheTrackedInstancesOnly()
    {
        var health = new HealthTracker([Check("vps_ping", fall: 1, weight: 0, instances: "lan"), Check("wan2", weight: -10, instances: "lan6")]);
        Assert.Null(health.Evaluate("lan", 100).FaultReason);
        var t = health.Find("vps_ping")!;
        Run(t, false, TimeSpan.Zero);
        Assert.Equal("check vps_ping down", health.Evaluate("lan", 100).FaultReason);
        Assert.Null(health.Evaluate("lan6", 100).FaultReason);
        Assert.Equal(100, health.Evaluate("lan6", 100).Priority);
        Run(health.Find("wan2")!, false, TimeSpan.Zero);
        Assert.Equal(90, health.Evaluate("lan6", 100).Priority);
        Assert.Equal(100, health.Evaluate("lan", 100).Priority);
    }
}
