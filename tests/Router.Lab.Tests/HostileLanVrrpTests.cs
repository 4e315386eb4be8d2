using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Router.Core.Vrrp;
using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// The client host on the LAN turns attacker: it knows no secret and forges VRRPv3 adverts with priority 255 for the
/// pair's VRID. With a peer channel (or unicast peers) the pair must ignore it and keep serving; without, the RFC
/// behaviour (and keepalived interop) stays. Judged from outside: where the VIP is, what the client reaches, status.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HostileLanVrrpTests(ITestOutputHelper output)
{
    private static readonly IPAddress Attacker = LabTopology.AddressClient;
    private static readonly TimeSpan Advert = TimeSpan.FromSeconds(1);

    /// <summary>IPv6 gateway next to the IPv4 one (the first instance): its adverts come from link-local addresses.</summary>
    private static string Lan6(int priority) =>
        $"\nconfig instance 'lan6'\n\toption interface '{LabTopology.LanInterface}'\n\toption vrid '52'\n\toption priority '{priority}'\n" +
        $"\toption advert_interval '1'\n\tlist vip '{LabTopology.Vip6Cidr}'\n";

    /// <summary>The two routers with a peer channel over the LAN, as an OMR pair configures it (A 150, B 100).</summary>
    private static PairLab PeeredPair(bool withIpv6 = false)
    {
        var secret = Path.Combine(Path.GetTempPath(), $"routerha-vrrp-lab-{Guid.NewGuid():N}.key");
        File.WriteAllText(secret, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string Peer(IPAddress own, IPAddress other) =>
            $"\nconfig peer 'other'\n\tlist path 'lan {own} {other}'\n\toption secret_file '{secret}'\n";
        var lab = PairLab.Create(DaemonKind.RouterHa,
            VrrpSettings.For(150, Advert) with
            {
                NodeName = "router-a",
                ExtraUci = Peer(LabTopology.AddressA, LabTopology.AddressB) + (withIpv6 ? Lan6(150) : ""),
            },
            VrrpSettings.For(100, Advert) with
            {
                NodeName = "router-b",
                ExtraUci = Peer(LabTopology.AddressB, LabTopology.AddressA) + (withIpv6 ? Lan6(100) : ""),
            });
        lab.Topology.Own(new DeleteFile(secret));
        return lab;
    }

    [Fact]
    public async Task WithAPeerChannelAForgedMasterIsIgnoredAndTheBackupStillTakesOverWhenTheMasterDies()
    {
        using var cts = LabAssert.Budget(120);
        using var lab = PeeredPair();
        var a = (RouterHaNode)lab.A;
        var b = (RouterHaNode)lab.B;
        await lab.StartAndElectAsync(cts.Token);
        await Wait.UntilAsync(() => b.Instance().Master == LabTopology.AddressA.ToString(), lab.ElectionTimeout,
            "B following A", lab.Diagnostics, cts.Token);

        using var attack = ForgedMaster.Start(lab.Topology.Client, [LabTopology.AddressA, LabTopology.AddressB], TimeSpan.FromSeconds(1));
        using (var prober = Prober.Start(lab.Topology.Client, LabTopology.Vip4, TimeSpan.FromMilliseconds(50)))
        {
            // Long enough for the forged master to have won twice over: A yields at the first advert it obeys.
            await Wait.HoldsAsync(() => lab.HasVips(a) && lab.HasNoVip(b), TimeSpan.FromSeconds(6),
                "the VIP staying on A alone under forged priority-255 adverts", lab.Diagnostics, cts.Token);
            var seen = prober.Stop();
            output.WriteLine($"under attack: client {seen.Received}/{seen.Sent} answered (runs {seen.Runs})");
            LabAssert.True(seen.GridHeld && seen.LongestMissingRun <= 2,
                $"the client kept reaching the VIP: {seen.Received}/{seen.Sent} answered, runs {seen.Runs}", lab);
        }
        LabAssert.True(attack.Sent >= 5, $"the attacker sent {attack.Sent} adverts", lab);
        var statusA = a.Instance();
        LabAssert.True(statusA.State == "MASTER" && statusA.Counters.UnknownMasterAdverts >= attack.Sent - 2,
            $"A MASTER, counting the forged adverts ({statusA.Counters.UnknownMasterAdverts} of {attack.Sent})", lab);
        Assert.Equal(Attacker.ToString(), statusA.Counters.UnknownMasterLast);
        var statusB = b.Instance();
        LabAssert.True(statusB.State == "BACKUP" && statusB.Master == LabTopology.AddressA.ToString(),
            $"B BACKUP following A, not {statusB.Master}", lab);
        // Reported once for the episode, not once per advert.
        LabAssert.True(a.LogTail().Split('\n').Count(l => l.Contains($"ignoring VRRP adverts from {Attacker}", StringComparison.Ordinal)) == 1,
            "one warning for the episode", lab);

        // The real master dies while the attack goes on: the forged adverts must not hold B off.
        var killed = Stopwatch.StartNew();
        lab.A.Kill9();
        await b.WaitForStateAsync("MASTER", lab.B.Settings.MasterDownInterval + TimeSpan.FromSeconds(2), cts.Token);
        var took = killed.Elapsed;
        output.WriteLine($"forged adverts {attack.Sent}, counted by A {statusA.Counters.UnknownMasterAdverts}; B MASTER {took.TotalMilliseconds:0} ms " +
                         $"after A's kill -9 (master-down {lab.B.Settings.MasterDownInterval.TotalMilliseconds:0} ms)");
        LabAssert.True(took <= lab.B.Settings.MasterDownInterval + TimeSpan.FromSeconds(1),
            $"B took over {took.TotalMilliseconds:0} ms after A died (master-down {lab.B.Settings.MasterDownInterval.TotalMilliseconds:0} ms)", lab);
        Assert.Contains("master down timer expired", b.Instance().Transitions[^1].Reason, StringComparison.Ordinal);
        await Wait.HoldsAsync(() => b.State == "MASTER" && lab.HasVips(b), TimeSpan.FromSeconds(3),
            "B staying MASTER under the forged adverts", lab.Diagnostics, cts.Token);
    }

    [Fact]
    public async Task AnIpv6InstanceTrustsThePeersLinkLocalSourceLearntOverTheChannel()
    {
        // The peer paths are IPv4: only the sources the peer announces over the channel name its IPv6 router.
        using var cts = LabAssert.Budget();
        using var lab = PeeredPair(withIpv6: true);
        var a = (RouterHaNode)lab.A;
        var b = (RouterHaNode)lab.B;
        await lab.StartAndElectAsync(cts.Token);
        await Wait.UntilAsync(() => a.StateOf("lan6") == "MASTER" && b.StateOf("lan6") == "BACKUP", lab.ElectionTimeout,
            "lan6 elected like lan", lab.Diagnostics, cts.Token);
        RouterHaInstanceStatus Lan6Of(RouterHaNode n) => n.TryStatus()!.Instances.Single(i => i.Name == "lan6");

        lab.Topology.Client.WaitForLinkLocal(LabTopology.LanInterface);
        using (ForgedMaster6.Start(lab.Topology.Client, TimeSpan.FromSeconds(1)))
        {
            await Wait.UntilAsync(() => Lan6Of(a).Counters.UnknownMasterAdverts >= 4, TimeSpan.FromSeconds(10),
                "A's lan6 counting the forged IPv6 adverts", lab.Diagnostics, cts.Token);
        }
        var statusA = Lan6Of(a);
        var statusB = Lan6Of(b);
        LabAssert.True(statusA.State == "MASTER" && lab.Topology.HasAddress(a.Namespace, LabTopology.Vip6),
            $"A's lan6 still MASTER with {LabTopology.Vip6} ({statusA.State})", lab);
        LabAssert.True(statusB.State == "BACKUP" && statusB.Master is { } m && IPAddress.Parse(m).IsIPv6LinkLocal && statusB.Counters.UnknownMasterAdverts >= 4,
            $"B's lan6 following A's link-local, not the forger ({statusB.Master}, ignored {statusB.Counters.UnknownMasterAdverts})", lab);
        Assert.Equal("MASTER", a.State);
    }

    [Fact]
    public async Task InUnicastModeOnlyConfiguredPeersOnTheLinkAreFollowed()
    {
        using var cts = LabAssert.Budget();
        using var lab = PairLab.Create(DaemonKind.RouterHa,
            VrrpSettings.For(150, Advert) with { UnicastPeers = [LabTopology.AddressB] },
            VrrpSettings.For(100, Advert) with { UnicastPeers = [LabTopology.AddressA] });
        var a = (RouterHaNode)lab.A;
        await lab.StartAndElectAsync(cts.Token);

        // From the attacker's own address, and from B's address but one routed hop away (TTL 64): neither may win.
        using (ForgedMaster.Start(lab.Topology.Client, [LabTopology.AddressA], TimeSpan.FromSeconds(1)))
        using (ForgedMaster.Start(lab.Topology.Client, [LabTopology.AddressA], TimeSpan.FromSeconds(1), source: LabTopology.AddressB, ttl: 64))
        {
            await Wait.UntilAsync(() => a.Instance().Counters is { UnknownMasterAdverts: >= 4 } c && c.Drops.GetValueOrDefault("BadTtl") >= 4,
                TimeSpan.FromSeconds(10), "A counting both kinds of forged advert", lab.Diagnostics, cts.Token);
        }
        var status = a.Instance();
        LabAssert.True(status.State == "MASTER" && lab.HasVips(a), $"A still MASTER with the VIP ({status.State})", lab);
        Assert.Equal(Attacker.ToString(), status.Counters.UnknownMasterLast);
        Assert.Equal("BACKUP", lab.B.State);
    }

    [Fact]
    public async Task WithoutAPeerChannelAHigherPriorityAdvertStillWinsAsInKeepalived()
    {
        using var cts = LabAssert.Budget();
        using var lab = PairLab.Create(DaemonKind.RouterHa, VrrpSettings.For(150, Advert), VrrpSettings.For(100, Advert));
        var a = (RouterHaNode)lab.A;
        await lab.StartAndElectAsync(cts.Token);
        using (ForgedMaster.Start(lab.Topology.Client, [LabTopology.AddressA, LabTopology.AddressB], TimeSpan.FromSeconds(1)))
        {
            await a.WaitForStateAsync("BACKUP", TimeSpan.FromSeconds(5), cts.Token);
            await Wait.UntilAsync(() => lab.HasNoVip(a), TimeSpan.FromSeconds(2), "A giving up the VIP", lab.Diagnostics, cts.Token);
            Assert.Equal(Attacker.ToString(), a.Instance().Master);
            Assert.Equal(0, a.Instance().Counters.UnknownMasterAdverts);
        }
    }

    [Fact]
    public async Task KeepalivedUnicastAdvertsStillPassTheTtlCheck()
    {
        // keepalived sends IPv4 unicast adverts with TTL 255 unless unicast_ttl says otherwise: routerha follows them.
        using var cts = LabAssert.Budget();
        using var lab = PairLab.Create(
            DaemonKind.Keepalived, VrrpSettings.For(150, TimeSpan.FromMilliseconds(100)) with { UnicastPeers = [LabTopology.AddressB] },
            DaemonKind.RouterHa, VrrpSettings.For(100, TimeSpan.FromMilliseconds(100)) with { UnicastPeers = [LabTopology.AddressA] });
        await lab.StartAndElectAsync(cts.Token);
        await Wait.HoldsAsync(() => lab.B.State == "BACKUP", 3 * lab.B.Settings.MasterDownInterval,
            "routerha staying BACKUP under keepalived's unicast adverts", lab.Diagnostics, cts.Token);
        var b = ((RouterHaNode)lab.B).Instance();
        Assert.Equal(LabTopology.AddressA.ToString(), b.Master);
        Assert.Equal(0, b.Counters.Drops.GetValueOrDefault("BadTtl"));
    }

    /// <summary>A LAN host sending VRRPv3 adverts (VRID 51, priority 255, our VIP) on a timer, from a raw socket opened in
    /// its namespace, with a hand-written IPv4 header so source and TTL can lie. Sent to the routers' own addresses (their
    /// VRRP sockets take those as they take the group's; the client namespace has no multicast route).</summary>
    private sealed class ForgedMaster : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Socket _raw;
        private readonly Task _loop;
        private int _sent;

        private ForgedMaster(Socket raw, IPAddress[] destinations, TimeSpan every, IPAddress source, byte ttl)
        {
            _raw = raw;
            var adv = new VrrpAdvertisement(VrrpVersion.V3, 51, 255, (ushort)(every.TotalMilliseconds / 10), [LabTopology.Vip4]);
            var packets = destinations.Select(d => (To: d, Packet: Ipv4(VrrpCodec.Encode(adv, source, d), source, d, ttl))).ToArray();
            _loop = Task.Run(() =>
            {
                // The attack's own pace, not a wait for anything: one advert per interval.
                do
                {
                    foreach (var (to, packet) in packets) _raw.SendTo(packet, new IPEndPoint(to, 0));
                    Interlocked.Increment(ref _sent);
                }
                while (!_stop.Token.WaitHandle.WaitOne(every));
            });
        }

        public int Sent => Volatile.Read(ref _sent);

        public static ForgedMaster Start(Netns from, IPAddress[] destinations, TimeSpan every, IPAddress? source = null, byte ttl = 255)
        {
            var raw = from.RunInside(() => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw));
            return new ForgedMaster(raw, destinations, every, source ?? Attacker, ttl);
        }

        private static byte[] Ipv4(byte[] vrrp, IPAddress source, IPAddress destination, byte ttl)
        {
            var packet = new byte[20 + vrrp.Length];
            packet[0] = 0x45;
            packet[1] = 0xc0;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
            packet[8] = ttl;
            packet[9] = VrrpCodec.ProtocolNumber;
            source.TryWriteBytes(packet.AsSpan(12), out _);
            destination.TryWriteBytes(packet.AsSpan(16), out _);
            vrrp.CopyTo(packet, 20);
            return packet;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(5));
            _raw.Dispose();
            _stop.Dispose();
        }
    }

    /// <summary>VRRPv3 over IPv6 from the client's link-local address to ff02::12, hop limit 255: VRID 52, priority 255,
    /// the IPv6 VIP.</summary>
    private sealed class ForgedMaster6 : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Socket _raw;
        private readonly Task _loop;

        private ForgedMaster6(Socket raw, IPAddress source, int index, TimeSpan every)
        {
            _raw = raw;
            var group = new IPAddress(VrrpCodec.MulticastV6.GetAddressBytes(), index);
            var adv = new VrrpAdvertisement(VrrpVersion.V3, 52, 255, (ushort)(every.TotalMilliseconds / 10), [LabTopology.Vip6]);
            var message = Ipv6(VrrpCodec.Encode(adv, source, VrrpCodec.MulticastV6), source, VrrpCodec.MulticastV6);
            _loop = Task.Run(() =>
            {
                // The attack's own pace: one advert per interval.
                do _raw.SendTo(message, new IPEndPoint(group, 0));
                while (!_stop.Token.WaitHandle.WaitOne(every));
            });
        }

        public static ForgedMaster6 Start(Netns from, TimeSpan every)
        {
            var shown = from.Ip("-6", "-o", "addr", "show", "dev", LabTopology.LanInterface, "scope", "link");
            var linkLocal = IPAddress.Parse(shown.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(w => w.StartsWith("fe80::", StringComparison.Ordinal)).Split('/')[0]);
            // "7: lan0@if8: <...": the index as this namespace numbers it (/sys shows the host's namespace).
            var index = int.Parse(from.Ip("-o", "link", "show", LabTopology.LanInterface).Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
            // IPPROTO_RAW: the IPv6 header is ours to write (hop limit, source), as for the IPv4 forger.
            var raw = from.RunInside(() => new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.Raw));
            return new ForgedMaster6(raw, linkLocal, index, every);
        }

        private static byte[] Ipv6(byte[] vrrp, IPAddress source, IPAddress destination)
        {
            var packet = new byte[40 + vrrp.Length];
            packet[0] = 0x6c; // version 6, traffic class 0xc0 as VRRP sends
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)vrrp.Length);
            packet[6] = VrrpCodec.ProtocolNumber;
            packet[7] = 255;
            source.TryWriteBytes(packet.AsSpan(8), out _);
            destination.TryWriteBytes(packet.AsSpan(24), out _);
            vrrp.CopyTo(packet, 40);
            return packet;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(5));
            _raw.Dispose();
            _stop.Dispose();
        }
    }

    private sealed class DeleteFile(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }
}
