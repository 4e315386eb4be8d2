using System.Net;
using System.Net.Sockets;
using Router.Core.Text;

namespace Router.Peers;

/// <summary>
/// The authenticated channel to one peer router over one or more paths. Both routers listen and connect on every
/// path; when both connections of a path come up, the one opened by the lower node id (ordinal) is kept, on both
/// sides alike. Everything is reported through the callback given here, from pool threads, in order per path:
/// the callback must be quick, thread-safe and must not throw (the daemon posts into its event loop).
/// Sending never blocks: frames go to a bounded queue per connection (see <see cref="PeerSendResult"/>).
/// Delivery is best effort: a frame queued on a connection that drops is lost, so owners resend their state on
/// <see cref="PeerPathUp"/> (raised on every new connection of a path, also when one replaces another) and rely
/// on acknowledgements for anything that must arrive.
/// </summary>
public sealed class PeerChannel : IPeerChannel
{
    /// <summary>The kernel's queue of connections not yet accepted; ours closes strangers at once, so it rarely fills.</summary>
    private const int ListenBacklog = 64;

    private readonly PeerChannelOptions _o;
    private readonly Action<PeerEvent> _emit;
    private readonly PathState[] _paths;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly RefusalLimiter _limiter;
    private readonly long _created;
    private bool _started;

