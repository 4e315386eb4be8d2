using Router.Core.Config;
using Router.Core.Roles;
using Router.Integrations.Actions;

namespace Router.Integrations.Tests.Actions;

/// <summary>
/// openwrt_wan, openwrt_dnsmasq and openwrt_glorytun against the stateful stand-ins: the state a user would see
/// (interface up, value committed, dnsmasq serving) after RunAsync in both directions, across a reboot, and
/// DriftAsync noticing what something else changed behind routerha's back.
/// </summary>
public sealed class OpenWrtActionTests : IDisposable
{
    private readonly StandIns _sys = new StandIns().Uci().Ubus().Service("dnsmasq")
        .Service("glorytun", "glorytun.vpn.enable").Service("glorytun-udp", "glorytun-udp.vpn.enable")
        .Config("network", "lan=interface", "wan1=interface", "wan1.proto=dhcp", "wan2=interface", "wan2.auto=1")
        .Config("dhcp", "lan=dhcp", "lan.interface=lan")
        .Config("glorytun", "vpn=glorytun", "vpn.enable=1")
        .Config("glorytun-udp", "vpn=glorytun-udp", "vpn.enable=0");

    public OpenWrtActionTests() => _sys.Reboot();

    private ActionEnvironment Env => new(new CommandRunner(_sys.BinDir), () => throw new InvalidOperationException("no links here"))
    {
        InitDir = _sys.InitDir,
    };

    internal static ActionContext Ctx(RoleTarget target) =>
        new("a", target, target == RoleTarget.Master ? ActionDirection.Start : ActionDirection.Stop, "test");

    private static ActionConfig Config(ActionKind kind, string[]? interfaces = null, string[]? services = null) => new()
    {
        Name = "a",
        Kind = kind,
        Order = 1,
        Interfaces = interfaces ?? [],
        Services = services ?? [],
        Sections = kind == ActionKind.OpenWrtDnsmasq ? ["lan"] : [],
    };

