using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Router.LabKit;

/// <summary>
/// ICMP echo from the client namespace on an exact time grid (ping's own timer drifts to ~16 ms here).
/// A dedicated thread enters the namespace with setns() and creates a raw ICMP socket there; the socket
/// stays bound to that namespace, so a second thread can read the replies.
/// </summary>
public sealed class Prober : IDisposable
{
    private const int MaxProbes = 65536;
    private readonly IPAddress _target;
    private readonly TimeSpan _interval;
    private readonly ushort _id = (ushort)Random.Shared.Next(1, 65535);
    /// <summary>A reply later than this counts as lost: a router that forwards toward a VIP nobody holds queues the
    /// requests while it resolves the address (the kernel's ARP queue) and hands them all to the new master when it
    /// announces itself, so every request of the outage is answered, hundreds of ms late. Counted as answered, a
    /// kill -9 read as a 0 ms gap.</summary>
    public static readonly TimeSpan LateLimit = TimeSpan.FromMilliseconds(100);
    private readonly bool[] _answered = new bool[MaxProbes];
    private readonly long[] _sentAt = new long[MaxProbes];
    private readonly Thread _sender;
    private readonly Thread _receiver;
    private readonly ManualResetEventSlim _ready = new();
    private Socket? _socket;
    private Exception? _startError;
    private volatile bool _stopSending;
    private volatile bool _stopReceiving;
    private int _sent;
    private int _lastAnswered = -1;
    /// <summary>How late the most delayed send left against its grid slot: a descheduled prober sends its missed
    /// slots in a burst, and then sequence numbers no longer say when the client asked.</summary>
    private TimeSpan _maxLate;

    private Prober(string netnsName, IPAddress target, TimeSpan interval)
    {
        _target = target;
        _interval = interval;
        _sender = new Thread(() => SendLoop(netnsName)) { IsBackground = true, Name = "lab-prober-send" };
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "lab-prober-recv" };
    }

    /// <summary>Starts probing target from inside the namespace every interval (default 10 ms).</summary>
    public static Prober Start(Netns client, IPAddress target, TimeSpan? interval = null)
    {
        var p = new Prober(client.Name, target, interval ?? TimeSpan.FromMilliseconds(10));
        p._sender.Start();
        p._ready.Wait();
        if (p._startError is not null) throw new InvalidOperationException("prober could not start", p._startError);
        p._receiver.Start();
        return p;
    }

    public int SentCount => Volatile.Read(ref _sent);

    /// <summary>Highest sequence answered so far, -1 before the first reply.</summary>
    public int LastAnsweredSeq => Volatile.Read(ref _lastAnswered);

    /// <summary>Waits until a request sent at or after sequence <paramref name="fromSeq"/> has been answered.</summary>
    public Task WaitForReplyAfterAsync(int fromSeq, TimeSpan timeout, CancellationToken ct = default) =>
        Wait.UntilAsync(() => LastAnsweredSeq >= fromSeq, timeout, $"an echo reply from {_target} (seq >= {fromSeq})", null, ct);

    private void SendLoop(string netnsName)
    {
        try
        {
            using (var nsHandle = File.OpenHandle($"/var/run/netns/{netnsName}"))
            {
                if (Native.SetNs((int)nsHandle.DangerousGetHandle(), Native.CLONE_NEWNET) != 0)
                    throw new IOException($"setns({netnsName}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
            }
            _socket = _target.AddressFamily == AddressFamily.InterNetworkV6
                ? new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6)
                : new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
            _socket.ReceiveTimeout = 50;
            // Bound up front so the receive thread can start reading before the first send.
            _socket.Bind(new IPEndPoint(_target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        }
        catch (Exception e)
        {
            _startError = e;
            _ready.Set();
            return;
        }
        _ready.Set();

        var endpoint = new IPEndPoint(_target, 0);
        var packet = new byte[64];
        var clock = Stopwatch.StartNew();
        for (var seq = 0; seq < MaxProbes && !_stopSending; seq++)
        {
            var due = _interval * seq;
            var wait = due - clock.Elapsed;
            // Sleep most of the wait, spin the last stretch: the grid stays exact to well under a millisecond.
            if (wait > TimeSpan.FromMilliseconds(2)) Thread.Sleep(wait - TimeSpan.FromMilliseconds(1.5));
            while (clock.Elapsed < due) Thread.SpinWait(20);
            var late = clock.Elapsed - due;
            if (late > _maxLate) _maxLate = late;
            BuildEcho(packet, seq);
            _sentAt[seq] = Stopwatch.GetTimestamp();
            // Counted before sending: on a veth the reply can arrive before SendTo returns.
            Volatile.Write(ref _sent, seq + 1);
            try { _socket.SendTo(packet, endpoint); }
            catch (SocketException) { /* no route while an address moves: counts as unanswered */ }
        }
    }

    private void BuildEcho(byte[] p, int seq)
    {
        Array.Clear(p);
        p[0] = _target.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)128 : (byte)8;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), _id);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), (ushort)seq);
        // The kernel fills the ICMPv6 checksum; ICMPv4's is ours.
        if (p[0] == 8) BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), Checksum(p));
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }

    private void ReceiveLoop()
    {
        var buf = new byte[2048];
        var v6 = _target.AddressFamily == AddressFamily.InterNetworkV6;
        EndPoint from = new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stopReceiving)
        {
            int n;
            try { n = _socket!.ReceiveFrom(buf, ref from); }
            catch (SocketException) { continue; }
            catch (ObjectDisposedException) { return; }
            if (!((IPEndPoint)from).Address.Equals(_target)) continue;
            // Raw IPv4 sockets deliver the IP header, raw ICMPv6 sockets do not.
            var off = v6 ? 0 : (buf[0] & 0x0f) * 4;
            if (n < off + 8 || buf[off] != (v6 ? 129 : 0)) continue;
            if (BinaryPrimitives.ReadUInt16BigEndian(buf.AsSpan(off + 4)) != _id) continue;
            var seq16 = BinaryPrimitives.ReadUInt16BigEndian(buf.AsSpan(off + 6));
            if (seq16 >= Volatile.Read(ref _sent)) continue;
            // Late or not, a reply says the VIP answers again (what WaitForReplyAfterAsync waits for).
            if (Stopwatch.GetElapsedTime(_sentAt[seq16]) <= LateLimit) _answered[seq16] = true;
            int prev;
            do prev = Volatile.Read(ref _lastAnswered);
            while (seq16 > prev && Interlocked.CompareExchange(ref _lastAnswered, seq16, prev) != prev);
        }
    }

    /// <summary>Stops sending, lets late replies arrive for <paramref name="grace"/>, and returns the record.</summary>
    public ProbeResult Stop(TimeSpan? grace = null)
    {
        _stopSending = true;
        _sender.Join();
        if (_receiver.IsAlive)
        {
            // Requests still in flight get until the grace deadline to be answered.
            var deadline = Stopwatch.StartNew();
            var limit = grace ?? TimeSpan.FromMilliseconds(300);
            while (LastAnsweredSeq < SentCount - 1 && deadline.Elapsed < limit) Thread.Sleep(5);
            _stopReceiving = true;
            _receiver.Join();
        }
        var sent = SentCount;
        return new ProbeResult(_interval, _answered.Take(sent).ToArray()) { MaxLateMs = _maxLate.TotalMilliseconds };
    }

    public void Dispose()
    {
        _stopSending = true;
        _stopReceiving = true;
        if (_sender.IsAlive) _sender.Join();
        if (_receiver.IsAlive) _receiver.Join();
        _socket?.Dispose();
        _ready.Dispose();
    }
}
