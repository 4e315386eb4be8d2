using System.Diagnostics;
using Router.Core.Leases;

namespace Router.Store;

/// <summary>
/// Lease replication with one peer router, both directions at once (no fixed sender or receiver, whichever is
/// MASTER). Each side streams its own change log to the other: when a path comes up, each side sends a
/// <see cref="LeaseSyncRequest"/> with its committed cursor into the other's log, and the other answers with
/// pages from there, one page in flight, the next after the ack. Once caught up the same stream carries every new
/// change as it is written (the push), so catch-up and live updates are one mechanism and a peer back after hours
/// reads bounded pages. A receiver applies a page (merge rule per row) and moves its cursor in one transaction,
/// then acks. Rows a router applies enter its own change log, so a third router hears them through it: any
/// connected chain of routers converges, and a row coming back to a router that has it loses the merge (equal
/// stamp and origin) and stops there. Not thread-safe: the daemon's loop owns it.
/// </summary>
public sealed class LeaseReplicator
{
    public const int DefaultPageSize = 256;
    /// <summary>Below the peer channel's 256 KiB frame limit, with room for the frame's own fields.</summary>
    public const int MaxPageBytes = 192 * 1024;
    /// <summary>A page unacknowledged this long (its path died while another stayed up) is sent again.</summary>
    public static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(5);

    private readonly LeaseStore _store;
    private readonly HybridClock _clock;
    private readonly Func<ushort, byte[], bool> _send;
    private readonly Action<string> _info;
    private readonly Action<string> _warn;
    private readonly int _pageSize;

    private string? _peer;
    private bool _connected;
    // Sending our log: the stream the peer asked for.
    private ulong? _outSession;
    /// <summary>The peer continues from a cursor into this store, so it holds its own rows: they are not sent back.
    /// After a full request (its store was rebuilt) it gets them too.</summary>
    private bool _skipPeerRows;
    private long _sentTo;
    private long _ackedTo;
    private (long From, long To, TimeSpan At)? _inFlight;
    private TimeSpan? _lastAckAt;
    // Receiving the peer's log: the stream we asked for.
    private ulong _inSession;
    private bool _caughtUp;
    private long _catchUpRows;
    private string? _lastError;
    private long _rowsSent, _rowsReceived, _rowsApplied, _refusedMessages;
    private double _lastApplyMs, _maxApplyMs;

    /// <param name="send">puts one message on the peer channel; false when it could not be queued</param>
    public LeaseReplicator(LeaseStore store, HybridClock clock, Func<ushort, byte[], bool> send,
        Action<string> info, Action<string> warn, int pageSize = DefaultPageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        _store = store;
        _clock = clock;
        _send = send;
        _info = info;
        _warn = warn;
        _pageSize = pageSize;
    }

    /// <summary>The answer to our latest request is complete: this store holds everything the peer had then.</summary>
    public bool CaughtUp => _caughtUp;

    public bool Connected => _connected;

    /// <summary>When an unacknowledged page is due to be sent again; null when none is in flight.</summary>
    public TimeSpan? NextDeadline => _inFlight is { } f ? f.At + AckTimeout : null;

    /// <summary>A path to the peer came up (again): ask for what we lack. Repeats are harmless (a new stream).</summary>
    public void OnConnected(string peerNode, TimeSpan now)
    {
        _peer = peerNode;
        _connected = true;
        _caughtUp = false;
        _catchUpRows = 0;
        _inSession = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        var cursor = _store.GetPeerCursor(peerNode);
        if (cursor is null)
            _info($"lease sync with {peerNode}: nothing received from it yet (new or rebuilt store): asking for all its leases");
        Send(new LeaseSyncRequest(_inSession, cursor?.StoreId, cursor?.Seq ?? 0));
    }

    /// <summary>Every path to the peer is down: streams end; the next OnConnected starts new ones from the cursors.</summary>
    public void OnDisconnected()
    {
        _connected = false;
        _caughtUp = false;
        _outSession = null;
        _inFlight = null;
    }

    /// <summary>A row was written to the store here (dnsmasq event): push it if the stream is idle.</summary>
    public void OnLocalChange(TimeSpan now) => SendNext(now, force: false);

    public void OnTimer(TimeSpan now)
    {
        if (_inFlight is not { } f || now < f.At + AckTimeout) return;
        _warn($"lease sync with {_peer}: no ack for changes {f.From}..{f.To} after {AckTimeout.TotalSeconds:0} s, sending again");
        _inFlight = null;
        _sentTo = _ackedTo;
        SendNext(now, force: true);
    }

    /// <summary>
    /// A lease message (type 0x02xx) from the peer. Never throws for what the peer sent. Returns how many rows it
    /// stored: those are new changes in this store, so the owner calls OnLocalChange on its other replicators (relay).
    /// </summary>
    public int OnMessage(ushort type, ReadOnlySpan<byte> payload, TimeSpan now)
    {
        if (LeaseSyncCodec.Decode(type, payload, out var error) is not { } message)
        {
            _refusedMessages++;
            // Said once per connection: a newer peer repeats the same refusal on every resend.
            if (_lastError != error) _warn($"lease sync with {_peer}: {error}");
            _lastError = error;
            return 0;
        }
        switch (message)
        {
            case LeaseSyncRequest r:
                OnRequest(r, now);
                return 0;
            case LeaseSyncPage p:
                return OnPage(p);
            case LeaseSyncAck a:
                OnAck(a, now);
                return 0;
            default:
                return 0;
        }
    }

