using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

/// <summary>Continuous enforcement through the whole daemon pair on a fake clock: a BACKUP whose tunnel is started
/// behind its back gets it stopped again within one interval, and status, the view and the events say so.</summary>
public sealed class EnforcementTests
{
    private static readonly PairOptions Options = new() { DriftChecked = ["vpn", "dhcp"], EnforceSeconds = 5 };

    [Fact]
    public void ABackupsTunnelStartedBehindItsBackIsStoppedWithinOneIntervalAndCountedOnce()
    {
        using var pair = new TestPair(Options);
        pair.StartAndElect();
        pair.RunFor(TimeSpan.FromSeconds(6));
        Assert.All(pair.B.Status().Enforcement!.Actions, a => Assert.Equal("in_state", a.State));

        // OMR's cron re-enables and starts the tunnel on the BACKUP.
        pair.B.Steps.Undo("vpn", running: true);
        var since = pair.Now;
        pair.RunUntil(() => !pair.B.Steps.Running("vpn"), TimeSpan.FromSeconds(5.5), "B's tunnel stopped again");
        Assert.InRange(pair.Now - since, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        pair.RunFor(TimeSpan.FromSeconds(1));

        var vpn = pair.B.Status().Enforcement!.Actions.Single(a => a.Action == "vpn");
        Assert.Equal(("in_state", "stop", 1L, 1L), (vpn.State, vpn.Direction, vpn.Episodes, vpn.Corrections));
        Assert.Single(pair.B.Log, l => l.StartsWith("Warning: enforce: vpn is not in its BACKUP state", StringComparison.Ordinal));
        Assert.Single(pair.B.Log, l => l.StartsWith("Info: enforce: vpn back in its BACKUP state", StringComparison.Ordinal));
        var drift = Assert.Single(pair.B.Views.Events, e => e.Kind == "drift");
        Assert.Equal(("vpn", "BACKUP", "true"), (drift.Fields["action"], drift.Fields["target"], drift.Fields["corrected"]));
        Assert.Equal(1, pair.B.Views.Views[^1].Enforcement!.Actions.Single(a => a.Action == "vpn").Corrections);

        // The MASTER was not touched: its tunnel still runs, nothing to correct there.
        Assert.True(pair.A.Steps.Running("vpn"));
        Assert.All(pair.A.Status().Enforcement!.Actions, a => Assert.Equal((0L, "in_state", "start"), (a.Corrections, a.State, a.Direction)));
        Assert.DoesNotContain(pair.A.Views.Events, e => e.Kind == "drift");
    }

    [Fact]
    public void AMasterWhoseTunnelWasStoppedBehindItsBackStartsItAgainWhileItHoldsTheFence()
    {
        using var pair = new TestPair(Options);
        pair.StartAndElect();
        pair.A.Steps.Undo("vpn", running: false);
        pair.RunUntil(() => pair.A.Steps.Running("vpn"), TimeSpan.FromSeconds(6), "A's tunnel started again");
        Assert.Equal(1, pair.A.Status().Enforcement!.Actions.Single(a => a.Action == "vpn").Corrections);
        Assert.False(pair.B.Steps.Running("vpn"));
    }

    [Fact]
    public void NoCheckRunsWhileAPlanStepRuns()
    {
        using var pair = new TestPair(Options);
        pair.StartAndElect();
        pair.RunFor(TimeSpan.FromSeconds(6));
        // B takes over (A's LAN goes down) while its tunnel start hangs for 20 s: nothing is checked meanwhile.
        pair.B.Steps.Hold("vpn", Router.Core.Roles.ActionDirection.Start);
        pair.A.Kernel.SetLink("lan0", up: false);
        pair.RunUntil(() => pair.B.Steps.IsRunning("vpn"), TimeSpan.FromSeconds(10), "B starting its tunnel");
        var checksBefore = pair.B.Steps.Enforced.Count;
        pair.RunFor(TimeSpan.FromSeconds(8));
        Assert.Equal(checksBefore, pair.B.Steps.Enforced.Count);
        pair.B.Steps.Finish("vpn");
        pair.RunFor(TimeSpan.FromSeconds(6));
        Assert.Contains(pair.B.Steps.Enforced, e => e.Work.Direction == Router.Core.Roles.ActionDirection.Start);
    }

    [Fact]
    public void StatusTextShowsTheDriftCounters()
    {
        using var pair = new TestPair(Options);
        pair.StartAndElect();
        pair.RunFor(TimeSpan.FromSeconds(6));
        pair.B.Steps.Undo("dhcp", running: true);
        pair.RunFor(TimeSpan.FromSeconds(6));
        var text = StatusText.Render(pair.B.Status());
        Assert.Contains("enforce: every 5 s, holding the BACKUP state", text);
        Assert.Matches(@"  dhcp +stop +in state; 1 episode\(s\), 1 correction\(s\)", text);
    }
}
