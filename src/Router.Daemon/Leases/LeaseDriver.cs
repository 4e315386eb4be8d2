using Router.Core.Config;
using Router.Core.Leases;
using Router.Daemon.Control;
using Router.Integrations.Logging;
using Router.Peers;
using Router.Store;

namespace Router.Daemon.Leases;

/// <summary>
/// The lease store on the loop: dnsmasq's dhcp-script calls in arrival order, replication with the peer, and the
/// hand-off of the merged set to DHCP when this router starts serving (the role plan's lease hook).
/// An event that comes at least commit_interval after the last commit is committed before dnsmasq gets its answer,
/// so at the pace of ordinary DHCP traffic a crash loses no lease dnsmasq was told is stored. Faster events (churn)
/// are taken into memory, answered at once and committed together when commit_interval has passed since the last
/// commit: at most one commit (one fsync) per interval, and a kill -9 loses at most that interval's events. A failed
/// commit is tried again after 1 s, doubling to 30 s: the loop never waits on the file for long (<see cref="LoopBusyMs"/>),
/// and what is not written yet is still what readers and dnsmasq see.
/// </summary>
internal sealed class LeaseDriver(LeaseBook? book, LeasesConfig? config, Log log, TimeProvider clock)
{
    /// <summary>The view's lease count is re-read at least this often, since leases also end by time alone.</summary>
    private static readonly TimeSpan CountRefresh = TimeSpan.FromSeconds(60);
    /// <summary>How long a write on the loop waits for a lock another process holds, before it is retried later.</summary>
    public const int LoopBusyMs = 5;
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);
    private readonly TimeSpan _commitInterval = TimeSpan.FromMilliseconds(config?.CommitIntervalMs ?? 500);
    private TimeSpan? _flushAt;
    private TimeSpan? _committedAt;
    private static readonly TimeSpan OverMaxRowsQuiet = TimeSpan.FromHours(1);
    private long _overMaxRowsSaid;
    private TimeSpan? _overMaxRowsAt;
    private TimeSpan _retry = FirstRetry;
    private LeaseReplicator? _sync;
    private int? _count;
    private TimeSpan _countAt;

    public bool Connected => _sync?.Connected == true;

    /// <summary>False when leases are not configured or the store did not open: events then have nowhere to go.</summary>
    public bool HasStore => book is not null;

    /// <summary>False while a connected peer is still sending what we lack.</summary>
    public bool CaughtUp => _sync is not { Connected: true, CaughtUp: false };

    /// <summary>Grows when the lease count readers see has changed (sync progress is in `status` only).</summary>
    public long Version { get; private set; }

    public TimeSpan? NextDeadline
    {
        get
        {
            var next = _sync?.NextDeadline;
            if (book is not null && (next is null || _countAt + CountRefresh < next)) next = _countAt + CountRefresh;
            if (_flushAt is { } f && (next is null || f < next)) next = f;
            return next;
        }
    }

    /// <summary>Active leases as last counted (null without a store, or when the store could not answer).</summary>
    public int? Count => _count;

    /// <summary>Replication rides the peer channel that fencing opened; both need the same peer.</summary>
    public void Attach(IPeerChannel? channel, TimeSpan now)
    {
        if (book is not null && channel is not null)
            _sync = book.CreateReplicator((type, payload) => channel.Send(type, payload) == PeerSendResult.Queued, log.Info, log.Warn);
        Recount(now);
    }

    /// <summary>A dhcp-script call forwarded by `routerha dhcp-script`.</summary>
    public ControlResponse OnLease(ControlRequest request, TimeSpan now)
    {
        if (book is null)
            return new ControlResponse(false, config is null
                ? "leases are not configured (no 'config leases' section)"
                : "the lease store is not open (see the log from startup)");
        var call = DhcpScriptParser.Parse(request.Args ?? [], request.Env ?? new Dictionary<string, string>(), clock.GetUtcNow());
        var (ok, output, error) = book.Handle(call, clock.GetUtcNow());
        if (call is DhcpLeaseEvent e)
        {
            log.Debug($"lease {e.Action.ToString().ToLowerInvariant()} {e.Mac} {e.Address} {e.Hostname ?? "*"}");
            if (ok)
            {
                _flushAt ??= _committedAt is { } last && now - last < _commitInterval ? last + _commitInterval : now;
                if (_flushAt <= now) Flush(now);
            }
        }
        if (!ok) log.Warn($"dhcp-script call refused: {error}");
        return ok ? new ControlResponse(true, Message: output) : new ControlResponse(false, error);
    }

    public void OnPeer(PeerEvent e, bool anyPathUp, TimeSpan now)
    {
        if (_sync is null) return;
        try
        {
            switch (e)
            {
                case PeerPathUp u:
                    _sync.OnConnected(u.PeerNodeId, now);
                    break;
                case PeerPathDown when !anyPathUp:
                    _sync.OnDisconnected();
                    break;
                case PeerMessage m when LeaseMessageTypes.IsLeaseType(m.Type):
                    if (_sync.OnMessage(m.Type, m.Payload.Span, now) > 0) Recount(now);
                    break;
                default:
                    return;
            }
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or LeaseStoreException or IOException)
        {
            // Nothing was acknowledged: the peer keeps the changes and sends them again after the ack timeout.
            log.Error($"lease sync: the store failed: {ex.Message}");
        }
    }

    public void OnTimer(TimeSpan now)
    {
        if (_flushAt is { } f && f <= now) Flush(now);
        if (_sync?.NextDeadline is { } d && d <= now) _sync.OnTimer(now);
        if (book is not null && _countAt + CountRefresh <= now) Recount(now);
    }

    /// <summary>Rows dropped at max_rows are leases a LAN larger than the limit loses: said at once, then at most hourly.</summary>
    private void SayOverMaxRows(TimeSpan now)
    {
        var over = book!.OverMaxRows;
        if (over == _overMaxRowsSaid || (_overMaxRowsAt is { } at && now - at < OverMaxRowsQuiet)) return;
        log.Warn($"lease store: {over - _overMaxRowsSaid} row(s) dropped at max_rows {book.MaxRows} (released leases first, " +
            "then those ending soonest); raise max_rows in 'config leases' if the LAN has more clients");
        _overMaxRowsSaid = over;
        _overMaxRowsAt = now;
    }

    /// <summary>Commits the pending events; they reach the peer once committed (its acks name committed changes).</summary>
    private void Flush(TimeSpan now)
    {
        if (book is null) return;
        if (book.Flush(clock.GetUtcNow()))
        {
            _flushAt = null;
            _committedAt = now;
            _retry = FirstRetry;
            _sync?.OnLocalChange(now);
        }
        else
        {
            _flushAt = now + _retry;
            _retry = _retry * 2 < LastRetry ? _retry * 2 : LastRetry;
        }
        Recount(now);
    }

    /// <summary>With --leasefile-ro dnsmasq asks `dhcp-script init`, which reads the store; a lease file is written here.</summary>
    public void HandToDhcp()
    {
        if (book is null) return;
        var now = clock.GetUtcNow();
        // Best effort: what could not be written is in the hand-off all the same.
        book.Flush(now);
        if (config?.LeaseFile is not { } file)
        {
            log.Info($"DHCP starts with {book.ActiveCount(now)} lease(s) from the store (served by dhcp-script init)");
            return;
        }
        try
        {
            LeaseFileWriter.Write(file, book.RenderLeaseFile(now));
            log.Info($"DHCP starts with {book.ActiveCount(now)} lease(s): wrote {file}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Error($"cannot write the lease file {file}: {e.Message}; dnsmasq starts with what it has");
        }
    }

    public LeasesView? View(TimeSpan now)
    {
        if (book is null) return null;
        var s = _sync?.Status(now);
        return new LeasesView(book.ActiveCount(clock.GetUtcNow()), book.Pending, book.BadRows, book.DroppedRows, book.WriteFailures,
            book.WriteError is { } err ? Router.Core.Text.SafeText.Clean(err) : null, s is null ? null : new LeaseSyncView(
            s.Peer, s.Connected, s.CaughtUp, s.AckedSeq, s.LastSeq, s.Pending, s.LastAckAgo?.TotalMilliseconds, s.ReceivedSeq,
            s.RowsSent, s.RowsReceived, s.RowsApplied, s.RefusedMessages, Math.Round(s.MaxApplyMs, 3), s.LastError));
    }

    /// <summary>A store that cannot answer shows as no count rather than costing the whole view.</summary>
    private void Recount(TimeSpan now)
    {
        _countAt = now;
        if (book is null) return;
        SayOverMaxRows(now);
        int? count;
        try { count = book.ActiveCount(clock.GetUtcNow()); }
        catch (Exception ex)
        {
            log.Debug($"lease count not available: {ex.Message}");
            count = null;
        }
        if (count == _count) return;
        _count = count;
        Version++;
    }
}