    public PeerChannel(PeerChannelOptions options, Action<PeerEvent> onEvent)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onEvent);
        if (options.Paths.Count == 0) throw new ArgumentException("at least one path", nameof(options));
        if (options.Paths.Select(p => p.Name).Distinct().Count() != options.Paths.Count)
            throw new ArgumentException("path names must be unique", nameof(options));
        if (options.Paths.FirstOrDefault(p => p.Listen is null && p.Remote is null) is { } idle)
            throw new ArgumentException($"path '{idle.Name}' neither listens nor connects", nameof(options));
        if (options.Paths.FirstOrDefault(p => p.Listen is not null && p.Peer is null) is { } open)
            throw new ArgumentException($"path '{open.Name}' listens but names no peer address to accept", nameof(options));
        _o = options;
        _emit = onEvent;
        _limiter = new RefusalLimiter(options.RefusalReportPeriod);
        _created = options.Clock.GetTimestamp();
        _paths = options.Paths.Select(p => new PathState(p)).ToArray();
    }

    /// <summary>Binds every listener (throws if an address cannot be bound) and starts connecting.</summary>
    public void Start()
    {
        if (_started) throw new InvalidOperationException("already started");
        _started = true;
        foreach (var path in _paths)
        {
            if (path.Config.Listen is { } listen)
            {
                var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(listen);
                listener.Listen(ListenBacklog);
                _listeners.Add(listener);
                _loops.Add(Task.Run(() => AcceptLoop(path, listener)));
            }
            if (path.Config.Remote is not null)
                _loops.Add(Task.Run(() => ConnectLoop(path)));
        }
    }

    /// <summary>The local end of each listener, in path order (after Start), e.g. to learn a port chosen by the system.</summary>
    public IReadOnlyList<IPEndPoint> ListenEndPoints => _listeners.Select(l => (IPEndPoint)l.LocalEndPoint!).ToList();

    /// <summary>Sends on the first path (in configured order) that is up.</summary>
    public PeerSendResult Send(ushort type, ReadOnlySpan<byte> payload)
    {
        if (Precheck(type, payload.Length) is { } refused) return refused;
        foreach (var path in _paths)
            if (path.Active is { } s && !s.Ended.IsCompleted)
                return s.TrySend(type, payload);
        return PeerSendResult.NotConnected;
    }

    /// <summary>Sends on this path only (e.g. a reply on the path the request came on).</summary>
    public PeerSendResult Send(string path, ushort type, ReadOnlySpan<byte> payload)
    {
        if (Precheck(type, payload.Length) is { } refused) return refused;
        var p = _paths.FirstOrDefault(x => x.Config.Name == path) ?? throw new ArgumentException($"no path '{path}'", nameof(path));
        return p.Active is { } s && !s.Ended.IsCompleted ? s.TrySend(type, payload) : PeerSendResult.NotConnected;
    }

    public IReadOnlyList<PeerPathStatus> Status()
    {
        var list = new List<PeerPathStatus>(_paths.Length);
        foreach (var p in _paths)
        {
            lock (p)
            {
                var s = p.Active;
                var heard = s?.LastHeardTimestamp ?? p.LastHeard;
                list.Add(new PeerPathStatus(p.Config.Name, s is not null, Clean(s?.PeerNodeId ?? p.PeerNodeId), Clean(s?.PeerSoftwareVersion),
                    s?.Remote, s?.Outbound ?? false, heard == 0 ? null : _o.Clock.GetElapsedTime(heard), p.LastError)
                {
                    Refusals = Refusals(p.RefusalCounts),
                });
            }
        }
        return list;
    }

    /// <summary>The kinds refused at least once, with their counts. A loop, not LINQ over the enum (binary size:
    /// toolchain/README.md, "Size options").</summary>
    private static Dictionary<PeerRefusal, long> Refusals(long[] counts)
    {
        var refusals = new Dictionary<PeerRefusal, long>();
        foreach (var kind in Enum.GetValues<PeerRefusal>())
        {
            var n = Interlocked.Read(ref counts[(int)kind]);
            if (n > 0) refusals[kind] = n;
        }
        return refusals;
    }

    /// <summary>Says goodbye on every connection (the peer reports PeerStopped), stops listening and connecting.
    /// No event is raised once this returns.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        foreach (var l in _listeners) l.Dispose();
        var drains = new List<Task>();
        foreach (var p in _paths)
        {
            PeerSession? s;
            lock (p) { s = p.Active; p.Active = null; }
            if (s is null) continue;
            s.Close(PeerDownCause.Stopped, "stopping", PeerProtocol.GoodbyeStopping);
            drains.Add(s.Drained);
        }
        try
        {
            await Task.WhenAll(_loops.Concat(drains)).WaitAsync(_o.HandshakeTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A peer that does not read its goodbye: its socket is dropped by the session's own deadline.
        }
    }

    private PeerSendResult? Precheck(ushort type, int length)
    {
        CheckType(type);
        return length > _o.MaxPayloadBytes ? PeerSendResult.TooLarge : null;
    }

    private static void CheckType(ushort type)
    {
        if (type < PeerProtocol.FirstMessageType)
            throw new ArgumentOutOfRangeException(nameof(type), $"message types start at 0x{PeerProtocol.FirstMessageType:x4}");
    }

    private async Task ConnectLoop(PathState path)
    {
        var backoff = _o.ReconnectInitial;
        var ct = _stop.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // A connection the peer opened is kept only until ours is up: the lower node id owns the path's
                // connection, so both ends converge on the same one whichever side connected first.
                if (path.Active is { } active && (active.Outbound || string.CompareOrdinal(_o.NodeId, active.PeerNodeId) >= 0))
                {
                    await path.Changed.WaitAsync(ct).ConfigureAwait(false);
                    continue;
                }
                if (await TryConnect(path).ConfigureAwait(false))
                {
                    backoff = _o.ReconnectInitial;
                    continue;
                }
                // Jitter keeps two routers that failed together from retrying in lockstep.
                var wait = backoff * (1 + Random.Shared.NextDouble() * 0.2);
                using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    // Whichever finishes first cancels the other, so no stray waiter swallows a later Release.
                    await Task.WhenAny(Task.Delay(wait, _o.Clock, waiting.Token), path.Changed.WaitAsync(waiting.Token)).ConfigureAwait(false);
                    waiting.Cancel();
                }
                ct.ThrowIfCancellationRequested();
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _o.ReconnectMax.Ticks));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task<bool> TryConnect(PathState path)
    {
        var remote = path.Config.Remote!;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        cts.CancelAfter(_o.HandshakeTimeout);
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (path.Config.LocalBind is { } bind) socket.Bind(new IPEndPoint(bind, 0));
            await socket.ConnectAsync(remote, cts.Token).ConfigureAwait(false);
            var outcome = await PeerHandshake.InitiateAsync(socket, _o, path.Config, s => Adopt(path, s), cts.Token).ConfigureAwait(false);
            if (outcome.Session is not null) return true;
            socket.Dispose();
            Refused(path, outcome.Refusal!);
            return false;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or PeerProtocolException or ObjectDisposedException)
        {
            socket.Dispose();
            if (!_stop.IsCancellationRequested)
                lock (path) path.LastError = e is OperationCanceledException ? $"handshake with {remote} timed out" : Clean($"{remote}: {e.Message}");
            return false;
        }
    }

    private async Task AcceptLoop(PathState path, Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }
            var remote = socket.RemoteEndPoint as IPEndPoint;
            if (remote is null || !SameAddress(remote.Address, path.Config.Peer!))
            {
                // Nothing is read from a stranger and nothing is sent: a reset, no handshake, no HMAC, no slot.
                Drop(socket);
                Refused(path, new PeerRefused(path.Config.Name, remote, null, PeerRefusal.NotPeerAddress, false,
                    $"connection from {remote?.Address.ToString() ?? "?"}, which is not this path's peer address {path.Config.Peer}"));
                continue;
            }
            socket.NoDelay = true;
            var pending = new Pending(socket);
            Pending? evicted = null;
            lock (path)
            {
                path.PendingInbound.AddLast(pending);
                if (path.PendingInbound.Count > _o.MaxPendingPerSource)
                {
                    evicted = path.PendingInbound.First!.Value;
                    path.PendingInbound.RemoveFirst();
                }
            }
            evicted?.Evict();
            _ = Task.Run(() => Respond(path, pending));
        }
    }

    private async Task Respond(PathState path, Pending pending)
    {
        var socket = pending.Socket;
        var remote = socket.RemoteEndPoint;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, pending.Evicted.Token);
        cts.CancelAfter(_o.HandshakeTimeout);
        using var firstFrame = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        firstFrame.CancelAfter(_o.FirstFrameTimeout);
        try
        {
            var outcome = await PeerHandshake.RespondAsync(socket, _o, path.Config, s => Adopt(path, s), firstFrame.Token, cts.Token).ConfigureAwait(false);
            if (outcome.Session is not null) return;
            socket.Dispose();
            Refused(path, outcome.Refusal!);
        }
        catch (PeerProtocolException e)
        {
            socket.Dispose();
            Refused(path, new PeerRefused(path.Config.Name, remote, null, PeerRefusal.Malformed, false, e.Message));
        }
        catch (OperationCanceledException)
        {
            Drop(socket);
            if (_stop.IsCancellationRequested) return;
            Refused(path, pending.Evicted.IsCancellationRequested
                ? new PeerRefused(path.Config.Name, remote, null, PeerRefusal.TooManyConnections, false,
                    $"{remote}: handshake dropped, more than {_o.MaxPendingPerSource} in progress from that address")
                : new PeerRefused(path.Config.Name, remote, null, PeerRefusal.Timeout, false,
                    $"{remote} did not finish the handshake in time (hello within {_o.FirstFrameTimeout.TotalSeconds:0.#} s, all within {_o.HandshakeTimeout.TotalSeconds:0.#} s)"));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            socket.Dispose();
        }
        finally
        {
            lock (path) path.PendingInbound.Remove(pending);
            pending.Dispose();
        }
    }

    /// <summary>Closes with a reset: no FIN handshake to wait through and no TIME_WAIT left behind on our side.</summary>
    private static void Drop(Socket socket)
    {
        try { socket.LingerState = new LingerOption(true, 0); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { /* already gone */ }
        socket.Dispose();
    }

    private static bool SameAddress(IPAddress a, IPAddress b)
    {
        if (a.IsIPv4MappedToIPv6) a = a.MapToIPv4();
        if (b.IsIPv4MappedToIPv6) b = b.MapToIPv4();
        return a.AddressFamily == b.AddressFamily && a.GetAddressBytes().AsSpan().SequenceEqual(b.GetAddressBytes());
    }

    /// <summary>Every refusal is counted; one per source and period is raised (a flood must not flood the owner's loop or
    /// log). The strings came partly from whoever connected: cleaned before they leave the channel.</summary>
    private void Refused(PathState path, PeerRefused refusal)
    {
        if (_stop.IsCancellationRequested) return;
        Interlocked.Increment(ref path.RefusalCounts[(int)refusal.Kind]);
        var clean = refusal with { PeerNodeId = Clean(refusal.PeerNodeId), Reason = Clean(refusal.Reason)! };
        // A stranger's connection says nothing about the peer: it must not hide why the peer's own attempts failed.
        if (refusal.Kind != PeerRefusal.NotPeerAddress)
            lock (path) path.LastError = clean.Reason;
        // What the peer refused of ours follows our own connect backoff; only what others start is limited.
        long held = 0;
        if (!refusal.ByPeer)
            lock (_limiter)
                if (!_limiter.Admit((refusal.Remote as IPEndPoint)?.Address, _o.Clock.GetElapsedTime(_created), out held))
                    return;
        _emit(clean with { Suppressed = held });
    }

    private static string? Clean(string? text) => SafeText.Clean(text);

    /// <summary>Makes an authenticated session the path's connection, or closes it when the path's current one wins.</summary>
    private void Adopt(PathState path, PeerSession session)
    {
        PeerSession? loser;
        lock (path)
        {
            if (_stop.IsCancellationRequested)
                loser = session;
            else if (path.Active is { } existing && !existing.Ended.IsCompleted && !Wins(session, existing))
                loser = session;
            else
            {
                loser = path.Active;
                path.Active = session;
                path.PeerNodeId = session.PeerNodeId;
                path.LastError = null;
                path.Up = true;
                // Under the lock, so Up and Down of one path reach the owner in the order they happened.
                _emit(new PeerPathUp(path.Config.Name, Clean(session.PeerNodeId)!, Clean(session.PeerSoftwareVersion)!, session.Remote, session.Outbound));
            }
        }
        loser?.Close(PeerDownCause.Closed, "duplicate connection", PeerProtocol.GoodbyeSuperseded);
        session.Start(e =>
        {
            if (!_stop.IsCancellationRequested) _emit(e);
        });
        if (loser != session) _ = Watch(path, session);
    }

    /// <summary>The connection opened by the lower node id wins; between two opened by the same side, the newer.</summary>
    private bool Wins(PeerSession candidate, PeerSession existing)
    {
        var a = candidate.Outbound ? _o.NodeId : candidate.PeerNodeId;
        var b = existing.Outbound ? _o.NodeId : existing.PeerNodeId;
        return a == b || string.CompareOrdinal(a, b) < 0;
    }

    private async Task Watch(PathState path, PeerSession session)
    {
        var (cause, reason) = await session.Ended.ConfigureAwait(false);
        lock (path)
        {
            if (path.Active != session) return;
            path.Active = null;
            path.LastHeard = session.LastHeardTimestamp;
            path.Changed.Release();
            if (!session.Superseded) Down(path, cause, reason);
        }
        // The peer replaced this connection with one it opened; that one is normally adopted at once. Report the
        // path down only if it does not come.
        if (session.Superseded && !_stop.IsCancellationRequested)
        {
            await Task.Delay(_o.HandshakeTimeout, _o.Clock).ConfigureAwait(false);
            lock (path)
                if (path.Active is null) Down(path, cause, "the peer replaced the connection but the new one did not come up");
        }
    }

    /// <summary>Called under the path lock.</summary>
    private void Down(PathState path, PeerDownCause cause, string reason)
    {
        if (!path.Up || _stop.IsCancellationRequested) return;
        path.Up = false;
        _emit(new PeerPathDown(path.Config.Name, cause, reason));
    }

    /// <summary>An inbound connection in its handshake; evicting it cancels the handshake.</summary>
    private sealed class Pending(Socket socket) : IDisposable
    {
        public Socket Socket { get; } = socket;
        public CancellationTokenSource Evicted { get; } = new();

        public void Evict()
        {
            try { Evicted.Cancel(); }
            catch (ObjectDisposedException) { /* its handshake already ended */ }
        }

        public void Dispose() => Evicted.Dispose();
    }

    /// <summary>Mutable per-path state; every field is guarded by locking the instance.</summary>
    private sealed class PathState(PeerPath config)
    {
        public PeerPath Config { get; } = config;
        public PeerSession? Active;
        /// <summary>Whether the owner was last told Up (so Down is reported once).</summary>
        public bool Up;
        public string? PeerNodeId;
        public long LastHeard;
        public string? LastError;
        /// <summary>Inbound handshakes in progress, oldest first.</summary>
        public readonly LinkedList<Pending> PendingInbound = new();
        /// <summary>Refusals by kind (indexed by the enum value), updated with Interlocked.</summary>
        public readonly long[] RefusalCounts = new long[Enum.GetValues<PeerRefusal>().Length];
        /// <summary>Released when the path loses its connection, to wake the connect loop.</summary>
        public SemaphoreSlim Changed { get; } = new(0, int.MaxValue);
    }
}
