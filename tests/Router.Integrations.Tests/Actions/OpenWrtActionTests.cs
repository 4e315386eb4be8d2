using Router.Core.Config;
using Router.Core.Ports;
using Router.Core.Roles;
using Router.Integrations.Actions;

namespace Router.Integrations.Tests.Actions;

/// <summary>The OpenWrt backends against recorded calls of stand-in ubus/uci/init.d executables.</summary>
public sealed class OpenWrtActionTests : IDisposable
{
    private readonly StandIns _sys = new StandIns().Bin("ubus").Bin("uci").Init("glorytun").Init("glorytun-udp").Init("dnsmasq");

    private ActionEnvironment Env => new(new CommandRunner(_sys.BinDir), () => throw new InvalidOperationException("no links here"))
    {
        InitDir = _sys.InitDir,
    };

    private static ActionContext Ctx(RoleTarget target) =>
        new("a", target, target == RoleTarget.Master ? ActionDirection.Start : ActionDirection.Stop, "test");

    private static ActionConfig Config(ActionKind kind, string[]? interfaces = null, string[]? services = null) => new()
    {
        Name = "a",
        Kind = kind,
        Order = 1,
        Interfaces = interfaces ?? [],
        Services = services ?? [],
    };

    private static async Task Run(IRoleAction action, RoleTarget target)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await action.RunAsync(Ctx(target), cts.Token);
    }

    [Fact]
    public async Task WanRecordedCallsUbusUpOnMasterAndDownOnBackupWithMultipathOnlyWhenConfigured()
    {
        var plain = ActionFactory.Create(Config(ActionKind.OpenWrtWan, ["wan1", "wan2"]), Env);
        await Run(plain, RoleTarget.Master);
        Assert.Equal(["ubus call network.interface.wan1 up", "ubus call network.interface.wan2 up"], _sys.Calls());
        _sys.ClearCalls();
        await Run(plain, RoleTarget.Backup);
        Assert.Equal(["ubus call network.interface.wan1 down", "ubus call network.interface.wan2 down"], _sys.Calls());

        _sys.ClearCalls();
        var mp = ActionFactory.Create(Config(ActionKind.OpenWrtWan, ["wan1"]) with { MultipathMaster = "master", MultipathBackup = "off" }, Env);
        await Run(mp, RoleTarget.Master);
        await Run(mp, RoleTarget.Fault);
        Assert.Equal([
            "uci set network.wan1.multipath=master", "uci commit network", "ubus call network.interface.wan1 up",
            "ubus call network.interface.wan1 down", "uci set network.wan1.multipath=off", "uci commit network",
        ], _sys.Calls());
    }

    [Fact]
    public async Task GlorytunRecordedCallsBackupDisablesInUciBeforeStoppingSoOmrTrackerCannotRestartIt()
    {
        var vpn = ActionFactory.Create(Config(ActionKind.OpenWrtGlorytun, services: ["glorytun", "glorytun-udp"]), Env);
        await Run(vpn, RoleTarget.Backup);
        Assert.Equal([
            "uci set glorytun.vpn.enable=0", "uci commit glorytun", "/etc/init.d/glorytun stop",
            "uci set glorytun-udp.vpn.enable=0", "uci commit glorytun-udp", "/etc/init.d/glorytun-udp stop",
        ], _sys.Calls());
        _sys.ClearCalls();
        await Run(vpn, RoleTarget.Master);
        Assert.Equal([
            "uci set glorytun.vpn.enable=1", "uci commit glorytun", "/etc/init.d/glorytun start",
            "uci set glorytun-udp.vpn.enable=1", "uci commit glorytun-udp", "/etc/init.d/glorytun-udp start",
        ], _sys.Calls());
    }

    [Fact]
    public async Task DnsmasqRecordedCallsInitScriptStartAndStop()
    {
        var dhcp = ActionFactory.Create(Config(ActionKind.OpenWrtDnsmasq, services: ["dnsmasq"]), Env);
        await Run(dhcp, RoleTarget.Master);
        await Run(dhcp, RoleTarget.Stopped);
        Assert.Equal(["/etc/init.d/dnsmasq start", "/etc/init.d/dnsmasq stop"], _sys.Calls());
    }

    [Fact]
    public async Task FailingUbusIsReportedWithItsExitCodeAndMessage()
    {
        _sys.Bin("ubus", "echo 'Command failed: Not found' >&2; exit 4");
        var wan = ActionFactory.Create(Config(ActionKind.OpenWrtWan, ["wan9"]), Env);
        var e = await Assert.ThrowsAsync<ActionFailedException>(() => Run(wan, RoleTarget.Master));
        Assert.Equal("ubus call network.interface.wan9 up: exit code 4: Command failed: Not found", e.Message);
    }

    [Fact]
    public async Task MissingUciIsAClearFailure()
    {
        File.Delete(Path.Combine(_sys.BinDir, "uci"));
        var vpn = ActionFactory.Create(Config(ActionKind.OpenWrtGlorytun, services: ["glorytun"]), Env);
        var e = await Assert.ThrowsAsync<ActionFailedException>(() => Run(vpn, RoleTarget.Backup));
        Assert.StartsWith("uci: not found in PATH", e.Message);
        Assert.Empty(_sys.Calls()); // the tunnel was not stopped while still enabled in UCI
    }

    /// <summary>The whole OMR plan: PlanRunner commands executed by the ActionExecutor, fence answered by the test.</summary>
    [Fact]
    public async Task OmrPlanRecordedCallsBootThenMasterThenBackupInOrder()
    {
        var configs = new[]
        {
            Config(ActionKind.OpenWrtWan, ["wan1"]) with { Name = "wan", Order = 10 },
            Config(ActionKind.OpenWrtGlorytun, services: ["glorytun"]) with { Name = "vpn", Order = 30, Fenced = true },
            Config(ActionKind.OpenWrtDnsmasq, services: ["dnsmasq"]) with { Name = "dhcp", Order = 40 },
        };
        var runner = new PlanRunner(configs.Select(c => c.ToSpec()).ToList());
        var results = System.Threading.Channels.Channel.CreateUnbounded<StepResult>();
        await using var executor = new ActionExecutor(ActionFactory.CreateAll(configs, Env), r => results.Writer.TryWrite(r));

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

        await Drive(runner.Boot(TimeSpan.Zero));
        var boot = _sys.Calls();
        Assert.Equal(["uci set glorytun.vpn.enable=0", "uci commit glorytun", "/etc/init.d/glorytun stop",
            "/etc/init.d/dnsmasq stop", "ubus call network.interface.wan1 down"], boot);
        _sys.ClearCalls();
        await Drive(runner.Transition(RoleTarget.Master, "election", TimeSpan.Zero));
        Assert.Equal(["ubus call network.interface.wan1 up", "uci set glorytun.vpn.enable=1", "uci commit glorytun",
            "/etc/init.d/glorytun start", "/etc/init.d/dnsmasq start"], _sys.Calls());
        _sys.ClearCalls();
        await Drive(runner.Transition(RoleTarget.Backup, "peer preempted", TimeSpan.Zero));
        Assert.Equal(boot, _sys.Calls());
        Assert.All(runner.Status.Steps, s => Assert.Equal(StepOutcome.Ok, s.Outcome));
    }

    public void Dispose() => _sys.Dispose();
}
