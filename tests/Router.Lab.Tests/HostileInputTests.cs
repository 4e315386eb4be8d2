using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Router.Core.Vrrp;
using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// A host on the LAN sends crafted VRRP packets at the MASTER claiming a higher priority. Every malformed
/// one must be dropped, counted by reason, and leave the master in place; one well-formed packet proves
/// the injection path reaches the daemon (so the test can fail).
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HostileInputTests
{
    private static readonly IPAddress Attacker = LabTopology.AddressClient;

    [Fact]
    public async Task MalformedAdvertsAreCountedByReasonAndNeverMoveTheMaster()
    {
        using var cts = LabAssert.Budget();
        using var lab = PairLab.Create(DaemonKind.RouterHa,
            VrrpSettings.For(150, TimeSpan.FromMilliseconds(100)), VrrpSettings.For(100, TimeSpan.FromMilliseconds(100)));
        await lab.StartAndElectAsync(cts.Token);
        var a = (RouterHaNode)lab.A;
        var target = LabTopology.AddressA;
        var vips = new[] { LabTopology.Vip4 };

        var claim = new VrrpAdvertisement(VrrpVersion.V3, 51, 254, 10, vips);
        var good = VrrpCodec.Encode(claim, Attacker, target);
        var badChecksum = (byte[])good.Clone();
        badChecksum[6] ^= 0x5a;
        var v2 = VrrpCodec.Encode(claim with { Version = VrrpVersion.V2, AdvertIntervalCs = 100 }, Attacker, target);
        var otherVrid = VrrpCodec.Encode(claim with { Vrid = 99 }, Attacker, target);
        var random = new Random(5798);
        var junk = Enumerable.Range(0, 200).Select(_ =>
        {
            var b = new byte[random.Next(0, 64)];
            random.NextBytes(b);
            return b;
        }).ToList();

        // Batches of 20 with a wait for the daemon's counters in between: a larger burst would overflow the
        // raw socket's kernel buffer, and what the kernel drops never reaches any daemon to be counted.
        var batches = new List<byte[][]>();
        for (var i = 0; i < 20; i++)
            batches.Add([good, badChecksum, v2, good[..6], otherVrid]);
        batches.AddRange(junk.Chunk(20));
        var ttls = new Dictionary<byte[], byte> { [good] = 64 };
        var sent = 0;
        foreach (var batch in batches)
        {
            lab.Topology.Client.RunInside(() =>
            {
                using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw);
                foreach (var packet in batch)
                    Send(raw, packet, ttls.GetValueOrDefault(packet, (byte)255), target); // `good` crossed a router: BadTtl
                return 0;
            });
            sent += batch.Length;
            await Wait.UntilAsync(() => a.Instance().Counters.Drops.Values.Sum() >= sent, TimeSpan.FromSeconds(5),
                $"{sent} injected packets counted", lab.Diagnostics, cts.Token);
        }

        var status = a.Instance();
        var drops = status.Counters.Drops;
        Assert.Equal(sent, drops.Values.Sum());
        foreach (var reason in new[] { "BadTtl", "BadChecksum", "BadVersion", "TooShort", "UnknownVrid" })
            Assert.True(drops.GetValueOrDefault(reason) >= 20, $"{reason} counted for each crafted packet: {string.Join(", ", drops)}");
        LabAssert.True(status.State == "MASTER", "a malformed higher-priority claim must not move the master", lab);
        LabAssert.True(lab.HasVips(a), "the master keeps its VIP", lab);

        // Control: a well-formed priority-254 advert is obeyed, so the packets above really reached the daemon.
        lab.Topology.Client.RunInside(() =>
        {
            using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw);
            Send(raw, good, ttl: 255, target);
            return 0;
        });
        await a.WaitForStateAsync("BACKUP", TimeSpan.FromSeconds(2), cts.Token);
        // Its claimed master then falls silent, and A takes the VIP back after the master-down interval.
        await a.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
    }

    /// <summary>IPv4 header written by hand (IPPROTO_RAW implies IP_HDRINCL) so the TTL can lie.</summary>
    private static void Send(Socket raw, byte[] vrrp, byte ttl, IPAddress destination)
    {
        var packet = new byte[20 + vrrp.Length];
        packet[0] = 0x45;
        packet[1] = 0xc0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[8] = ttl;
        packet[9] = VrrpCodec.ProtocolNumber;
        Attacker.TryWriteBytes(packet.AsSpan(12), out _);
        destination.TryWriteBytes(packet.AsSpan(16), out _);
        vrrp.CopyTo(packet, 20);
        raw.SendTo(packet, new IPEndPoint(destination, 0));
    }
}
