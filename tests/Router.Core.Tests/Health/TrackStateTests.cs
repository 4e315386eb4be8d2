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
    public void Goes_down_only_after_fall_consecutive_failures_and_up_after_rise_successes()
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
    public void Runs_are_spaced_by_the_interval_and_never_overlap()
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
    public void A_probe_past_its_timeout_counts_as_failed_and_its_late_result_is_ignored()
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
    public void Init_fail_starts_down_and_needs_rise_successes()
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
    public void Weight_moves_the_priority(int configured, int weight, bool up, int expected)
    {
        var health = new HealthTracker([Check(weight: weight, fall: 1, initFail: !up)]);
        var result = health.Evaluate("lan", (byte)configured);
        Assert.Equal((byte)expected, result.Priority);
        Assert.Null(result.FaultReason);
    }

    [Fact]
    public void Weight_zero_down_means_fault_for_the_tracked_instances_only()
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
