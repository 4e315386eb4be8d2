using Xunit.Abstractions;

using Router.LabKit.Vm;

namespace Router.Vm.Tests;

/// <summary>
/// The router image's OMR stand-in world on its own (routerha disabled unless said): proof that the stand-ins DO what
/// OpenWrt and OMR do (omr-facts.md), so the pair scenarios (<see cref="OmrPairScenarioTests"/>) are judged against the
/// behaviour that breaks a naive BACKUP on a real box. x86_64 only (software emulation is slow enough).
/// </summary>
[Collection(VmCollection.Name)]
public sealed class OmrStandInWorldTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Cron = TimeSpan.FromSeconds(2);
    private static readonly VmArch Arch = VmArch.X86_64;

    [Fact]
    public async Task OmrStandInWorld_Netifd_UciCron_UndoWhatARuntimeStopDid()
    {
        using var rig = new VmRig(output.WriteLine);
        await rig.RunAsync(async () =>
        {
            var r = await rig.BootAsync(OmrWorld.Router(Arch, "ra", 1, rig.NewSegment(), rig.NewSegment(), routerha: null, Cron));

            // Boot: netifd raised the WAN (auto defaults to 1); status says so.
            await RouterVm.WaitLogAsync(r, l => l.IndexOf("network: wan up (auto 1)") >= 0 && l.Wan.LastOrDefault().State == "up", TimeSpan.FromSeconds(30), "WAN raised at boot");
            Assert.Contains("\"up\": true", await r.Console.CheckAsync("ubus call network.interface.wan status"), StringComparison.Ordinal);

            // A runtime down is runtime only: ifup and a network restart raise it again; UCI was never touched.
            await r.Console.CheckAsync("ubus call network.interface.wan down");
            Assert.Contains("\"up\": false", await r.Console.CheckAsync("ubus call network.interface.wan status"), StringComparison.Ordinal);
            Assert.Null(await OmrWorld.UciGetAsync(r, "network.wan.auto"));
            // The full path: the console's busybox ash runs its own `ifup` applet for the bare name.
            await r.Console.CheckAsync("/sbin/ifup wan");
            Assert.Contains("\"up\": true", await r.Console.CheckAsync("ubus call network.interface.wan status"), StringComparison.Ordinal);
            await r.Console.CheckAsync("ubus call network.interface.wan down");
            await r.Console.CheckAsync("/etc/init.d/network restart");
            Assert.Contains("\"up\": true", await r.Console.CheckAsync("ubus call network.interface.wan status"), StringComparison.Ordinal);

            // uci set stages: reads see it, the file does not until commit.
            await r.Console.CheckAsync("uci set network.wan.auto=0");
            Assert.Equal("0", await OmrWorld.UciGetAsync(r, "network.wan.auto"));
            Assert.False(await OmrWorld.SucceedsAsync(r, "grep -q \"option auto\" /etc/config/network"));
            await r.Console.CheckAsync("uci commit network");
            Assert.True(await OmrWorld.SucceedsAsync(r, "grep -q \"option auto '0'\" /etc/config/network"));
            Assert.Equal("", (await r.Console.CheckAsync("uci changes")).Trim());

            // OMR's cron: a stopped dnsmasq is restarted within a round.
            await r.Console.CheckAsync("/etc/init.d/dnsmasq stop");
            Assert.False(await OmrWorld.SucceedsAsync(r, "/etc/init.d/dnsmasq running"));
            var from = (await RouterVm.LogAsync(r)).Lines.Count;
            await RouterVm.WaitLogAsync(r, l => l.IndexOf("omr-schedule: dnsmasq not running", from) >= 0, 3 * Cron + TimeSpan.FromSeconds(10), "cron restarting dnsmasq");
            await RouterVm.PollAsync(() => OmrWorld.SucceedsAsync(r, "/etc/init.d/dnsmasq running"), TimeSpan.FromSeconds(15), "dnsmasq running again");

            // ... and a stopped tunnel whose switch is still on.
            Assert.True(await OmrWorld.SucceedsAsync(r, "/etc/init.d/glorytun running"));
            await r.Console.CheckAsync("/etc/init.d/glorytun stop");
            from = (await RouterVm.LogAsync(r)).Lines.Count;
            await RouterVm.WaitLogAsync(r, l => l.IndexOf("tunnel: glorytun client up", from) >= 0, 3 * Cron + TimeSpan.FromSeconds(10), "cron restarting the enabled tunnel");

            // Switched off with the WAN down, it stays stopped round after round (the VPS cannot answer) ...
            // Cron is paused for the switch: a round under way could have asked the VPS while the WAN was still up, and its
            // answer would switch the tunnel on again (the race a real box has too; here it would only make the test flaky).
            await r.Console.CheckAsync("/etc/init.d/omr-schedule stop; ubus call network.interface.wan down; uci set glorytun.vpn.enable=0; " +
                "uci commit glorytun; /etc/init.d/glorytun stop; /etc/init.d/omr-schedule start");
            var quiet = (await RouterVm.LogAsync(r)).Lines.Count;
            var rounds = OmrWorld.CronRoundsDone(await RouterVm.LogAsync(r));
            var log = await OmrWorld.WaitCronRoundsAsync(r, rounds + 3, 4 * Cron + TimeSpan.FromSeconds(20));
            Assert.True(log.IndexOf("tunnel: glorytun client up", quiet) < 0, log.ToString());
            Assert.Equal("0", await OmrWorld.UciGetAsync(r, "glorytun.vpn.enable"));

            // ... until the WAN is up: the VPS API client switches it on again and restarts it.
            await r.Console.CheckAsync("/sbin/ifup wan");
            await RouterVm.WaitLogAsync(r, l => l.IndexOf("tunnel: glorytun client up", quiet) >= 0, 3 * Cron + TimeSpan.FromSeconds(15), "the VPS API client re-enabling the tunnel");
            Assert.Equal("1", await OmrWorld.UciGetAsync(r, "glorytun.vpn.enable"));
            Assert.True(await OmrWorld.SucceedsAsync(r, "/etc/init.d/glorytun running"));
        });
    }

    [Fact]
    public async Task OmrStandInWorld_Reboot_RaisesEveryAutoInterfaceBeforeRouterhaStarts_AutoZeroStaysDown()
    {
        using var rig = new VmRig(output.WriteLine);
        await rig.RunAsync(async () =>
        {
            int lan = rig.NewSegment(), wan = rig.NewSegment();
            // routerha with the plain `link` WAN action (no boot guard involved): alone, it goes BACKUP, then MASTER.
            var routerha = RouterVm.Router(Arch, "ra", 1, lan, wan, priority: 150, preempt: true, preemptDelay: 0).Files["/etc/config/routerha"];
            var spec = OmrWorld.Router(Arch, "ra", 1, lan, wan, routerha, TimeSpan.FromSeconds(60));
            var r = await rig.BootAsync(spec);
            var log = await RouterVm.WaitStateAsync(r, "MASTER", TimeSpan.FromSeconds(60));
            int wanUp = log.IndexOf("network: wan up (auto 1)"), firstUp = log.Wan.First(w => w.State == "up").Line, routerhaFirst = log.Transitions[0].Line;
            Assert.True(wanUp >= 0 && firstUp < routerhaFirst, $"WAN raised at boot (line {firstUp}) before routerha's first transition (line {routerhaFirst}):\n{log}");
            output.WriteLine($"boot: netifd raised the WAN at log line {firstUp}, routerha's first transition at line {routerhaFirst}");

            // The same router rebooted with network.wan.auto '0' committed: the WAN stays down through the boot.
            await r.PowerOffHardAsync();
            var network = (await File.ReadAllTextAsync(Path.Combine(RepoImageRootfs, "etc/config/network"))).Replace("option multipath 'master'", "option multipath 'master'\n\toption auto '0'", StringComparison.Ordinal);
            Assert.Contains("option auto '0'", network, StringComparison.Ordinal);
            r = await rig.BootAsync(OmrWorld.Router(Arch, "ra", 1, lan, wan, routerha: null, TimeSpan.FromSeconds(60),
                new Dictionary<string, string> { ["/etc/config/network"] = network }));
            log = await RouterVm.WaitLogAsync(r, l => l.IndexOf("network: lan up (auto 1)") >= 0 && l.IndexOf("tunnel: glorytun") >= 0, TimeSpan.FromSeconds(30), "the boot's init scripts");
            Assert.True(log.IndexOf("network: wan") < 0 && log.Wan.All(w => w.State != "up"), log.ToString());
            Assert.Contains("\"up\": false", await r.Console.CheckAsync("ubus call network.interface.wan status"), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task OmrStandInWorld_DnsmasqStart_RefusesWhileAnotherDhcpServerAnswers_UnlessForcedAndRestarted()
    {
        using var rig = new VmRig(output.WriteLine);
        var lan = rig.NewSegment();
        using var observer = new SegmentObserver(lan);
        await rig.RunAsync(async () =>
        {
            var first = await rig.BootAllAsync(OmrWorld.Router(Arch, "ra", 1, lan, rig.NewSegment(), routerha: null, TimeSpan.FromSeconds(60)),
                OmrWorld.DhcpClient(Arch, lan));
            var (a, client) = (first[0], first[1]);
            await RouterVm.WaitLogAsync(a, l => l.IndexOf("dnsmasq: start: lan:serving") >= 0, TimeSpan.FromSeconds(30), "A serving DHCP");

            // B boots while A serves: dhcp_check finds A, B's dnsmasq runs but serves no DHCP on lan.
            var b = await rig.BootAsync(OmrWorld.Router(Arch, "rb", 2, lan, rig.NewSegment(), routerha: null, TimeSpan.FromSeconds(60)));
            await RouterVm.WaitLogAsync(b, l => l.IndexOf("dnsmasq: start: lan:refused") >= 0, TimeSpan.FromSeconds(30), "B refusing DHCP");
            Assert.True(await OmrWorld.SucceedsAsync(b, "/etc/init.d/dnsmasq running"));
            var since = observer.Now;
            var lease = await OmrWorld.LeaseAsync(client);
            Assert.Equal(RouterVm.LanAddress(1), lease?.Server);
            Assert.All(observer.Replies.Where(x => x.At >= since), x => Assert.Equal(OmrWorld.LanMac(1), x.ServerMac));

            // force 1 committed: `start` on the running dnsmasq changes nothing (no new start, still refused) ...
            await b.Console.CheckAsync("uci set dhcp.lan.force=1; uci commit dhcp; /etc/init.d/dnsmasq start");
            var log = await RouterVm.LogAsync(b);
            Assert.Single(log.Lines, l => l.StartsWith("dnsmasq: start:", StringComparison.Ordinal));
            // ... `restart` re-reads it: B serves too, and the client now hears two DHCP servers.
            await b.Console.CheckAsync("/etc/init.d/dnsmasq restart");
            await RouterVm.WaitLogAsync(b, l => l.IndexOf("dnsmasq: start: lan:serving") >= 0, TimeSpan.FromSeconds(30), "B serving DHCP after force + restart");
            since = observer.Now;
            await RouterVm.PollAsync(async () =>
            {
                await OmrWorld.LeaseAsync(client);
                return observer.Replies.Where(x => x.At >= since && x.Type == "OFFER").Select(x => x.ServerMac).Distinct().Count() == 2;
            }, TimeSpan.FromSeconds(30), "offers from both routers");
            output.WriteLine(observer.Describe());

            // ignore 1: dnsmasq keeps running (DNS) with no DHCP on lan.
            await b.Console.CheckAsync("uci set dhcp.lan.ignore=1; uci commit dhcp; /etc/init.d/dnsmasq restart");
            await RouterVm.WaitLogAsync(b, l => l.IndexOf("dnsmasq: start: lan:ignored") >= 0, TimeSpan.FromSeconds(30), "B ignoring lan");
            Assert.True(await OmrWorld.SucceedsAsync(b, "/etc/init.d/dnsmasq running"));
        });
    }

    private static string RepoImageRootfs => Path.Combine(Router.LabKit.RouterHaBinary.RepoRoot, "toolchain", "image", "rootfs");
}