    private void OnRequest(LeaseSyncRequest r, TimeSpan now)
    {
        var ours = _store.StoreId;
        var last = _store.LastSeq;
        // A cursor into another store (ours was rebuilt) or past our end is void: the peer gets everything.
        _skipPeerRows = r.StoreId == ours && r.AfterSeq <= last;
        var start = _skipPeerRows ? r.AfterSeq : 0;
        if (start == 0 && r.StoreId is not null)
            _info($"lease sync with {_peer}: its cursor names {(r.StoreId == ours ? "a point past our log" : "a store we no longer have")}: sending all our leases");
        _outSession = r.Session;
        _sentTo = _ackedTo = start;
        _inFlight = null;
        // Always answer, even with nothing: the peer learns it is caught up.
        SendNext(now, force: true);
    }

    private void SendNext(TimeSpan now, bool force)
    {
        if (_outSession is not { } session || _inFlight is not null) return;
        LeaseSyncPage message;
        byte[] bytes;
        var limit = _pageSize;
        while (true)
        {
            var page = _store.ChangesSince(new LeaseCursor(_sentTo), limit);
            if (page.Rows.Count == 0 && !force) return;
            var rows = _skipPeerRows ? page.Rows.Where(r => r.Origin != _peer).ToList() : page.Rows.ToList();
            if (rows.Count == 0 && !page.More && !force)
            {
                _sentTo = page.Next.Seq;
                return;
            }
            message = new LeaseSyncPage(session, _store.StoreId, _sentTo, page.Next.Seq, page.More, rows);
            bytes = LeaseSyncCodec.Encode(message);
            // Long hostnames and client ids can make 256 rows exceed the channel's frame limit: fewer rows then.
            if (bytes.Length <= MaxPageBytes || limit == 1) break;
            limit /= 2;
        }
        if (!_send(LeaseMessageTypes.Page, bytes))
        {
            // The connection is gone or choking: the peer asks again when a path comes back up.
            _outSession = null;
            return;
        }
        _inFlight = (_sentTo, message.ToSeq, now);
        _sentTo = message.ToSeq;
        _rowsSent += message.Rows.Count;
    }

    private void OnAck(LeaseSyncAck a, TimeSpan now)
    {
        if (a.Session != _outSession || _inFlight is not { } f || a.ToSeq != f.To) return; // from an earlier stream
        _inFlight = null;
        _ackedTo = a.ToSeq;
        _lastAckAt = now;
        SendNext(now, force: false);
    }

    private int OnPage(LeaseSyncPage p)
    {
        if (p.Session != _inSession || _peer is null) return 0; // a stream we have since replaced
        var before = _store.GetPeerCursor(_peer);
        if (before is not null && before.StoreId != p.StoreId)
            _info($"lease sync with {_peer}: its store is new (rebuilt or replaced): taking all its leases again");
        var sw = Stopwatch.StartNew();
        var applied = _store.ApplyPage(p.Rows, _peer, new PeerCursor(p.StoreId, p.ToSeq));
        _lastApplyMs = sw.Elapsed.TotalMilliseconds;
        _maxApplyMs = Math.Max(_maxApplyMs, _lastApplyMs);
        foreach (var row in p.Rows) _clock.Observe(row.Stamp);
        _rowsReceived += p.Rows.Count;
        _rowsApplied += applied;
        _catchUpRows += applied;
        _lastError = null;
        Send(new LeaseSyncAck(p.Session, p.StoreId, p.ToSeq));
        if (!p.More && !_caughtUp)
        {
            _caughtUp = true;
            _info($"lease sync with {_peer}: caught up ({_catchUpRows} change(s) applied)");
        }
        return applied;
    }

    private bool Send(LeaseSyncMessage m) => _send(LeaseSyncCodec.TypeOf(m), LeaseSyncCodec.Encode(m));

    public LeaseReplicationStatus Status(TimeSpan now)
    {
        var cursor = _peer is null ? null : _store.GetPeerCursor(_peer);
        return new LeaseReplicationStatus(_peer, _connected, _caughtUp, _ackedTo, _store.LastSeq,
            _store.CountChangesAfter(_ackedTo, _peer), _lastAckAt is { } at ? now - at : null,
            cursor?.Seq, _rowsSent, _rowsReceived, _rowsApplied, _refusedMessages, _lastApplyMs, _maxApplyMs, _lastError);
    }
}

/// <summary>
/// Replication with one peer for `routerha status`. AckedSeq/LastSeq: how far the peer has committed our change
/// log; Pending: our changes it still lacks; ReceivedSeq: how far we have committed its log.
/// </summary>
public sealed record LeaseReplicationStatus(string? Peer, bool Connected, bool CaughtUp, long AckedSeq, long LastSeq, long Pending,
    TimeSpan? LastAckAgo, long? ReceivedSeq, long RowsSent, long RowsReceived, long RowsApplied, long RefusedMessages,
    double LastApplyMs, double MaxApplyMs, string? LastError);
