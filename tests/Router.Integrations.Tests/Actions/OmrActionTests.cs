using Router.Core.Config;
using Router.Core.Roles;
using Router.Integrations.Actions;
using static Router.Integrations.Tests.Actions.OpenWrtActionTests;

namespace Router.Integrations.Tests.Actions;

/// <summary>
/// omr_vpn, omr_proxy and omr_vps_api against the stateful stand-ins of an OMR box carrying several tunnels and
/// proxies (mlvpn, ubond, openvpn and xray not installed): only the one openmptcprouter.settings names is ever on,
/// and only on the MASTER.
/// </summary>
public sealed class OmrActionTests : IDisposable
{
    private readonly StandIns _sys = new StandIns().Uci().Ubus()
        .Service("glorytun", "glorytun.vpn.enable").Service("glorytun-udp", "glorytun-udp.vpn.enable").Service("dsvpn", "dsvpn.vpn.enable")
        .Service("shadowsocks-libev", "shadowsocks-libev.sss0.disabled", onValue: "0", absentIsOn: true)
        .Service("v2ray", "v2ray.main.enabled")
        .Config("openmptcprouter", "settings=settings", "settings.vpn=glorytun_udp", "settings.proxy=shadowsocks",
            "vps=server", "vps.ip=192.0.2.1", "vps2=server", "vps2.disabled=0")
        // As OMR ships it: the TCP variant enabled, the one settings.vpn names disabled.
        .Config("glorytun", "vpn=glorytun", "vpn.enable=1")
        .Config("glorytun-udp", "vpn=glorytun-udp", "vpn.enable=0")
        .Config("dsvpn", "vpn=dsvpn", "vpn.enable=1")
        .Config("shadowsocks-libev", "sss0=server", "sss0.server=192.0.2.1", "hi=ss_redir", "hi.disabled=1", "hi6=ss_redir",
            "ss_rules=ss_rules", "ss_rules.disabled=0")
        .Config("v2ray", "main=v2ray", "main.enabled=1");

    public OmrActionTests() => _sys.Reboot();

    private IRoleAction Create(ActionConfig c)
    {
        var env = new ActionEnvironment(new CommandRunner(_sys.BinDir), () => throw new InvalidOperationException("no links here")) { InitDir = _sys.InitDir };
        return ActionFactory.Create(c, env);
    }

    private static ActionConfig Action(ActionKind kind) => new() { Name = "a", Kind = kind, Order = 30, Fenced = true };

    private string[] Running(params string[] services) => [.. services.Where(_sys.IsRunning)];

