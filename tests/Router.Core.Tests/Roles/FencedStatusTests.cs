using Router.Core.Fencing;
using Router.Core.Roles;
using static Router.Core.Tests.Roles.FenceAgentCoordinatorTests;

namespace Router.Core.Tests.Roles;

/// <summary>The "tunnel" status a router tells its peer covers every fenced action (WAN included by default on OMR):
/// Released only once all of them have stopped, so the new MASTER never starts its WAN while ours is still up.</summary>
public class FencedStatusTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>What the peer hears from <paramref name="commands"/>: the tunnel status of the last state sent.</summary>
    private static TunnelStatus? Told(IEnumerable<RoleCommand> commands) =>
        commands.OfType<SendFenceState>().Select(s => FenceCodec.Decode(s.Payload, out _)!.Tunnel).Cast<TunnelStatus?>().LastOrDefault();

    [Fact]
    public void LeavingMasterTellsReleasedOnlyAfterTunnelAndWanHaveStopped()
    {
        var a = NewRouter("10.0.0.2", 150, agentTimeout: null);
        Complete(a, a.Boot(S(0)), S(0));
        a.OnPathUp("lan", S(0.1));
        a.OnPathDown("lan", S(1));
        Complete(a, a.OnVrrpRole(RoleTarget.Master, 150, "master down", S(4)), S(4));
        Assert.Equal(["wan start", "vpn start", "dhcp start"], Complete(a, a.OnTimer(S(10.1)), S(10.1)));
        Assert.Equal(TunnelStatus.Up, a.Tunnel);

        // Stop plan: DHCP, then the fenced ones (tunnel, then WAN). Each result is fed by hand.
        var leave = a.OnVrrpRole(RoleTarget.Backup, 150, "higher priority advert", S(20));
        var dhcp = Assert.Single(leave.OfType<RunStep>());
        Assert.Equal("dhcp", dhcp.Start.Step.Name);
        Assert.NotEqual(TunnelStatus.Released, a.Tunnel);
        var afterDhcp = a.OnStepResult(dhcp.Start.Ticket, true, null, S(20.05));
        var vpn = Assert.Single(afterDhcp.OfType<RunStep>());
        Assert.Equal(("vpn", TunnelStatus.Stopping), (vpn.Start.Step.Name, a.Tunnel));
        var afterVpn = a.OnStepResult(vpn.Start.Ticket, true, null, S(20.1));
        var wan = Assert.Single(afterVpn.OfType<RunStep>());
        Assert.Equal("wan", wan.Start.Step.Name);
        Assert.Equal(TunnelStatus.Stopping, a.Tunnel); // the tunnel is down but the WAN is not: not Released yet
        Assert.NotEqual(TunnelStatus.Released, Told(afterVpn) ?? TunnelStatus.Stopping);
        var afterWan = a.OnStepResult(wan.Start.Ticket, true, null, S(20.2));
        Assert.Equal((TunnelStatus.Released, TunnelStatus.Released), (a.Tunnel, Told(afterWan)));
        Assert.Empty(afterWan.OfType<RunStep>()); // DHCP had stopped before: the peer's own never serves beside it
    }

    [Fact]
    public void BootTellsReleasedOnlyAfterEveryFencedStop()
    {
        var a = NewRouter("10.0.0.2", 150, agentTimeout: null);
        var boot = a.Boot(S(0));
        var dhcp = Assert.Single(boot.OfType<RunStep>());
        Assert.Equal(("dhcp", TunnelStatus.Stopping), (dhcp.Start.Step.Name, Told(boot)));
        var vpn = Assert.Single(a.OnStepResult(dhcp.Start.Ticket, true, null, S(0.05)).OfType<RunStep>());
        Assert.Equal(("vpn", TunnelStatus.Stopping), (vpn.Start.Step.Name, a.Tunnel));
        var afterVpn = a.OnStepResult(vpn.Start.Ticket, true, null, S(0.1));
        Assert.Equal(TunnelStatus.Stopping, a.Tunnel);
        var wan = Assert.Single(afterVpn.OfType<RunStep>());
        Assert.Equal("wan", wan.Start.Step.Name);
        var afterWan = a.OnStepResult(wan.Start.Ticket, true, null, S(0.2));
        Assert.Equal((TunnelStatus.Released, TunnelStatus.Released), (a.Tunnel, Told(afterWan)));
    }

    [Fact]
    public void AFailedWanStopIsNeverReleased()
    {
        var a = NewRouter("10.0.0.2", 150, agentTimeout: null);
        var dhcp = Assert.Single(a.Boot(S(0)).OfType<RunStep>());
        var vpn = Assert.Single(a.OnStepResult(dhcp.Start.Ticket, true, null, S(0.05)).OfType<RunStep>());
        var wan = Assert.Single(a.OnStepResult(vpn.Start.Ticket, true, null, S(0.1)).OfType<RunStep>());
        Assert.Equal("wan", wan.Start.Step.Name);
        a.OnStepResult(wan.Start.Ticket, false, "ubus: timeout", S(0.2));
        Assert.Equal(TunnelStatus.Stopping, a.Tunnel);
    }

    [Fact]
    public void ThePeerStartsItsWanOnlyAfterOursHasStopped()
    {
        var a = NewRouter("10.0.0.2", 150, agentTimeout: null);
        var b = NewRouter("10.0.0.3", 100, agentTimeout: null);
        Complete(a, a.Boot(S(0)), S(0));
        Complete(b, b.Boot(S(0)), S(0));
        a.OnPathUp("lan", S(0.1));
        b.OnPathUp("lan", S(0.1));
        var aMaster = a.OnVrrpRole(RoleTarget.Master, 150, "election", S(1));
        var bReply = b.OnFenceMessage("lan", aMaster.OfType<SendFenceState>().Last().Payload, S(1));
        Assert.Equal(["wan start", "vpn start", "dhcp start"],
            Complete(a, a.OnFenceMessage("lan", bReply.OfType<SendFenceState>().Last().Payload, S(1)), S(1)));

        // Switchover: A leaves MASTER and B takes it. A's DHCP and tunnel stop at once, its WAN stop hangs for a while.
        var aLeave = a.OnVrrpRole(RoleTarget.Backup, 150, "switchover", S(5));
        var dhcp = Assert.Single(aLeave.OfType<RunStep>());
        Assert.Equal("dhcp", dhcp.Start.Step.Name);
        var vpn = Assert.Single(a.OnStepResult(dhcp.Start.Ticket, true, null, S(5)).OfType<RunStep>());
        var bMaster = b.OnVrrpRole(RoleTarget.Master, 100, "switchover", S(5));
        Assert.Empty(Complete(b, bMaster, S(5)));
        var wanStopping = a.OnStepResult(vpn.Start.Ticket, true, null, S(5.1));
        var wan = Assert.Single(wanStopping.OfType<RunStep>());
        Assert.Equal(TunnelStatus.Stopping, a.Tunnel);
        // A hears B's MASTER state and answers with its own: still Stopping, so B waits at the gate.
        var aReply = a.OnFenceMessage("lan", bMaster.OfType<SendFenceState>().Last().Payload, S(5.1));
        Assert.Equal(TunnelStatus.Stopping, Told(aReply));
        Assert.Empty(Complete(b, b.OnFenceMessage("lan", aReply.OfType<SendFenceState>().Last().Payload, S(5.1)), S(5.1)));
        Assert.Equal(TunnelGate.Wait, b.Verdict(S(5.1))!.Gate);

        var released = a.OnStepResult(wan.Start.Ticket, true, null, S(8));
        Assert.Equal(["wan start", "vpn start", "dhcp start"],
            Complete(b, b.OnFenceMessage("lan", released.OfType<SendFenceState>().Last().Payload, S(8)), S(8)));
    }
}
