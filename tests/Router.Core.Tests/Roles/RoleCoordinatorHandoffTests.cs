using System.Net;
using Router.Core.Fencing;
using Router.Core.Roles;

namespace Router.Core.Tests.Roles;

/// <summary>The coordinator's half of the cooperative handoff and of fast peer-death detection: which peer states
/// make it ask the role instance to take over, on a fake clock.</summary>
public class RoleCoordinatorHandoffTests
{
    private static readonly IPAddress VrrpA = IPAddress.Parse("192.168.1.2");

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static TunnelFence Fence(string address, byte priority, ulong boot) =>
        new(new FenceSettings { Paths = ["lan", "cable"], SilenceWindow = S(10), PeerAliveWindow = S(3) },
            boot, IPAddress.Parse(address), priority, TimeSpan.Zero);

    private static RoleCoordinator Coordinator(string address, byte priority, ulong boot, TimeSpan? deadAfter = null) =>
        new(new RoleCoordinatorSettings { PeerDeadAfter = deadAfter, PeerHeartbeat = S(0.1) }, Fence(address, priority, boot), priority);

    /// <summary>A (150, VRRP 192.168.1.2) is MASTER and B (100) BACKUP; both paths up; B has A's MASTER state.</summary>
    private static (RoleCoordinator A, RoleCoordinator B) MasterAndBackup(TimeSpan? deadAfter = null)
    {
        var a = Coordinator("10.9.0.1", 150, 1);
        var b = Coordinator("10.9.0.2", 100, 2, deadAfter);
        a.SetVrrpAddress(VrrpA, S(0));
        foreach (var c in new[] { a, b })
        {
            c.Boot(S(0));
            c.OnPathUp("lan", S(0));
            c.OnPathUp("cable", S(0));
        }
        b.OnVrrpRole(RoleTarget.Backup, 100, "startup", S(0));
        Deliver(Deliver(a.OnVrrpRole(RoleTarget.Master, 150, "election", S(1)), b, S(1)), a, S(1));
        Assert.Equal(FenceRole.Master, b.Fence!.Peer!.Role);
        return (a, b);
    }

    /// <summary>Delivers every fence state in <paramref name="commands"/> to <paramref name="to"/> on each path
    /// (the daemon sends on all of them); returns what the receiver answered.</summary>
    private static List<RoleCommand> Deliver(IEnumerable<RoleCommand> commands, RoleCoordinator to, TimeSpan now, params string[] paths)
    {
        var answer = new List<RoleCommand>();
        foreach (var s in commands.OfType<SendFenceState>())
            foreach (var path in paths.Length == 0 ? ["lan", "cable"] : paths)
                answer.AddRange(to.OnFenceMessage(path, s.Payload, now));
        return answer;
    }

    [Fact]
    public void AMasterThatGoesFaultMakesTheBackupAskForATakeoverOnce()
    {
        var (a, b) = MasterAndBackup();
        var answer = Deliver(a.OnVrrpRole(RoleTarget.Fault, 150, "lan0 is down", S(2)), b, S(2));
        var yielded = Assert.Single(answer.OfType<PeerYielded>()); // two paths delivered it: one decision
        Assert.Equal(VrrpA, yielded.PeerVrrpAddress);
        Assert.Contains("FAULT", yielded.Reason);
        Assert.IsType<PeerYielded>(answer.Last(c => c is PeerYielded or SendFenceState)); // after B's own reply
        Assert.Equal(2, b.Fence!.Counters.PeerStatesDuplicate); // A's MASTER and FAULT states, each on both paths
        Assert.Equal(0, b.Fence.Counters.PeerStatesRejected);
    }

    [Fact]
    public void AStoppingOrSwitchedOverMasterIsAYieldToo()
    {
        var (a, b) = MasterAndBackup();
        var answer = Deliver(a.OnVrrpRole(RoleTarget.Stopped, 150, "shutdown", S(2)), b, S(2), "cable");
        Assert.Contains("BACKUP", Assert.Single(answer.OfType<PeerYielded>()).Reason);
    }

    [Fact]
    public void AStateThatOnlyChangesTheTunnelIsNoYield()
    {
        var (a, b) = MasterAndBackup();
        var fault = a.OnVrrpRole(RoleTarget.Fault, 150, "lan0 is down", S(2));
        Deliver(fault, b, S(2));
        // Nothing more happens on A but its resend: no second yield.
        Assert.Empty(Deliver(a.OnTimer(S(3.5)), b, S(3.5)).OfType<PeerYielded>());
    }

    [Fact]
    public void ABackupThatIsAlreadyMasterOrAPeerThatNeverWasMasterAsksForNothing()
    {
        var (a, b) = MasterAndBackup();
        b.OnVrrpRole(RoleTarget.Master, 100, "master down", S(1.5));
        Assert.Empty(Deliver(a.OnVrrpRole(RoleTarget.Fault, 150, "lan0 is down", S(2)), b, S(2)).OfType<PeerYielded>());

        var c = Coordinator("10.9.0.1", 150, 3);
        var d = Coordinator("10.9.0.2", 100, 4);
        c.SetVrrpAddress(VrrpA, S(0));
        c.OnPathUp("lan", S(0));
        d.OnPathUp("lan", S(0));
        Deliver(c.Boot(S(0)), d, S(0), "lan");
        Assert.Empty(Deliver(c.OnVrrpRole(RoleTarget.Fault, 150, "lan0 is down", S(1)), d, S(1), "lan").OfType<PeerYielded>());
    }

    [Fact]
    public void APeerSilentOnEveryPathForTheDeadIntervalIsReportedDeadOnce()
    {
        var (_, b) = MasterAndBackup(deadAfter: S(0.3));
        b.OnHeard("cable", S(1.05)); // its last heartbeat
        b.OnPathDown("lan", S(1.1));
        b.OnPathDown("cable", S(1.2)); // killed: the kernel closed both connections
        Assert.Equal(S(1.35), b.NextDeadline);
        Assert.Empty(b.OnTimer(S(1.3)).OfType<PeerDead>());
        var dead = Assert.Single(b.OnTimer(S(1.35)).OfType<PeerDead>());
        Assert.Equal(VrrpA, dead.PeerVrrpAddress);
        Assert.Equal(S(1.15), dead.QuietSince); // its next heartbeat was due then
        Assert.Empty(b.OnTimer(S(2)).OfType<PeerDead>());
        Assert.NotEqual(S(1.35), b.NextDeadline);
    }

    [Fact]
    public void OnePathDownIsNoDeathAndWithoutFastDetectionNothingIsReported()
    {
        var (_, b) = MasterAndBackup(deadAfter: S(0.3));
        b.OnPathDown("lan", S(1.1));
        Assert.Empty(b.OnTimer(S(5)).OfType<PeerDead>());

        var (_, slow) = MasterAndBackup();
        slow.OnPathDown("lan", S(1.1));
        slow.OnPathDown("cable", S(1.1));
        Assert.Empty(slow.OnTimer(S(5)).OfType<PeerDead>());
    }

    [Fact]
    public void AStoppingRouterKnowsWhenThePeerHasSeenItsLastState()
    {
        var (a, b) = MasterAndBackup();
        var stop = a.OnVrrpRole(RoleTarget.Stopped, 150, "shutdown", S(2));
        Assert.False(a.PeerCaughtUp(S(2)));
        Deliver(Deliver(stop, b, S(2), "lan"), a, S(2), "lan");
        Assert.True(a.PeerCaughtUp(S(2)));
    }
}