    [Fact]
    public async Task VpnStandInDrivesTheTunnelNamedBySettingsVpnAndKeepsEveryOtherTunnelOffOnBothRoles()
    {
        var vpn = Create(Action(ActionKind.OmrVpn));
        Assert.Equal(["glorytun", "dsvpn"], Running("glorytun", "glorytun-udp", "dsvpn")); // two clients on tun0 at boot

        await Run(vpn, RoleTarget.Master);
        Assert.Equal(["glorytun-udp"], Running("glorytun", "glorytun-udp", "dsvpn"));
        Assert.Equal(("0", "1", "0"), (_sys.Committed("glorytun.vpn.enable"), _sys.Committed("glorytun-udp.vpn.enable"), _sys.Committed("dsvpn.vpn.enable")));
        Assert.Empty(await Drift(vpn, RoleTarget.Master));
        _sys.Reboot();
        Assert.Equal(["glorytun-udp"], Running("glorytun", "glorytun-udp", "dsvpn"));

        await Run(vpn, RoleTarget.Backup);
        Assert.Empty(Running("glorytun", "glorytun-udp", "dsvpn"));
        Assert.Empty(await Drift(vpn, RoleTarget.Backup));
        _sys.Reboot();
        Assert.Empty(Running("glorytun", "glorytun-udp", "dsvpn"));
        // Tunnels this image does not carry are left alone: no uci set into a config that does not exist.
        Assert.DoesNotContain(_sys.Calls(), c => c.Contains("mlvpn") && !c.StartsWith("uci -q", StringComparison.Ordinal));
        Assert.DoesNotContain(_sys.Calls(), c => c.StartsWith("uci set openvpn", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VpnStandInMasterStopsTheOtherTunnelBeforeStartingTheChosenOne()
    {
        var vpn = Create(Action(ActionKind.OmrVpn));
        _sys.ClearCalls();
        await Run(vpn, RoleTarget.Master);
        var calls = _sys.Calls().ToList();
        Assert.True(calls.IndexOf("/etc/init.d/glorytun stop") < calls.IndexOf("/etc/init.d/glorytun-udp start"), string.Join("\n", calls));
        Assert.True(calls.IndexOf("uci set glorytun-udp.vpn.enable=1") < calls.IndexOf("/etc/init.d/glorytun-udp start"));
    }

    [Fact]
    public async Task VpnStandInDriftSeesTheVpsApiClientReEnablingTheTunnelOnABackupAndRunCorrectsIt()
    {
        var vpn = Create(Action(ActionKind.OmrVpn));
        await Run(vpn, RoleTarget.Backup);
        // openmptcprouter-vps's _set_config_from_vps: enable from settings.vpn, commit, restart.
        _sys.Behind("uci", "set", "glorytun-udp.vpn.enable=1");
        _sys.Behind("uci", "commit", "glorytun-udp");
        _sys.Behind("/etc/init.d/glorytun-udp", "restart");
        Assert.True(_sys.IsRunning("glorytun-udp"));
        Assert.Equal(["glorytun_udp: glorytun-udp.vpn.enable is 1, should be 0", "glorytun_udp: /etc/init.d/glorytun-udp is running"],
            await Drift(vpn, RoleTarget.Backup));
        await Run(vpn, RoleTarget.Backup);
        Assert.Empty(await Drift(vpn, RoleTarget.Backup));
        Assert.False(_sys.IsRunning("glorytun-udp"));
    }

    [Fact]
    public async Task VpnStandInPinnedTunnelWinsOverSettingsAndAnUnknownSettingFailsWithTheKnownOnesKeptOff()
    {
        var pinned = Create(Action(ActionKind.OmrVpn) with { Vpn = "dsvpn" });
        await Run(pinned, RoleTarget.Master);
        Assert.Equal(["dsvpn"], Running("glorytun", "glorytun-udp", "dsvpn"));

        _sys.Behind("uci", "set", "openmptcprouter.settings.vpn=wireguard");
        var vpn = Create(Action(ActionKind.OmrVpn));
        var e = await Assert.ThrowsAsync<ActionFailedException>(() => Run(vpn, RoleTarget.Master));
        Assert.Equal("openmptcprouter.settings.vpn is 'wireguard': routerha drives only glorytun_tcp, glorytun_udp, dsvpn, mlvpn, ubond, openvpn " +
                     "(the known ones are kept off)", e.Message);
        Assert.Empty(Running("glorytun", "glorytun-udp", "dsvpn"));

        _sys.Behind("uci", "set", "openmptcprouter.settings.vpn=none");
        await Run(vpn, RoleTarget.Master);
        Assert.Empty(Running("glorytun", "glorytun-udp", "dsvpn"));
        Assert.Empty(await Drift(vpn, RoleTarget.Master));
    }

    [Fact]
    public async Task ProxyStandInShadowsocksWithItsRedirSectionsOnlyOnMasterAndV2rayKeptOff()
    {
        var proxy = Create(Action(ActionKind.OmrProxy));
        Assert.Equal(["shadowsocks-libev", "v2ray"], Running("shadowsocks-libev", "v2ray"));

        await Run(proxy, RoleTarget.Backup);
        Assert.Empty(Running("shadowsocks-libev", "v2ray"));
        Assert.Equal(("1", "1", "1", "1", "0"), (_sys.Committed("shadowsocks-libev.sss0.disabled"), _sys.Committed("shadowsocks-libev.hi.disabled"),
            _sys.Committed("shadowsocks-libev.hi6.disabled"), _sys.Committed("shadowsocks-libev.ss_rules.disabled"), _sys.Committed("v2ray.main.enabled")));
        Assert.Empty(await Drift(proxy, RoleTarget.Backup));

        await Run(proxy, RoleTarget.Master);
        Assert.Equal(["shadowsocks-libev"], Running("shadowsocks-libev", "v2ray"));
        Assert.Equal(("0", "0", "0"), (_sys.Committed("shadowsocks-libev.sss0.disabled"), _sys.Committed("shadowsocks-libev.hi.disabled"),
            _sys.Committed("shadowsocks-libev.ss_rules.disabled")));
        Assert.Empty(await Drift(proxy, RoleTarget.Master));

        // omr-tracker-server re-enables shadowsocks on a BACKUP that reaches the VPS.
        await Run(proxy, RoleTarget.Backup);
        _sys.Behind("uci", "set", "shadowsocks-libev.sss0.disabled=0");
        _sys.Behind("/etc/init.d/shadowsocks-libev", "start");
        Assert.Equal(["shadowsocks: shadowsocks-libev.sss0.disabled is 0, should be 1", "shadowsocks: /etc/init.d/shadowsocks-libev is running"],
            await Drift(proxy, RoleTarget.Backup));
    }

    [Fact]
    public async Task ProxyStandInNoneKeepsEveryKnownProxyOff()
    {
        _sys.Behind("uci", "set", "openmptcprouter.settings.proxy=none");
        var proxy = Create(Action(ActionKind.OmrProxy));
        await Run(proxy, RoleTarget.Master);
        Assert.Empty(Running("shadowsocks-libev", "v2ray"));
        Assert.Empty(await Drift(proxy, RoleTarget.Master));
    }

    [Fact]
    public async Task VpsApiStandInEveryServerSectionDisabledOnBackupAndEnabledOnMaster()
    {
        var api = Create(Action(ActionKind.OmrVpsApi));
        Assert.Equal(["vps api: openmptcprouter.vps.disabled is unset, should be 1", "vps api: openmptcprouter.vps2.disabled is 0, should be 1"],
            await Drift(api, RoleTarget.Backup));
        await Run(api, RoleTarget.Backup);
        Assert.Equal(("1", "1"), (_sys.Committed("openmptcprouter.vps.disabled"), _sys.Committed("openmptcprouter.vps2.disabled")));
        Assert.Equal("192.0.2.1", _sys.Committed("openmptcprouter.vps.ip"));
        Assert.Empty(await Drift(api, RoleTarget.Backup));
        await Run(api, RoleTarget.Master);
        Assert.Equal(("0", "0"), (_sys.Committed("openmptcprouter.vps.disabled"), _sys.Committed("openmptcprouter.vps2.disabled")));
        Assert.Empty(await Drift(api, RoleTarget.Master));
    }

    [Fact]
    public async Task VpsApiStandInListedServersOnlyAndAMissingOneIsAClearFailure()
    {
        var api = Create(Action(ActionKind.OmrVpsApi) with { Servers = ["vps2"] });
        await Run(api, RoleTarget.Backup);
        Assert.Equal(((string?)null, "1"), (_sys.Committed("openmptcprouter.vps.disabled"), _sys.Committed("openmptcprouter.vps2.disabled")));
        var missing = Create(Action(ActionKind.OmrVpsApi) with { Servers = ["vps3"] });
        var e = await Assert.ThrowsAsync<ActionFailedException>(() => Run(missing, RoleTarget.Backup));
        Assert.Equal("openmptcprouter.vps3 is not a 'config server' section of /etc/config/openmptcprouter", e.Message);
    }

    [Fact]
    public void TheBackendsKnowExactlyTheNamesTheConfigAccepts()
    {
        Assert.Equal(OmrNames.Tunnels, OmrService.Tunnels.Select(s => s.Name));
        Assert.Equal(OmrNames.Proxies, OmrService.Proxies.Select(s => s.Name));
    }

    public void Dispose() => _sys.Dispose();
}
