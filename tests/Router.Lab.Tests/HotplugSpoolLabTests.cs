using System.Globalization;
using System.Text;
using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// The real dnsmasq with OpenWrt's hotplug path in front of routerha (dhcp-script.sh and procd's dispatch as a
/// STAND-IN, the package's handler as shipped): at its start dnsmasq calls its script for every lease in its lease
/// file, and procd would run one handler per call at once. With the daemon running, those events reach it through
/// its spool and start no routerha process; with it stopped, the handler stores them through the verb.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HotplugSpoolLabTests
{
    private const int Leases = 60;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    private static string Handler() =>
        File.ReadAllText(Path.Combine(RouterHaBinary.RepoRoot, "openwrt-feed", "net", "routerha", "files", "routerha.hotplug"));

    /// <summary>dnsmasq's lease file: EXPIRES MAC IP HOSTNAME CLIENT-ID per line.</summary>
    private static string LeaseFile(long expires)
    {
        var b = new StringBuilder();
        for (var i = 0; i < Leases; i++)
            b.Append(CultureInfo.InvariantCulture, $"{expires} 02:00:00:00:89:{i:x2} 192.168.88.{100 + i} host{i} *\n");
        return b.ToString();
    }

    private static int VerbCalls(DhcpLab lab) => File.Exists(lab.VerbCalls) ? File.ReadAllLines(lab.VerbCalls).Length : 0;

    [Fact]
    public async Task EveryLeaseDnsmasqReportsAtItsStartReachesTheDaemonThroughTheSpoolWithoutARouterhaProcessPerEvent()
    {
        using var cts = LabAssert.Budget(150);
        using var lab = DhcpLab.Create();
        var leaseFile = Path.Combine(lab.Dir, "dhcp.leases");
        File.WriteAllText(leaseFile, LeaseFile(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600));
        lab.StartDaemon();
        await Wait.UntilAsync(() => Directory.Exists(lab.Spool), Step, "the daemon's spool", lab.Diagnostics, cts.Token);

        lab.StartOpenWrtDnsmasq(Handler(), leaseFile);
        await Wait.UntilAsync(() => lab.Leases().Count(l => l.State == "active") == Leases, Step,
            $"{Leases} leases in routerha leases --json", lab.Diagnostics, cts.Token);
        Assert.Contains(("192.168.88.159", "02:00:00:00:89:3b", "active", "host59"), lab.Leases());
        Assert.Equal(0, VerbCalls(lab));
        Assert.Contains("lease old 02:00:00:00:89:00 192.168.88.100 host0", lab.Daemon!.Log);
        await Wait.UntilAsync(() => Directory.GetFiles(lab.Spool).Length == 0, Step, "the spool emptied", lab.Diagnostics, cts.Token);

        // The daemon stops: its spool goes with it, and the same events (dnsmasq's SIGHUP repeats "old" for every
        // lease) are stored by `routerha dhcp-script`, one process each.
        lab.Daemon.SendTerm();
        Assert.NotNull(await lab.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.False(Directory.Exists(lab.Spool), "the stopped daemon left its spool: events would wait there for no one");
        foreach (var f in Directory.GetFiles(lab.Dir, "leases.db*")) File.Delete(f);
        lab.Dnsmasq!.SendHangup();
        await Wait.UntilAsync(() => VerbCalls(lab) >= Leases && lab.Leases().Count(l => l.State == "active") == Leases, Step,
            $"{Leases} leases stored by the verb", lab.Diagnostics, cts.Token);
    }
}
