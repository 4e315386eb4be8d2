using Router.Core.Leases;
using Router.Core.Roles;
using Router.Daemon.Control;
using Router.Daemon.Leases;
using Router.Peers;
using Router.Store;

namespace Router.Daemon;

internal sealed partial class RouterDaemon
{
    /// <summary>A DHCP start waits at most this long for the catch-up from a connected peer (docs/leases.md).</summary>
    private static readonly TimeSpan DhcpHoldLimit = TimeSpan.FromSeconds(5);
    private LeaseReplicator? _leaseSync;
    /// <summary>A DHCP start step waiting for the peer's leases (the peer is connected and still sending them).</summary>
    private (StartStep Step, TimeSpan Until)? _dhcpHold;

    /// <summary>The lease store, opened by the composition root; null when leases are not configured or it failed to open.</summary>
    public LeaseBook? Leases { get; init; }

    /// <summary>A dhcp-script call forwarded by `routerha dhcp-script`: stored here, on the loop, in arrival order.</summary>
    private ControlResponse OnLease(ControlRequest request)
    {
        if (Leases is null)
            return new ControlResponse(false, _config.Leases is null
                ? "leases are not configured (no 'config leases' section)"
                : "the lease store is not open (see the log from startup)");
        var call = DhcpScriptParser.Parse(request.Args ?? [], request.Env ?? new Dictionary<string, string>(), _clock.GetUtcNow());
        var (ok, output, error) = Leases.Handle(call, _clock.GetUtcNow());
        if (call is DhcpLeaseEvent e)
        {
            _log.Debug($"lease {e.Action.ToString().ToLowerInvariant()} {e.Mac} {e.Address} {e.Hostname ?? "*"}");
            if (ok)
            {
                _leaseSync?.OnLocalChange(Now);
                _viewDirty = true; // the lease count in the published status
            }
        }
        if (!ok) _log.Warn($"dhcp-script call refused: {error}");
        return ok ? new ControlResponse(true, Message: output) : new ControlResponse(false, error);
    }

    /// <summary>Replication rides the peer channel that fencing opened; both need the same peer.</summary>
    private void StartLeaseSync()
    {
        if (Leases is null || _peer is null) return;
        _leaseSync = Leases.CreateReplicator((type, payload) => _peer?.Send(type, payload) == PeerSendResult.Queued, _log.Info, _log.Warn);
    }

    private void OnLeasePeerEvent(PeerEvent e)
    {
        // Heartbeats change nothing here: marking the view for them would republish it every beat.
        if (_leaseSync is null || e is PeerHeartbeat) return;
        try
        {
            switch (e)
            {
                case PeerPathUp u:
                    _leaseSync.OnConnected(u.PeerNodeId, Now);
                    break;
                case PeerPathDown when _peer?.Status().Any(p => p.Up) != true:
                    _leaseSync.OnDisconnected();
                    break;
                case PeerMessage m when LeaseMessageTypes.IsLeaseType(m.Type):
                    _leaseSync.OnMessage(m.Type, m.Payload.Span, Now);
                    break;
            }
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or LeaseStoreException or IOException)
        {
            // Nothing was acknowledged: the peer keeps the changes and sends them again after the ack timeout.
            _log.Error($"lease sync: the store failed: {ex.Message}");
        }
        _viewDirty = true;
    }

    /// <summary>
    /// The lease sync hook of the role plan: a DHCP start gets the merged lease set first. While the peer is
    /// connected and still sending what we lack (a preempting router back from a reboot), the start waits for
    /// the catch-up, bounded by DhcpHoldLimit. True when the step is held (started later by LeaseTick).
    /// </summary>
    private bool HoldDhcpStart(StartStep s)
    {
        if (_leaseSync is { Connected: true, CaughtUp: false })
        {
            _dhcpHold = (s, Now + DhcpHoldLimit);
            _log.Info($"role {RoleNames.Of(s.Target)}: {s.Step.Name} waits for the leases from the peer (at most {DhcpHoldLimit.TotalSeconds:0} s)");
            return true;
        }
        HandLeasesToDhcp();
        return false;
    }

    /// <summary>True when the cancelled step was the held DHCP start (it never reached the executor).</summary>
    private bool DropDhcpHold(long ticket)
    {
        if (_dhcpHold?.Step.Ticket != ticket) return false;
        _dhcpHold = null;
        return true;
    }

    /// <summary>With --leasefile-ro dnsmasq asks `dhcp-script init`, which reads the store; a lease file is written here.</summary>
    private void HandLeasesToDhcp()
    {
        if (Leases is null) return;
        var now = _clock.GetUtcNow();
        if (_config.Leases?.LeaseFile is not { } file)
        {
            _log.Info($"DHCP starts with {Leases.ActiveCount(now)} lease(s) from the store (served by dhcp-script init)");
            return;
        }
        try
        {
            LeaseFileWriter.Write(file, Leases.RenderLeaseFile(now));
            _log.Info($"DHCP starts with {Leases.ActiveCount(now)} lease(s): wrote {file}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error($"cannot write the lease file {file}: {e.Message}; dnsmasq starts with what it has");
        }
    }

    /// <summary>Once per loop turn: resend an unacknowledged page, release a held DHCP start.</summary>
    private void LeaseTick()
    {
        var now = Now;
        if (_leaseSync?.NextDeadline is { } d && d <= now) _leaseSync.OnTimer(now);
        if (_dhcpHold is not { } hold) return;
        var caughtUp = _leaseSync is not { Connected: true, CaughtUp: false };
        if (!caughtUp && now < hold.Until) return;
        _dhcpHold = null;
        if (!caughtUp) _log.Warn($"the peer's leases did not all arrive within {DhcpHoldLimit.TotalSeconds:0} s: starting DHCP with what is here");
        HandLeasesToDhcp();
        RunStep(hold.Step);
    }

    private TimeSpan? NextLeaseDeadline()
    {
        var next = _leaseSync?.NextDeadline;
        if (_dhcpHold is { } h && (next is null || h.Until < next)) next = h.Until;
        return next;
    }

    private LeasesView? LeasesViewOf()
    {
        if (Leases is null) return null;
        var s = _leaseSync?.Status(Now);
        return new LeasesView(Leases.ActiveCount(_clock.GetUtcNow()), s is null ? null : new LeaseSyncView(
            s.Peer, s.Connected, s.CaughtUp, s.AckedSeq, s.LastSeq, s.Pending, s.LastAckAgo?.TotalMilliseconds, s.ReceivedSeq,
            s.RowsSent, s.RowsReceived, s.RowsApplied, s.RefusedMessages, Math.Round(s.MaxApplyMs, 3), s.LastError));
    }
}
