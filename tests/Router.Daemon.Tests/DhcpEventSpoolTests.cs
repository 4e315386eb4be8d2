using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Router.Daemon.Leases;
using Router.Daemon.Tests.Kit;
using Router.Integrations.Logging;

namespace Router.Daemon.Tests;

/// <summary>
/// The spool OpenWrt's hotplug handler leaves dnsmasq's lease events in (openwrt-feed routerha.hotplug): read off
/// the loop, handed to it oldest first, and stored there as `routerha dhcp-script` calls would have been.
/// </summary>
public sealed class DhcpEventSpoolTests : IDisposable
{
    private readonly string _dir = Path.Combine(Directory.CreateTempSubdirectory("rha-spool-").FullName, "routerha.dhcp-events");
    private readonly BlockingCollection<string> _delivered = [];
    private readonly Log _log = new(LogLevel.Debug);

    private static byte[] Environ(string action, string ip, long expires, string host = "laptop") => Encoding.UTF8.GetBytes(
        $"ACTION={action}\0MACADDR=02:00:00:00:00:61\0IPADDR={ip}\0HOSTNAME={host}\0PATH=/usr/sbin:/usr/bin:/sbin:/bin\0" +
        $"DNSMASQ_LEASE_EXPIRES={expires.ToString(CultureInfo.InvariantCulture)}\0DNSMASQ_INTERFACE=lan0\0");

    /// <summary>As the handler does: written under a dot name, renamed when complete (unless the name is a dot name).</summary>
    private void Write(string name, string ip, DateTime written)
    {
        var writing = Path.Combine(_dir, name.StartsWith('.') ? name : "." + name);
        File.WriteAllBytes(writing, Environ("add", ip, 2_000_000_000));
        File.SetLastWriteTimeUtc(writing, written);
        if (!name.StartsWith('.')) File.Move(writing, Path.Combine(_dir, name));
    }

    private DhcpEventSpool Open() =>
        DhcpEventSpool.Open(_dir, _log, e => _delivered.Add(HotplugIp(e))) ?? throw new InvalidOperationException("spool not opened");

    private static string HotplugIp(byte[] environ) => Router.Core.Leases.HotplugLeaseEvent.Parse(environ, null).Event!.Args[2];

    private string Next() => _delivered.TryTake(out var ip, TimeSpan.FromSeconds(10)) ? ip : throw new TimeoutException("no event delivered in 10 s");

    [Fact]
    public void EventsAreHandedOverOldestFirstIncludingThoseACrashedRunLeftAndLeaveTheSpool()
    {
        var t = DateTime.UtcNow.AddMinutes(-1);
        Directory.CreateDirectory(_dir);
        Write("b1", "192.168.1.62", t.AddSeconds(2));
        Write("a1", "192.168.1.61", t.AddSeconds(1));
        using var spool = Open();
        Assert.Equal(["192.168.1.61", "192.168.1.62"], [Next(), Next()]);

        // A dot name is an event still being written: it waits for its rename.
        Write(".c1", "192.168.1.63", t.AddSeconds(3));
        Write("d1", "192.168.1.64", t.AddSeconds(4));
        Assert.Equal("192.168.1.64", Next());
        File.Move(Path.Combine(_dir, ".c1"), Path.Combine(_dir, "c1"));
        Assert.Equal("192.168.1.63", Next());
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void TheSpoolIsForRootAlone()
    {
        using var spool = Open();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
    }

    [Fact]
    public void ClosingRemovesTheSpoolSoLaterEventsGoToTheVerbAndReturnsWhatWasStillInIt()
    {
        var spool = Open();
        var t = DateTime.UtcNow;
        for (var i = 0; i < 20; i++) Write($"e{i:00}", $"192.168.1.{100 + i}", t.AddMilliseconds(i));
        var left = spool.Close().Select(HotplugIp);
        spool.Dispose();
        // Each event exactly once: either the reader had taken it or Close returned it.
        var all = _delivered.Concat(left).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"192.168.1.{100 + i}").Order().ToList(), all);
        Assert.False(Directory.Exists(_dir), "the spool is still there: the hotplug handler would leave events no one reads");
        Assert.False(Directory.Exists(_dir + ".closing"));
    }

    [Fact]
    public void ASpooledEventIsStoredOnTheLoopAndReplicatedToThePeer()
    {
        using var pair = new TestPair(new PairOptions { Leases = true });
        pair.StartAndElect();
        var expires = pair.Clock.GetUtcNow().ToUnixTimeSeconds() + 3600;
        pair.A.Daemon.Turn(new LeaseSpooled(Environ("add", "192.168.1.65", expires)));
        pair.RunUntil(() => pair.B.Status().Leases!.Active == 1, TimeSpan.FromSeconds(5), "the lease replicated to B");

        // The release comes the same way; an event that is not one is said and dropped.
        pair.A.Daemon.Turn(new LeaseSpooled(Encoding.UTF8.GetBytes("ACTION=remove\0IPADDR=192.168.1.65\0")));
        Assert.Contains(pair.A.Log, l => l.Contains("dhcp event spool: del without MACADDR or IPADDR: dropped", StringComparison.Ordinal));
        pair.A.Daemon.Turn(new LeaseSpooled(Environ("remove", "192.168.1.65", expires)));
        pair.RunUntil(() => pair.B.Status().Leases!.Active == 0, TimeSpan.FromSeconds(5), "the release replicated to B");
    }

    public void Dispose()
    {
        _delivered.Dispose();
        Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);
    }
}
