using Router.Core.Config;
using Router.Core.Roles;
using Router.Integrations.Actions;
using static Router.Integrations.Tests.Actions.OpenWrtActionTests;

namespace Router.Integrations.Tests.Actions;

/// <summary>`routerha boot-guard` (START 15, before netifd at 20) on the stateful stand-ins: a MASTER that reboots
/// does not raise its WAN at boot; routerha's election does.</summary>
public sealed class BootGuardSwitchesTests : IDisposable
{
    private readonly StandIns _sys = new StandIns().Uci().Ubus()
        .Config("network", "lan=interface", "wan1=interface", "wan2=interface", "wan3=interface");

    [Fact]
    public async Task BootGuardStandInARebootingMasterKeepsItsFencedWanDownUntilElectedAndLeavesUnfencedOnesAlone()
    {
        ActionConfig[] actions =
        [
            new() { Name = "wan", Kind = ActionKind.OpenWrtWan, Order = 10, Fenced = true, Interfaces = ["wan1", "wan2"] },
            new() { Name = "shared", Kind = ActionKind.OpenWrtWan, Order = 10, Fenced = false, Interfaces = ["wan3"] },
        ];
        Assert.Equal(["wan1", "wan2"], BootGuardSwitches.Interfaces(actions));
        var sys = new OpenWrtSystem(new CommandRunner(_sys.BinDir), _sys.InitDir);
        var wan = ActionFactory.Create(actions[0], new ActionEnvironment(sys.Runner, () => throw new InvalidOperationException()) { InitDir = _sys.InitDir });
        await Run(wan, RoleTarget.Master);
        Assert.Equal("1", _sys.Committed("network.wan1.auto") ?? "1");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        _sys.PowerOff();
        Assert.True(await BootGuardSwitches.ApplyAsync(BootGuardSwitches.Interfaces(actions), [], sys, cts.Token));
        _sys.Boot();
        Assert.Equal((false, false, true), (_sys.IsUp("wan1"), _sys.IsUp("wan2"), _sys.IsUp("wan3")));
        Assert.Empty(await Drift(wan, RoleTarget.Backup));

        await Run(wan, RoleTarget.Master);
        Assert.True(_sys.IsUp("wan1") && _sys.IsUp("wan2"));
        // Already guarded: a second run writes nothing (no flash write at every boot of a BACKUP).
        await Run(wan, RoleTarget.Backup);
        Assert.False(await BootGuardSwitches.ApplyAsync(BootGuardSwitches.Interfaces(actions), [], sys, cts.Token));
    }

    [Fact]
    public async Task BootGuardStandInARebootingMasterDoesNotServeDhcpAtBootThoughItsForceIsCommitted()
    {
        using var box = new StandIns().Uci().Ubus().Service("dnsmasq")
            .Config("network", "lan=interface").Config("dhcp", "lan=dhcp", "lan.interface=lan");
        box.Reboot();
        ActionConfig[] actions = [new() { Name = "dhcp", Kind = ActionKind.OpenWrtDnsmasq, Order = 40, Sections = ["lan"], Services = ["dnsmasq"] }];
        Assert.Equal(["lan"], BootGuardSwitches.DhcpSections(actions));
        var sys = new OpenWrtSystem(new CommandRunner(box.BinDir), box.InitDir);
        var dhcp = ActionFactory.Create(actions[0], new ActionEnvironment(sys.Runner, () => throw new InvalidOperationException()) { InitDir = box.InitDir });
        await Run(dhcp, RoleTarget.Master);
        Assert.Equal(("0", "1", true), (box.Committed("dhcp.lan.ignore") ?? "0", box.Committed("dhcp.lan.force"), box.ServesDhcp));

        // Rebooted while the peer took over: force=1 skips dhcp_check, so without the guard dnsmasq would serve at once.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        box.PowerOff();
        Assert.True(await BootGuardSwitches.ApplyAsync([], BootGuardSwitches.DhcpSections(actions), sys, cts.Token));
        box.Boot();
        Assert.Equal((true, false), (box.IsRunning("dnsmasq"), box.ServesDhcp));

        // Elected: the MASTER plan serves again.
        await Run(dhcp, RoleTarget.Master);
        Assert.True(box.ServesDhcp);
    }

    public void Dispose() => _sys.Dispose();
}
