using System.Net;
using Router.Core.Fencing;
using Router.Core.Roles;

namespace Router.Core.Tests.Roles;

/// <summary>The fence reason is logged and published each time it changes: it must stay the same while nothing but the
/// clock moves, or heartbeats alone flood the log and MQTT (issue 15: 56 lines in 35 s).</summary>
public class FenceReasonTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static readonly IReadOnlyList<ActionSpec> Omr =
    [
        new ActionSpec { Name = "wan", Phase = StepPhase.Wan, Order = 10, Retries = 0 },
        new ActionSpec { Name = "vpn", Phase = StepPhase.Tunnel, Order = 20, Fenced = true, Retries = 0 },
    ];

    private static List<string> FenceNotes(IEnumerable<RoleCommand> commands) =>
        commands.OfType<RoleNote>().Where(n => n.Text.StartsWith("fence: ", StringComparison.Ordinal)).Select(n => n.Text).ToList();

    /// <summary>A MASTER held at the fence: the peer is heard on "lan" but never reports its tunnel state (an old peer,
    /// or its state lost), which is the situation whose reason used to carry "heard 0.4 s ago".</summary>
    private static (RoleCoordinator Coordinator, List<string> Notes) HeldAtTheFence()
    {
        var fence = new TunnelFence(new FenceSettings { Paths = ["lan", "wan"], SilenceWindow = S(10), PeerAliveWindow = S(3) },
            7, IPAddress.Parse("10.0.0.2"), 150, TimeSpan.Zero);
        var c = new RoleCoordinator(new RoleCoordinatorSettings { Actions = Omr }, fence, 150);
        var notes = new List<string>();
        void Take(IReadOnlyList<RoleCommand> commands)
        {
            notes.AddRange(FenceNotes(commands));
            foreach (var r in commands.OfType<RunStep>()) Take(c.OnStepResult(r.Start.Ticket, true, null, S(0.2)));
        }
        Take(c.Boot(S(0)));
        Take(c.OnPathUp("lan", S(0.1)));
        Take(c.OnVrrpRole(RoleTarget.Master, 150, "election", S(0.2)));
        Assert.Equal(TunnelGate.Wait, c.Verdict(S(0.2))!.Gate);
        return (c, notes);
    }

    [Fact]
    public void HeartbeatsOver35SecondsInAStableSituationGiveOneReasonAndNoNewVersion()
    {
        var (c, notes) = HeldAtTheFence();
        notes.Clear();
        var version = c.Version;
        var reason = c.Verdict(S(0.2))!.Reason;

        // A heartbeat every 0.5 s and the loop's timer in between, for 35 s.
        for (var t = 0.5; t <= 35.2; t += 0.5)
        {
            notes.AddRange(FenceNotes(c.OnHeard("lan", S(t))));
            notes.AddRange(FenceNotes(c.OnTimer(S(t + 0.25))));
        }

        Assert.Empty(notes); // not one more "fence: Wait (...)" line
        Assert.Equal(version, c.Version); // nothing new for MQTT to publish
        Assert.Equal(reason, c.Verdict(S(35.5))!.Reason);
        Assert.Equal("peer heard on lan but has not reported its tunnel state", reason);
    }

    [Fact]
    public void AMasterThatHasNotHeardThePeerYetSaysSoRatherThanNamingNoPath()
    {
        var fence = new TunnelFence(new FenceSettings { Paths = ["lan", "wan"], SilenceWindow = S(10), PeerAliveWindow = S(3) },
            7, IPAddress.Parse("10.0.0.2"), 150, TimeSpan.Zero);
        var c = new RoleCoordinator(new RoleCoordinatorSettings { Actions = Omr }, fence, 150);
        c.Boot(S(0));
        var notes = FenceNotes(c.OnVrrpRole(RoleTarget.Master, 150, "election", S(0.2)));
        Assert.Equal(["fence: Wait (peer not heard yet on any path)"], notes);
    }

    [Fact]
    public void ARealChangeStillGivesANewReasonOnce()
    {
        var (c, notes) = HeldAtTheFence();
        for (var t = 0.5; t <= 20; t += 0.5) c.OnHeard("lan", S(t));
        notes.Clear();
        var version = c.Version;

        // The peer is now heard on a second path too: one new line, then quiet again.
        notes.AddRange(FenceNotes(c.OnPathUp("wan", S(20.2))));
        for (var t = 20.5; t <= 30; t += 0.5)
        {
            notes.AddRange(FenceNotes(c.OnHeard("lan", S(t))));
            notes.AddRange(FenceNotes(c.OnHeard("wan", S(t + 0.1))));
        }
        Assert.Equal(["fence: Wait (peer heard on lan, wan but has not reported its tunnel state)"], notes);
        Assert.True(c.Version > version);

        // Then silence on every path for the window: the gate opens, with one reason for it.
        notes.Clear();
        c.OnPathDown("lan", S(30.2));
        c.OnPathDown("wan", S(30.2));
        for (var t = 30.5; t <= 45; t += 0.5) notes.AddRange(FenceNotes(c.OnTimer(S(t))));
        Assert.Contains("fence: Allowed (peer silent on every path for 10 s)", notes);
        Assert.Equal(notes.Count, notes.Distinct().Count());
    }
}
