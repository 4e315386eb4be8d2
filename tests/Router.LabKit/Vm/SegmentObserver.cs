using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Router.LabKit.Vm;

/// <summary>
/// A host-side observer on a VM segment: QEMU's multicast-socket network sends every Ethernet frame of the segment
/// as one UDP datagram to 230.0.0.1:PORT on loopback, so joining that group sees what every NIC on it sent, judged from
/// outside the VMs. Records the DHCP server replies (OFFER, ACK, NAK): who answered, to whom, with which address.
/// </summary>
public sealed class SegmentObserver : IDisposable
{
    public sealed record DhcpReply(TimeSpan At, string ServerMac, IPAddress? ServerId, string Type, string ClientMac, IPAddress Address);

    private readonly Socket _socket;
    private readonly Thread _reader;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<DhcpReply> _replies = [];
    private volatile bool _stopped;

    public SegmentObserver(int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(new IPEndPoint(IPAddress.Any, port));
        // QEMU's segments are on loopback (localaddr=127.0.0.1): join the group there, never on a real NIC.
        _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership,
            new MulticastOption(IPAddress.Parse("230.0.0.1"), IPAddress.Loopback));
        _socket.ReceiveTimeout = 200;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"segment-{port}" };
        _reader.Start();
    }

    /// <summary>Time since the observer started (the At of each reply).</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<DhcpReply> Replies { get { lock (_replies) return [.. _replies]; } }

    private void ReadLoop()
    {
        var buf = new byte[2048];
        while (!_stopped)
        {
            int n;
            try { n = _socket.Receive(buf); }
            catch (SocketException) { continue; }
            catch (ObjectDisposedException) { return; }
            if (ParseDhcpReply(buf.AsSpan(0, n), _clock.Elapsed) is { } reply)
                lock (_replies) _replies.Add(reply);
        }
    }

    /// <summary>An Ethernet frame carrying IPv4/UDP 67 -> 68 BOOTP with a DHCP message type of OFFER, ACK or NAK.</summary>
    public static DhcpReply? ParseDhcpReply(ReadOnlySpan<byte> frame, TimeSpan at)
    {
        if (frame.Length < 14 + 20 + 8 + 240 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800) return null;
        var ip = frame[14..];
        var ihl = (ip[0] & 0x0f) * 4;
        if (ip[0] >> 4 != 4 || ip[9] != 17 || ip.Length < ihl + 8 + 240) return null;
        var udp = ip[ihl..];
        if (BinaryPrimitives.ReadUInt16BigEndian(udp) != 67 || BinaryPrimitives.ReadUInt16BigEndian(udp[2..]) != 68) return null;
        var bootp = udp[8..];
        if (bootp[0] != 2 || BinaryPrimitives.ReadUInt32BigEndian(bootp[236..]) != 0x63825363) return null;
        string? type = null;
        IPAddress? serverId = null;
        for (var i = 240; i < bootp.Length && bootp[i] != 255;)
        {
            if (bootp[i] == 0) { i++; continue; }
            if (i + 1 >= bootp.Length) break;
            int code = bootp[i], len = bootp[i + 1];
            if (i + 2 + len > bootp.Length) break;
            var value = bootp.Slice(i + 2, len);
            if (code == 53 && len == 1) type = value[0] switch { 2 => "OFFER", 5 => "ACK", 6 => "NAK", _ => null };
            if (code == 54 && len == 4) serverId = new IPAddress(value);
            i += 2 + len;
        }
        return type is null ? null : new DhcpReply(at, Mac(frame[6..12]), serverId, type, Mac(bootp.Slice(28, 6)), new IPAddress(bootp.Slice(16, 4)));
    }

    private static string Mac(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(b).Chunk(2).Select(c => new string(c)).Aggregate((x, y) => $"{x}:{y}");

    public string Describe() => string.Join(Environment.NewLine,
        Replies.Select(r => $"{r.At.TotalSeconds,8:0.000} s {r.Type,-5} from {r.ServerMac} (server id {r.ServerId}) to {r.ClientMac}: {r.Address}"));

    public void Dispose()
    {
        _stopped = true;
        _socket.Dispose();
        _reader.Join(TimeSpan.FromSeconds(2));
    }
}