    internal static async Task Run(IRoleAction action, RoleTarget target)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await action.RunAsync(Ctx(target), cts.Token);
    }

    internal static async Task<IReadOnlyList<string>> Drift(IRoleAction action, RoleTarget target)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await ((IDriftCheckedAction)action).DriftAsync(Ctx(target), cts.Token);
    }

    /// <summary>What changed state, without the reads (uci -q get/show, running, status).</summary>
    private IEnumerable<string> Writes() => _sys.Calls().Where(c =>
        !c.StartsWith("uci -q", StringComparison.Ordinal) && !c.EndsWith(" running", StringComparison.Ordinal) && !c.EndsWith(" status", StringComparison.Ordinal));

    [Fact]
    public async Task WanStandInBackupWanStaysDownThroughIfupFreeRebootAndMasterWanComesBackUpAfterReboot()
    {
        var wan = ActionFactory.Create(Config(ActionKind.OpenWrtWan, ["wan1", "wan2"]), Env);
        Assert.True(_sys.IsUp("wan1") && _sys.IsUp("wan2")); // netifd raised both at boot
        Assert.Equal(["wan: wan1 is up", "wan: wan2 is up", "wan: network.wan1.auto is unset, should be 0", "wan: network.wan2.auto is 1, should be 0"],
            await Drift(wan, RoleTarget.Backup));

        await Run(wan, RoleTarget.Backup);
        Assert.False(_sys.IsUp("wan1") || _sys.IsUp("wan2"));
        Assert.Equal(("0", "0"), (_sys.Committed("network.wan1.auto"), _sys.Committed("network.wan2.auto")));
        Assert.Empty(await Drift(wan, RoleTarget.Backup));
        _sys.Reboot();
        Assert.False(_sys.IsUp("wan1") || _sys.IsUp("wan2"));
        Assert.Empty(await Drift(wan, RoleTarget.Backup));

        await Run(wan, RoleTarget.Master);
        Assert.True(_sys.IsUp("wan1") && _sys.IsUp("wan2"));
        Assert.Empty(await Drift(wan, RoleTarget.Master));
        _sys.Reboot();
        Assert.True(_sys.IsUp("wan1") && _sys.IsUp("wan2"));
        Assert.Equal(("1", "dhcp"), (_sys.Committed("network.wan1.auto"), _sys.Committed("network.wan1.proto")));
    }

    [Fact]
    public async Task WanStandInDriftSeesAnIfupAndAnAutoFlippedBehindItsBackAndRunCorrectsBoth()
    {
        var wan = ActionFactory.Create(Config(ActionKind.OpenWrtWan, ["wan1", "wan2"]), Env);
        await Run(wan, RoleTarget.Backup);
        _sys.Behind("ubus", "call", "network.interface.wan1", "up");
        _sys.Behind("uci", "set", "network.wan2.auto=1");
        Assert.Equal(["wan: wan1 is up", "wan: network.wan2.auto is 1, should be 0"], await Drift(wan, RoleTarget.Fault));
        _sys.ClearCalls();
        await Run(wan, RoleTarget.Fault);
        Assert.Empty(await Drift(wan, RoleTarget.Fault));
        Assert.False(_sys.IsUp("wan1"));
        Assert.Equal("0", _sys.Committed("network.wan2.auto"));
        // Only what drifted is written: one set, one commit.
        Assert.Equal(["ubus call network.interface.wan1 down", "ubus call network.interface.wan2 down", "uci set network.wan2.auto=0", "uci commit network"], Writes());
    }

    [Fact]
    public async Task WanStandInMultipathIsCommittedBeforeTheInterfaceComesUpAndAfterItGoesDown()
    {
        var wan = ActionFactory.Create(Config(ActionKind.OpenWrtWan, ["wan1"]) with { MultipathMaster = "master", MultipathBackup = "off" }, Env);
        _sys.ClearCalls();
        await Run(wan, RoleTarget.Master);
        await Run(wan, RoleTarget.Fault);
        Assert.Equal([
            // auto unset is netifd's default 1: nothing to write for it on MASTER.
            "uci set network.wan1.multipath=master", "uci commit network", "ubus call network.interface.wan1 up",
            "ubus call network.interface.wan1 down", "uci set network.wan1.auto=0", "uci set network.wan1.multipath=off", "uci commit network",
        ], Writes());
        Assert.Equal(("off", "0"), (_sys.Committed("network.wan1.multipath"), _sys.Committed("network.wan1.auto")));
        _sys.Behind("uci", "set", "network.wan1.multipath=on");
        Assert.Equal(["wan: network.wan1.multipath is on, should be off"], await Drift(wan, RoleTarget.Fault));
    }

    [Fact]
    public async Task WanStandInUnknownInterfaceIsReportedWithUbusExitCodeAndMessage()
    {
        var wan = ActionFactory.Create(Config(ActionKind.OpenWrtWan, ["wan9"]), Env);
        var e = await Assert.ThrowsAsync<ActionFailedException>(() => Run(wan, RoleTarget.Backup));
        Assert.Equal("ubus call network.interface.wan9 down: exit code 4: Command failed: Not found", e.Message);
        e = await Assert.ThrowsAsync<ActionFailedException>(() => Run(wan, RoleTarget.Master));
        Assert.Equal("ubus call network.interface.wan9 up: exit code 4: Command failed: Not found", e.Message);
    }

    [Fact]
    public async Task DnsmasqStandInKeepsRunningOnBothRoutersAndServesDhcpOnlyOnTheMasterEvenWhileTheOldMasterStillAnswers()
    {
        var dhcp = ActionFactory.Create(Config(ActionKind.OpenWrtDnsmasq, services: ["dnsmasq"]), Env);
        Assert.True(_sys.ServesDhcp);
        Assert.Equal(["dhcp: dhcp.lan.ignore is unset, should be 1"], await Drift(dhcp, RoleTarget.Backup));
        await Run(dhcp, RoleTarget.Backup);
        Assert.True(_sys.IsRunning("dnsmasq"));
        Assert.False(_sys.ServesDhcp);
        Assert.Equal("1", _sys.Committed("dhcp.lan.ignore"));
        Assert.Empty(await Drift(dhcp, RoleTarget.Backup));

        // Taking over while the old master's dnsmasq is still heard: dhcp_check would refuse without force=1.
        _sys.OtherDhcpServer = true;
        await Run(dhcp, RoleTarget.Master);
        Assert.True(_sys.ServesDhcp);
        Assert.Equal(("0", "1"), (_sys.Committed("dhcp.lan.ignore"), _sys.Committed("dhcp.lan.force")));
        Assert.Empty(await Drift(dhcp, RoleTarget.Master));
        // restart, not start: a running dnsmasq re-reads its config and the lease file routerha wrote only then.
        Assert.Equal(2, _sys.Calls().Count(c => c == "/etc/init.d/dnsmasq restart"));
        Assert.DoesNotContain("/etc/init.d/dnsmasq stop", _sys.Calls());
    }

    [Fact]
    public async Task DnsmasqStandInDriftSeesCronlessStopAndIgnoreFlippedAndRunCorrectsThem()
    {
        var dhcp = ActionFactory.Create(Config(ActionKind.OpenWrtDnsmasq, services: ["dnsmasq"]), Env);
        await Run(dhcp, RoleTarget.Master);
        _sys.Behind("/etc/init.d/dnsmasq", "stop");
        _sys.Behind("uci", "set", "dhcp.lan.ignore=1");
        _sys.Behind("uci", "commit", "dhcp");
        Assert.Equal(["dhcp: dhcp.lan.ignore is 1, should be 0", "dhcp: /etc/init.d/dnsmasq is not running"], await Drift(dhcp, RoleTarget.Master));
        await Run(dhcp, RoleTarget.Master);
        Assert.Empty(await Drift(dhcp, RoleTarget.Master));
        Assert.True(_sys.ServesDhcp);
    }

    [Fact]
    public async Task GlorytunStandInBackupDisablesInUciBeforeStoppingSoOmrTrackerCannotRestartIt()
    {
        var vpn = ActionFactory.Create(Config(ActionKind.OpenWrtGlorytun, services: ["glorytun", "glorytun-udp"]), Env);
        Assert.True(_sys.IsRunning("glorytun"));
        Assert.Equal(["glorytun: glorytun.vpn.enable is 1, should be 0", "glorytun: /etc/init.d/glorytun is running"], await Drift(vpn, RoleTarget.Backup));
        _sys.ClearCalls();
        await Run(vpn, RoleTarget.Backup);
        Assert.Equal([
            "uci set glorytun.vpn.enable=0", "uci commit glorytun", "/etc/init.d/glorytun stop",
            "uci set glorytun-udp.vpn.enable=0", "uci commit glorytun-udp", "/etc/init.d/glorytun-udp stop",
        ], _sys.Calls());
        Assert.Empty(await Drift(vpn, RoleTarget.Backup));
        _sys.Reboot();
        Assert.False(_sys.IsRunning("glorytun") || _sys.IsRunning("glorytun-udp"));
        await Run(vpn, RoleTarget.Master);
        Assert.True(_sys.IsRunning("glorytun") && _sys.IsRunning("glorytun-udp"));
        Assert.Empty(await Drift(vpn, RoleTarget.Master));
    }

    [Fact]
    public async Task MissingUciIsAClearFailure()
    {
        File.Delete(Path.Combine(_sys.BinDir, "uci"));
        _sys.ClearCalls();
        var vpn = ActionFactory.Create(Config(ActionKind.OpenWrtGlorytun, services: ["glorytun"]), Env);
        var e = await Assert.ThrowsAsync<ActionFailedException>(() => Run(vpn, RoleTarget.Backup));
        Assert.StartsWith("uci: not found in PATH", e.Message);
        Assert.Empty(_sys.Calls()); // the tunnel was not stopped while still enabled in UCI
    }

    /// <summary>The whole OMR plan: PlanRunner commands executed by the ActionExecutor, fence answered by the test.</summary>
    [Fact]
    public async Task OmrPlanStandInBootThenMasterThenBackupLeavesTheStateEachRoleWants()
    {
        var configs = new[]
        {
            Config(ActionKind.OpenWrtWan, ["wan1", "wan2"]) with { Name = "wan", Order = 10, Fenced = true },
            Config(ActionKind.OpenWrtGlorytun, services: ["glorytun"]) with { Name = "vpn", Order = 30, Fenced = true },
            Config(ActionKind.OpenWrtDnsmasq, services: ["dnsmasq"]) with { Name = "dhcp", Order = 40 },
        };
        var runner = new PlanRunner(configs.Select(c => c.ToSpec()).ToList());
        var results = System.Threading.Channels.Channel.CreateUnbounded<StepResult>();
        var actions = ActionFactory.CreateAll(configs, Env);
        await using var executor = new ActionExecutor(actions, r => results.Writer.TryWrite(r));

        async Task Drive(IReadOnlyList<PlanCommand> commands)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                if (commands.OfType<PlanCompleted>().Any()) return;
                var start = Assert.Single(commands.OfType<StartStep>());
                if (start.Step.Phase == StepPhase.Fence)
                {
                    commands = runner.StepFinished(start.Ticket, true, null, TimeSpan.Zero);
                    continue;
                }
                executor.Start(start);
                var r = await results.Reader.ReadAsync(cts.Token);
                Assert.True(r.Ok, r.Error);
                commands = runner.StepFinished(r.Ticket, r.Ok, r.Error, TimeSpan.Zero);
            }
        }

        async Task AssertNoDrift(RoleTarget target)
        {
            foreach (var a in actions.Values) Assert.Empty(await Drift(a, target));
        }

        await Drive(runner.Boot(TimeSpan.Zero));
        Assert.Equal((false, false, true, false), (_sys.IsUp("wan1"), _sys.IsRunning("glorytun"), _sys.IsRunning("dnsmasq"), _sys.ServesDhcp));
        await AssertNoDrift(RoleTarget.Backup);
        // The tunnel is disabled before the WAN goes down (fenced actions first, tunnel before WAN).
        var order = _sys.Calls().ToList();
        Assert.True(order.IndexOf("/etc/init.d/glorytun stop") < order.IndexOf("ubus call network.interface.wan1 down"));
        await Drive(runner.Transition(RoleTarget.Master, "election", TimeSpan.Zero));
        Assert.Equal((true, true, true, true), (_sys.IsUp("wan1"), _sys.IsRunning("glorytun"), _sys.IsRunning("dnsmasq"), _sys.ServesDhcp));
        await AssertNoDrift(RoleTarget.Master);
        await Drive(runner.Transition(RoleTarget.Backup, "peer preempted", TimeSpan.Zero));
        Assert.Equal((false, false, true, false), (_sys.IsUp("wan1"), _sys.IsRunning("glorytun"), _sys.IsRunning("dnsmasq"), _sys.ServesDhcp));
        await AssertNoDrift(RoleTarget.Backup);
        Assert.All(runner.Status.Steps, s => Assert.Equal(StepOutcome.Ok, s.Outcome));
    }

    public void Dispose() => _sys.Dispose();
}
