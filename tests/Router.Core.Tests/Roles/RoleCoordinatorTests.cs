using System.Net;
using Router.Core.Fencing;
using Router.Core.Roles;

namespace Router.Core.Tests.Roles;

/// <summary>The role coordinator decides everything around the plan; these drive it alone or as a pair whose fence
/// states are carried by hand, on a fake clock.</summary>
public class RoleCoordinatorTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static readonly IReadOnlyList<ActionSpec> Omr =
    [
        new ActionSpec { Name = "wan", Phase = StepPhase.Wan, Order = 10, Retries = 0 },
        new ActionSpec { Name = "vpn", Phase = StepPhase.Tunnel, Order = 20, Fenced = true, Retries = 0 },
        new ActionSpec { Name = "dhcp", Phase = StepPhase.Dhcp, Order = 30, Retries = 0 },
    ];

    private static RoleCoordinator Alone() => new(new RoleCoordinatorSettings { Actions = Omr }, null, 150);

    private static TunnelFence Fence(string address, byte priority) =>
        new(new FenceSettings { Paths = ["lan"], SilenceWindow = S(10), PeerAliveWindow = S(3) },
            (ulong)address.GetHashCode(), IPAddress.Parse(address), priority, TimeSpan.Zero);

    /// <summary>Answers every RunStep with success until the plan stops asking; returns what ran, in order.</summary>
    private static List<string> Complete(RoleCoordinator c, IReadOnlyList<RoleCommand> commands, TimeSpan now)
    {
        var ran = new List<string>();
        var pending = new Queue<RoleCommand>(commands);
        while (pending.TryDequeue(out var command))
        {
            if (command is PrepareDhcp) ran.Add("prepare-dhcp");
            if (command is not RunStep r) continue;
            ran.Add($"{r.Start.Step.Name} {(r.Start.Step.Direction == ActionDirection.Start ? "start" : "stop")}");
            foreach (var next in c.OnStepResult(r.Start.Ticket, true, null, now)) pending.Enqueue(next);
        }
        return ran;
    }

    /// <summary>A (150) and B (100), booted into BACKUP, the peer channel up between them.</summary>
    private static (RoleCoordinator A, RoleCoordinator B) BootedPair()
    {
        var a = new RoleCoordinator(new RoleCoordinatorSettings { Actions = Omr }, Fence("10.0.0.2", 150), 150);
        var b = new RoleCoordinator(new RoleCoordinatorSettings { Actions = Omr }, Fence("10.0.0.3", 100), 100);
        Complete(a, a.Boot(S(0)), S(0));
        Complete(b, b.Boot(S(0)), S(0));
        a.OnPathUp("lan", S(0.1));
        b.OnPathUp("lan", S(0.1));
        return (a, b);
    }

    [Fact]
    public void WithoutAPeerTheMasterPlanRunsWanTunnelAndDhcpWithTheLeasesHandedOverFirst()
    {
        var c = Alone();
        Complete(c, c.Boot(S(0)), S(0));
        var ran = Complete(c, c.OnVrrpRole(RoleTarget.Master, 150, "election", S(1)), S(1));
        Assert.Equal(["wan start", "vpn start", "prepare-dhcp", "dhcp start"], ran);
        Assert.Equal(TunnelStatus.Up, c.Tunnel);
        Assert.True(c.PlanFinished);
    }

    [Fact]
    public void ANewerRoleCancelsTheRunningTunnelStartAndStopsItRightAfterDhcp()
    {
        var c = Alone();
        Complete(c, c.Boot(S(0)), S(0));
        var master = c.OnVrrpRole(RoleTarget.Master, 150, "election", S(1));
        var wan = Assert.Single(master.OfType<RunStep>());
        var vpn = Assert.Single(c.OnStepResult(wan.Start.Ticket, true, null, S(1)).OfType<RunStep>());
        Assert.Equal("vpn", vpn.Start.Step.Name);
        Assert.Equal(TunnelStatus.Starting, c.Tunnel);

        var fault = c.OnVrrpRole(RoleTarget.Fault, 150, "link down", S(2));
        Assert.Equal(vpn.Start.Ticket, Assert.Single(fault.OfType<CancelRun>()).Ticket);
        Assert.Equal(TunnelStatus.Stopping, c.Tunnel); // a half-started tunnel is not Released until a stop says so
        var ran = Complete(c, fault, S(2));
        Assert.Equal(["dhcp stop", "vpn stop", "wan stop"], ran);
        Assert.Equal(TunnelStatus.Released, c.Tunnel);
        // The cancelled attempt's late result changes nothing.
        Assert.Empty(c.OnStepResult(vpn.Start.Ticket, true, null, S(3)).OfType<RunStep>());
        Assert.Equal(TunnelStatus.Released, c.Tunnel);
    }

    [Fact]
    public void ADhcpStartWaitsForTheConnectedPeersLeasesThenGoes()
    {
        var c = Alone();
        Complete(c, c.Boot(S(0)), S(0));
        c.OnLeaseSync(connected: true, caughtUp: false, S(0.5));
        var ran = Complete(c, c.OnVrrpRole(RoleTarget.Master, 150, "election", S(1)), S(1));
        Assert.Equal(["wan start", "vpn start"], ran);
        Assert.Equal(S(6), c.NextDeadline);
        Assert.Equal(["prepare-dhcp", "dhcp start"], Complete(c, c.OnLeaseSync(connected: true, caughtUp: true, S(2)), S(2)));
    }

    [Fact]
    public void ADhcpStartHeldTooLongGoesWithWhatIsHereAndSaysSo()
    {
        var c = Alone();
        Complete(c, c.Boot(S(0)), S(0));
        c.OnLeaseSync(connected: true, caughtUp: false, S(0));
        Complete(c, c.OnVrrpRole(RoleTarget.Master, 150, "election", S(1)), S(1));
        Assert.Empty(c.OnTimer(S(5.9)).OfType<RunStep>());
        var late = c.OnTimer(S(6));
        Assert.Contains(late, x => x is RoleNote { Level: NoteLevel.Warn } n && n.Text.Contains("did not all arrive"));
        Assert.Equal(["prepare-dhcp", "dhcp start"], Complete(c, late, S(6)));
    }

    [Fact]
    public void TheTunnelWaitsAtTheFenceUntilThePeerSaysItReleasedItsOwn()
    {
        var (a, b) = BootedPair();

        var master = a.OnVrrpRole(RoleTarget.Master, 150, "election", S(1));
        var ran = Complete(a, master, S(1));
        Assert.Equal(["wan start"], ran); // held at the fence: B has not answered yet
        Assert.Equal(TunnelGate.Wait, a.Verdict(S(1))!.Gate);

        // B hears A's MASTER state and answers with its released tunnel; the gate opens and the plan goes on.
        var fromA = master.OfType<SendFenceState>().Last();
        var reply = b.OnFenceMessage("lan", fromA.Payload, S(1.01));
        var answered = a.OnFenceMessage("lan", reply.OfType<SendFenceState>().Last().Payload, S(1.02));
        Assert.Equal(["vpn start", "prepare-dhcp", "dhcp start"], Complete(a, answered, S(1.02)));
        Assert.Equal(TunnelGate.Allowed, a.Verdict(S(1.02))!.Gate);
    }

    [Fact]
    public void AMasterThatSeesABetterLiveMasterKeepsWanTunnelAndDhcpDown()
    {
        var (a, b) = BootedPair();
        var aMaster = a.OnVrrpRole(RoleTarget.Master, 150, "election", S(1));
        b.OnFenceMessage("lan", aMaster.OfType<SendFenceState>().Last().Payload, S(1));

        // A LAN cut: B's master-down fires although A is alive on the peer channel (its heartbeats still arrive).
        b.OnHeard("lan", S(4.9));
        var bMaster = b.OnVrrpRole(RoleTarget.Master, 100, "master down", S(5));
        Assert.True(b.Demoted);
        Assert.DoesNotContain(Complete(b, bMaster, S(5)), s => s.EndsWith("start", StringComparison.Ordinal));
        Assert.Equal("BACKUP", RoleNames.Of(b.Plan!.Target!.Value));

        // A leaves MASTER: B is no longer demoted and runs the MASTER plan.
        b.OnHeard("lan", S(5.9));
        var aBackup = a.OnVrrpRole(RoleTarget.Backup, 150, "cable back", S(6));
        var bNow = b.OnFenceMessage("lan", aBackup.OfType<SendFenceState>().Last().Payload, S(6));
        Assert.False(b.Demoted);
        Assert.Equal(RoleTarget.Master, b.Plan!.Target);
        Assert.Contains("wan start", Complete(b, bNow, S(6)));
    }

    [Fact]
    public void QueriesChangeNothing()
    {
        var c = new RoleCoordinator(new RoleCoordinatorSettings { Actions = Omr }, Fence("10.0.0.2", 150), 150);
        Complete(c, c.Boot(S(0)), S(0));
        var version = c.Version;
        var deadline = c.NextDeadline;
        for (var i = 0; i < 3; i++)
        {
            _ = c.Verdict(S(100));
            _ = c.Plan;
            _ = c.NextDeadline;
        }
        Assert.Equal(version, c.Version);
        Assert.Equal(deadline, c.NextDeadline);
    }
}
