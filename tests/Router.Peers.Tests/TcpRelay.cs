using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Router.Peers.Tests;

/// <summary>
/// A man in the middle for one path: accepts the connecting router's connection and forwards it to the listening
/// router, frame by frame (it reads the length prefixes), so a test can drop, alter, repeat, reorder or inject frames
/// going to the listener, freeze the path, or cut it.
/// </summary>
internal sealed class TcpRelay : IDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _frozen;
    private volatile bool _stalled;
    private volatile Socket? _newest;

    public TcpRelay(IPEndPoint target)
    {
        _target = target;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(8);
        _ = Task.Run(AcceptLoop);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Rewrites each whole frame (length prefix included) on its way to the listener; returns the frames to send instead.</summary>
    public Func<byte[], IEnumerable<byte[]>> ToListener { get; set; } = f => [f];

    /// <summary>Every frame the listener sent, in order.</summary>
    public ConcurrentQueue<byte[]> FromListener { get; } = new();

    /// <summary>Pushes a frame to the listener on the newest connection (e.g. one the listener itself sent: a reflection).</summary>
    public void Inject(byte[] frame)
    {
        var to = _newest ?? throw new InvalidOperationException("no connection");
        lock (to) to.Send(frame);
    }

    public static ushort TypeOf(byte[] frame) => BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(4));

    /// <summary>Stops forwarding anything, closes included: the path goes silent.</summary>
    public void Freeze() => _frozen = true;

    /// <summary>Stops reading from the connecting router: its socket buffers fill and its writes block.</summary>
    public void Stall() => _stalled = true;

    /// <summary>Closes every connection and stops accepting: the path is cut.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (var s in _sockets) s.Dispose();
    }

    private async Task AcceptLoop()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                _sockets.Add(client);
                _sockets.Add(server);
                await server.ConnectAsync(_target, _stop.Token);
                _ = Task.Run(() => Pump(client, server, toListener: true));
                _ = Task.Run(() => Pump(server, client, toListener: false));
                _newest = server;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task Pump(Socket from, Socket to, bool toListener)
    {
        var stream = new NetworkStream(from);
        try
        {
            while (true)
            {
                if (_stalled && toListener) await Task.Delay(Timeout.Infinite, _stop.Token);
                var head = new byte[4];
                await stream.ReadExactlyAsync(head, _stop.Token);
                var frame = new byte[4 + BinaryPrimitives.ReadUInt32BigEndian(head)];
                head.CopyTo(frame, 0);
                await stream.ReadExactlyAsync(frame.AsMemory(4), _stop.Token);
                if (_frozen) continue;
                if (!toListener)
                {
                    FromListener.Enqueue(frame);
                    await to.SendAsync(frame, _stop.Token);
                    continue;
                }
                foreach (var f in ToListener(frame))
                    lock (to) to.Send(f);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
            from.Dispose();
            // A frozen path is a black hole: a router that gives up on it and closes must not tell the other end.
            if (!_frozen) to.Dispose();
        }
    }
}
