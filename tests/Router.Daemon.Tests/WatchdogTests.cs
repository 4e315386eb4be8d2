using System.Runtime.InteropServices;
using Router.Core.Roles;
using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

/// <summary>
/// The service watchdog is fed by the event loop, not a timer: a ping at the end of a turn every half timeout, the loop
/// waking for it when idle, none while no turn completes; READY only once boot has released every role action.
/// </summary>
public sealed class WatchdogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);

    [Fact]
    public void TheLoopPingsEveryHalfTimeoutAlsoWhenNothingElseHappens()
    {
        var clock = new ManualClock();
        var watchdog = new FakeWatchdog(clock, Timeout);
        using var pair = new TestPair(new PairOptions { WatchdogA = watchdog }, clock);
        pair.StartAndElect();
        var from = pair.Now;
        pair.RunFor(TimeSpan.FromSeconds(20));

        var pings = watchdog.Pings.Where(p => p >= from).ToList();
        Assert.InRange(pings.Count, 10, 11);
        // Adverts and heartbeats wake the loop in between; the pings still keep exactly half the timeout apart.
        Assert.All(pings.Zip(pings.Skip(1), (a, b) => b - a), gap => Assert.Equal(Timeout / 2, gap));
        Assert.True(pair.A.Daemon.NextDeadline <= pings[^1] + Timeout / 2);
    }

    [Fact]
    public void ALoopThatCompletesNoTurnSendsNoPingAndCatchesUpWithOneNotABurst()
    {
        var clock = new ManualClock();
        var watchdog = new FakeWatchdog(clock, Timeout);
        using var pair = new TestPair(new PairOptions { WatchdogA = watchdog }, clock);
        pair.StartAndElect();
        var before = watchdog.Pings.Count();

        // Hung: time passes, the loop turns no more (a supervisor would kill it after the timeout).
        clock.Advance(3 * Timeout);
        Assert.Equal(before, watchdog.Pings.Count());

        pair.A.Daemon.Turn(null);
        Assert.Equal(before + 1, watchdog.Pings.Count());
    }

    [Fact]
    public void ARestartedDaemonReleasesEveryRoleActionBeforeItSaysReady()
    {
        // As after a watchdog kill: the new process finds WAN, tunnel and DHCP possibly still up from the old one.
        var clock = new ManualClock();
        var watchdog = new FakeWatchdog(clock, Timeout);
        using var pair = new TestPair(new PairOptions { WatchdogA = watchdog }, clock);
        pair.A.Steps.Hold("vpn", ActionDirection.Stop);
        pair.A.Daemon.Start();
        // Within the first master-down interval, so no election overtakes the boot plan.
        pair.RunFor(TimeSpan.FromSeconds(2.5));

        Assert.Equal([("dhcp", ActionDirection.Stop), ("vpn", ActionDirection.Stop)], pair.A.Steps.Started.Select(s => (s.Name, s.Direction)));
        Assert.DoesNotContain(watchdog.Calls, c => c.What == "ready");
        // The boot plan waits on the tunnel's stop; the loop itself is alive and says so.
        Assert.Contains(watchdog.Calls, c => c.What == "ping");

        pair.A.Steps.Finish("vpn");
        pair.RunFor(TimeSpan.FromSeconds(0.1));
        Assert.Equal(["dhcp Stop", "vpn Stop", "wan Stop"], pair.A.Steps.Started.Take(3).Select(s => $"{s.Name} {s.Direction}"));
        Assert.Contains(watchdog.Calls, c => c.What == "ready");
        Assert.DoesNotContain(pair.A.Steps.Started, s => s.Direction == ActionDirection.Start && s.At < watchdog.Calls.First(c => c.What == "ready").At);
    }

    [Fact]
    public void ASupervisorThatWantsNoPingsIsToldReadyAndNeverPinged()
    {
        // What WATCHDOG_PID of another process (or no WATCHDOG_USEC) comes to: Timeout null.
        var clock = new ManualClock();
        var watchdog = new FakeWatchdog(clock, timeout: null);
        using var pair = new TestPair(new PairOptions { WatchdogA = watchdog }, clock);
        pair.StartAndElect();
        pair.RunFor(TimeSpan.FromSeconds(10));
        Assert.Equal(["ready"], watchdog.Calls.Select(c => c.What));
        Assert.Null(pair.A.Status().Watchdog);
    }

    [Fact]
    public void SigtermSaysStoppingOnceAndThePingsGoOnThroughTheStopPlan()
    {
        var clock = new ManualClock();
        var watchdog = new FakeWatchdog(clock, Timeout);
        using var pair = new TestPair(new PairOptions { WatchdogA = watchdog }, clock);
        pair.StartAndElect();
        pair.A.Steps.Hold("wan", ActionDirection.Stop);
        pair.A.Daemon.Post(new SignalArrived(PosixSignal.SIGTERM));
        pair.A.Daemon.Post(new SignalArrived(PosixSignal.SIGTERM));
        pair.RunUntil(() => pair.A.Steps.IsRunning("wan"), TimeSpan.FromSeconds(10), "A's stop plan at the WAN");
        var stopping = watchdog.Calls.Single(c => c.What == "stopping").At;
        pair.RunFor(TimeSpan.FromSeconds(5));
        Assert.Contains(watchdog.Pings, p => p > stopping + Timeout / 2);
    }

    [Fact]
    public void StatusShowsTheWatchdogAndTheFenceWindowReasoningInOneLine()
    {
        var clock = new ManualClock();
        using var pair = new TestPair(new PairOptions { WatchdogA = new FakeWatchdog(clock, Timeout) }, clock);
        pair.StartAndElect();
        var text = StatusText.Render(pair.A.Status());

        Assert.Contains("watchdog: fake, timeout 4 s, pinged every 2 s from the loop,", text);
        var fence = text.Split('\n').Single(l => l.StartsWith("fence ", StringComparison.Ordinal));
        // TestPair: fence_window 6 s; defaults watchdog 10, term_timeout 15, respawn_delay 5; the fenced vpn: 10 s x 1.
        Assert.Contains("peer silent 0.0 s of 6 s window (needs >= watchdog 10 s + kill 15 s + respawn 5 s + stop 10 s = 40 s: TOO SHORT, see check-config)", fence);
        var f = pair.A.Status().Fence!;
        Assert.Equal((6.0, false), (f.WindowS, f.WindowLongEnough));
    }
}
