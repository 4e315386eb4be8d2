using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Router.Peers;

public enum PeerSendResult
{
    Queued,
    /// <summary>No authenticated connection on the path (or on any path).</summary>
    NotConnected,
    /// <summary>The connection's queue was full: the message is dropped and the connection closed (SendQueueFull).</summary>
    QueueFull,
    /// <summary>The payload exceeds MaxPayloadBytes; nothing was sent.</summary>
    TooLarge,
}

/// <summary>
/// One authenticated TCP connection. Frames are sealed when queued (so their sequence order is the queue order) and
/// written by one writer task; one reader task checks and dispatches incoming frames; a ticker sends heartbeats and
/// closes the connection when the peer has been silent for the dead interval. The first fault ends the session.
/// </summary>
internal sealed class PeerSession : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PeerChannelOptions _o;
    private readonly FrameAuthenticator _send;
    private readonly FrameAuthenticator _receive;
    private readonly Channel<byte[]> _queue;
    private readonly object _sendLock = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<(PeerDownCause Cause, string Reason)> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastHeard;
    private int _disposed;

    public PeerSession(Socket socket, NetworkStream stream, PeerChannelOptions options, string path, string peerNodeId,
        string peerVersion, IPEndPoint remote, bool outbound, FrameAuthenticator send, FrameAuthenticator receive)
    {
        _socket = socket;
        _stream = stream;
        _o = options;
        _send = send;
        _receive = receive;
        Path = path;
        PeerNodeId = peerNodeId;
        PeerSoftwareVersion = peerVersion;
        Remote = remote;
        Outbound = outbound;
        _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.SendQueueFrames)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _lastHeard = options.Clock.GetTimestamp();
    }

    public string Path { get; }
    public string PeerNodeId { get; }
    public string PeerSoftwareVersion { get; }
    public IPEndPoint Remote { get; }
    public bool Outbound { get; }
    /// <summary>The peer said it closed this connection because another one replaced it.</summary>
    public bool Superseded { get; private set; }
    public long LastHeardTimestamp => Interlocked.Read(ref _lastHeard);
    public Task<(PeerDownCause Cause, string Reason)> Ended => _ended.Task;
    /// <summary>Completes when the writer stopped (after a goodbye: when it was written or the wait timed out).</summary>
    public Task Drained { get; private set; } = Task.CompletedTask;

    /// <summary>Checks the responder's first authenticated frame during the handshake ("ready").</summary>
    public void AcceptReady(ushort type, byte[] body)
    {
        _receive.Open(type, body);
        if (type != PeerProtocol.Heartbeat) throw new PeerProtocolException($"expected the peer's ready heartbeat, got frame type {type}");
        Interlocked.Exchange(ref _lastHeard, _o.Clock.GetTimestamp());
    }

    /// <summary>Starts the reader, writer and ticker; the first heartbeat goes out at once (the responder's "ready").</summary>
    public void Start(Action<PeerEvent> emit)
    {
        TrySend(PeerProtocol.Heartbeat, []);
        Drained = Task.Run(WriteLoop);
        _ = Task.Run(() => ReadLoop(emit));
        _ = Task.Run(Ticker);
    }

    public PeerSendResult TrySend(ushort type, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > _o.MaxPayloadBytes) return PeerSendResult.TooLarge;
        lock (_sendLock)
        {
            if (_ended.Task.IsCompleted) return PeerSendResult.NotConnected;
            if (_queue.Writer.TryWrite(_send.Seal(type, payload))) return PeerSendResult.Queued;
        }
        End(PeerDownCause.SendQueueFull, $"send queue full ({_o.SendQueueFrames} frames): the peer is not reading");
        return PeerSendResult.QueueFull;
    }

    /// <summary>Ends the session. With a goodbye, the queued frames and the goodbye are written first (bounded by
    /// the handshake timeout), so the peer learns why; without, the socket is dropped at once.</summary>
    public void Close(PeerDownCause cause, string reason, byte? goodbye = null)
    {
        if (goodbye is { } g)
        {
            lock (_sendLock)
            {
                if (!_ended.Task.IsCompleted) _queue.Writer.TryWrite(_send.Seal(PeerProtocol.Goodbye, [g]));
                _queue.Writer.TryComplete();
            }
            if (_ended.TrySetResult((cause, reason))) _cts.CancelAfter(_o.HandshakeTimeout);
            return;
        }
        End(cause, reason);
    }

    private void End(PeerDownCause cause, string reason)
    {
        if (!_ended.TrySetResult((cause, reason))) return;
        _queue.Writer.TryComplete();
        Dispose();
    }

    private async Task WriteLoop()
    {
        try
        {
            await foreach (var frame in _queue.Reader.ReadAllAsync(_cts.Token).ConfigureAwait(false))
                await _stream.WriteAsync(frame, _cts.Token).ConfigureAwait(false);
            // Completed after a goodbye: everything is written, let the peer see the close.
            _socket.Shutdown(SocketShutdown.Send);
            Dispose();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            End(PeerDownCause.Closed, $"write failed: {e.Message}");
        }
    }

    private async Task ReadLoop(Action<PeerEvent> emit)
    {
        var max = 2 + PeerProtocol.SequenceBytes + _o.MaxPayloadBytes + PeerProtocol.MacBytes;
        try
        {
            while (true)
            {
                var (type, body) = await PeerProtocol.ReadFrameAsync(_stream, max, _cts.Token).ConfigureAwait(false);
                var payload = _receive.Open(type, body);
                Interlocked.Exchange(ref _lastHeard, _o.Clock.GetTimestamp());
                switch (type)
                {
                    case PeerProtocol.Heartbeat:
                        emit(new PeerHeartbeat(Path));
                        break;
                    case PeerProtocol.Goodbye:
                        Superseded = payload.Length > 0 && payload.Span[0] == PeerProtocol.GoodbyeSuperseded;
                        End(PeerDownCause.PeerStopped, Superseded ? "replaced by another connection" : "the peer is stopping");
                        return;
                    case >= PeerProtocol.FirstMessageType:
                        emit(new PeerMessage(Path, type, payload));
                        break;
                    default:
                        throw new PeerProtocolException($"unexpected frame type {type} after the handshake");
                }
            }
        }
        catch (PeerProtocolException e)
        {
            End(PeerDownCause.BadFrame, e.Message);
        }
        catch (EndOfStreamException)
        {
            End(PeerDownCause.Closed, "connection closed by the peer");
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            End(PeerDownCause.Closed, $"read failed: {e.Message}");
        }
    }

    private async Task Ticker()
    {
        var tick = TimeSpan.FromTicks(Math.Min(_o.HeartbeatInterval.Ticks, _o.DeadInterval.Ticks) / 4);
        var nextBeat = _o.Clock.GetTimestamp();
        try
        {
            while (!_ended.Task.IsCompleted)
            {
                await Task.Delay(tick, _o.Clock, _cts.Token).ConfigureAwait(false);
                var silent = _o.Clock.GetElapsedTime(LastHeardTimestamp);
                if (silent >= _o.DeadInterval)
                {
                    End(PeerDownCause.Silent, $"nothing heard for {silent.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
                    return;
                }
                if (_o.Clock.GetElapsedTime(nextBeat) >= _o.HeartbeatInterval)
                {
                    nextBeat = _o.Clock.GetTimestamp();
                    TrySend(PeerProtocol.Heartbeat, []);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Session ended.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _ended.TrySetResult((PeerDownCause.Stopped, "closed"));
        _cts.Cancel();
        _socket.Dispose();
        lock (_sendLock) _send.Dispose();
        _receive.Dispose();
    }
}
