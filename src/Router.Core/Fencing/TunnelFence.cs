using System.Globalization;
using System.Net;
using Router.Core.Vrrp;

namespace Router.Core.Fencing;

/// <summary>
/// The tunnel gate of one router against one peer, pure: every input takes the monotonic time. Verdict(now) says,
/// without changing anything, whether the tunnel may start, must stop, or whether we must step down; Advance(now)
/// moves the dual-master bookkeeping to <c>now</c> (episodes that ended by time alone) and returns the same verdict.
/// </summary>
/// <remarks>
/// The tunnel may start on a MASTER only when (a) the peer's latest state says Released and was sent after the peer
/// saw our MASTER state (SeenGeneration), and the peer is not a better MASTER; or (b) the peer has been silent on
/// every path for the silence window. "Silent" counts from construction for a path never heard, so a router that
/// boots alone waits the full window. Two MASTERs that hear each other: the lower (priority, then address) must
/// step down and stop its tunnel; the higher waits for the lower's Released.
/// </remarks>
public sealed class TunnelFence
{
    private readonly FenceSettings _settings;
    private readonly Dictionary<string, TimeSpan> _lastHeard = [];
    private readonly HashSet<string> _pathsUp = [];
    // Paths the peer was actually heard on: _lastHeard starts every path at construction for the silence count.
    private readonly HashSet<string> _heardOn = [];
    private bool _peerRoleStale;
    private readonly List<FenceEvent> _events = [];
    private readonly IPAddress _address;
    private IPAddress? _vrrpAddress;
    private IReadOnlyList<IPAddress>? _vrrpSources;
    private FenceRole _role = FenceRole.Backup;
    private byte _priority;
    private TunnelStatus _tunnel = TunnelStatus.Released;
    private ulong _generation = 1;
    private ulong _masterGeneration;
    private FenceState? _peer;
    // The peer said goodbye (it is stopping) with Released as its last word: its tunnel is down and stays down, since
    // only a new run can start it again, and that run's own fence waits for ours.
    private bool _peerLeftReleased;
    private TimeSpan? _episodeStart;
    private bool _stateDue = true;

    public TunnelFence(FenceSettings settings, ulong bootId, IPAddress address, byte priority, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(address);
        if (settings.Paths.Count == 0) throw new ArgumentException("at least one path", nameof(settings));
        if (settings.SilenceWindow <= TimeSpan.Zero) throw new ArgumentException("silence window must be positive", nameof(settings));
        _settings = settings;
        BootId = bootId;
        _address = address;
        _priority = priority;
        foreach (var p in settings.Paths) _lastHeard[p] = now;
    }

    public ulong BootId { get; }
    public FenceCounters Counters { get; } = new();
    /// <summary>The peer's latest accepted state, null before the first one.</summary>
    public FenceState? Peer => _peer;
    public IReadOnlyDictionary<string, TimeSpan> LastHeard => _lastHeard;
    /// <summary>Start of the current dual-master episode, null when there is none.</summary>
    public TimeSpan? DualMasterSince => _episodeStart;

    /// <summary>Our state as the peer must see it now.</summary>
    public FenceState LocalState => new(BootId, _generation, _role, _priority, _address, _tunnel,
        _peer?.BootId ?? 0, _peer?.Generation ?? 0, _vrrpAddress, _vrrpSources);

    /// <summary>The source address of our role instance's adverts, which the peer's instance knows us by. A change is
    /// a new generation: the receiver drops a state equal in generation as a duplicate.</summary>
    public void SetVrrpAddress(IPAddress? address)
    {
        if (Equals(address, _vrrpAddress)) return;
        _vrrpAddress = address;
        _generation++;
        _stateDue = true;
    }

    /// <summary>The advert sources of all our instances, which the peer's instances trust (and nobody else's); a change
    /// is a new generation, as for <see cref="SetVrrpAddress"/>.</summary>
    public void SetVrrpSources(IReadOnlyList<IPAddress> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.SequenceEqual(_vrrpSources ?? [])) return;
        _vrrpSources = sources.Count == 0 ? null : sources.ToArray();
        _generation++;
        _stateDue = true;
    }

    /// <summary>Our state when the peer must be told (it changed, or the peer has not seen it yet); null otherwise.
    /// The owner sends it as a <see cref="FenceMessageTypes.State"/> message; sending it again periodically is harmless.</summary>
    public FenceState? TakeStateToSend()
    {
        if (!_stateDue) return null;
        _stateDue = false;
        return LocalState;
    }

    /// <summary>Episode starts and ends since the last call, in order.</summary>
    public IReadOnlyList<FenceEvent> TakeEvents()
    {
        var copy = _events.ToArray();
        _events.Clear();
        return copy;
    }

    /// <summary>Our VRRP role, advertised priority or tunnel status changed (or not: repeated calls are cheap).</summary>
    public void SetLocal(FenceRole role, byte priority, TunnelStatus tunnel, TimeSpan now)
    {
        if (role == _role && priority == _priority && tunnel == _tunnel) return;
        _generation++;
        if (role == FenceRole.Master && _role != FenceRole.Master) _masterGeneration = _generation;
        _role = role;
        _priority = priority;
        _tunnel = tunnel;
        _stateDue = true;
        Track(now);
    }

    /// <summary>A path's connection came up (authenticated): the peer is reachable there.</summary>
    public void OnPathUp(string path, TimeSpan now)
    {
        _pathsUp.Add(path);
        _peerLeftReleased = false;
        OnHeard(path, now);
    }

    /// <summary>A path's connection went away (reset, goodbye, silence): the peer may be gone.
    /// <paramref name="peerStopping"/>: it said goodbye because it is stopping.</summary>
    public void OnPathDown(string path, TimeSpan now, bool peerStopping = false)
    {
        _pathsUp.Remove(path);
        if (peerStopping && _peer?.Tunnel == TunnelStatus.Released) _peerLeftReleased = true;
        // Lost on every path: whatever it said about its role may be from a run that has ended (a restart
        // reconnects before its first state arrives). Its tunnel status still counts, on the safe side.
        if (_pathsUp.Count == 0) _peerRoleStale = true;
        Track(now);
    }

    /// <summary>True while some path is up, the peer was heard within the alive window, and its role claim is fresh.</summary>
    public bool PeerAlive(TimeSpan now) =>
        _pathsUp.Count > 0 && !_peerRoleStale && now - _lastHeard.Values.Max() < _settings.PeerAliveWindow;

    /// <summary>True while some path is up and the peer was heard within the alive window, whatever its role claim: it
    /// can answer for its tunnel itself. The fencing agent is only for a peer that cannot.</summary>
    public bool PeerReachable(TimeSpan now) => _pathsUp.Count > 0 && now - _lastHeard.Values.Max() < _settings.PeerAliveWindow;

    /// <summary>Any authenticated frame (heartbeat or message) arrived on this path.</summary>
    public void OnHeard(string path, TimeSpan now)
    {
        if (_lastHeard.TryGetValue(path, out var last))
        {
            _heardOn.Add(path);
            if (now > last) _lastHeard[path] = now;
        }
        Track(now);
    }

    /// <summary>A fence state message arrived on <paramref name="path"/>. Returns false (and counts it) when it is older
    /// than one already seen, or the same one again: states go out on every path, so most arrive twice.</summary>
    public bool OnPeerState(string path, FenceState state, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(state);
        OnHeard(path, now);
        if (state.SameAs(_peer))
        {
            // Still a word from the run we know: after a reconnect it makes the role claim fresh again.
            Counters.PeerStatesDuplicate++;
            _peerRoleStale = false;
            Track(now);
            return false;
        }
        if (!state.Supersedes(_peer))
        {
            Counters.PeerStatesRejected++;
            return false;
        }
        Counters.PeerStatesReceived++;
        _peerLeftReleased = false;
        // Reply when the peer changed (it needs our acknowledgement) or has not seen our latest state. A state that
        // only acknowledges ours gets no reply, so the exchange ends.
        var changed = _peer is null || state.BootId != _peer.BootId || state.Generation != _peer.Generation;
        if (changed || state.SeenBootId != BootId || state.SeenGeneration != _generation) _stateDue = true;
        _peer = state;
        _peerRoleStale = false;
        Track(now);
        return true;
    }

    /// <summary>Closes or opens dual-master episodes that time alone decided, then returns <see cref="Verdict"/>.</summary>
    public FenceVerdict Advance(TimeSpan now)
    {
        Track(now);
        return Verdict(now);
    }

    /// <summary>What the fence says now; a query, it changes nothing (an episode that time ended is closed by Advance).</summary>
    public FenceVerdict Verdict(TimeSpan now)
    {
        var silenceEnds = _lastHeard.Values.Max() + _settings.SilenceWindow;
        var silent = now >= silenceEnds;
        if (_role != FenceRole.Master)
            return new FenceVerdict(TunnelGate.NotMaster, $"this router is {_role.ToString().ToUpperInvariant()}", true, false, null);
        if (silent)
            return new FenceVerdict(TunnelGate.Allowed, $"peer silent on every path for {Seconds(_settings.SilenceWindow)}", false, false, null);
        if (_peer is not { } peer)
            return Wait(HeardPaths(now) is { Length: > 0 } heard
                ? $"peer heard on {heard} but has not reported its tunnel state"
                : "peer not heard yet on any path", silenceEnds);
        if (peer.Role == FenceRole.Master && PeerOutranks(peer) && PeerAlive(now))
            return new FenceVerdict(TunnelGate.Wait,
                $"peer {peer.Address} is also MASTER with higher rank (priority {peer.Priority} vs {_priority}): stepping down",
                true, true, silenceEnds);
        var acknowledged = peer.SeenBootId == BootId && peer.SeenGeneration >= _masterGeneration;
        // A peer that stopped before it could acknowledge us (it handed over while we were still listening after our
        // start) would otherwise hold the gate for the whole silence window; its last word was Released.
        if (!acknowledged && !_peerLeftReleased)
            return Wait("waiting for the peer to acknowledge that we are MASTER", silenceEnds);
        if (peer.Tunnel != TunnelStatus.Released)
            return Wait($"peer's tunnel is {peer.Tunnel.ToString().ToLowerInvariant()}", silenceEnds);
        return new FenceVerdict(TunnelGate.Allowed,
            acknowledged ? "peer confirmed its tunnel is released" : "peer stopped with its tunnel released", false, false, null);
    }

    private bool PeerOutranks(FenceState peer) => VrrpTiming.AdvertWins(peer.Priority, peer.Address, _priority, _address);

    private static FenceVerdict Wait(string reason, TimeSpan silenceEnds) => new(TunnelGate.Wait, reason, false, false, silenceEnds);

    /// <summary>Opens and closes dual-master episodes from the current knowledge.</summary>
    private void Track(TimeSpan now)
    {
        var silent = now >= _lastHeard.Values.Max() + _settings.SilenceWindow;
        var dual = _role == FenceRole.Master && _peer?.Role == FenceRole.Master && !silent && PeerAlive(now);
        if (dual && _episodeStart is null)
        {
            _episodeStart = now;
            Counters.DualMasterEpisodes++;
            _events.Add(new DualMasterStarted(now, _peer!.Address, _peer.Priority, PeerOutranks(_peer)));
        }
        else if (!dual && _episodeStart is { } start)
        {
            _episodeStart = null;
            var reason = _role != FenceRole.Master ? "we left MASTER"
                : silent ? "peer silent on every path"
                : !PeerAlive(now) ? "peer unreachable"
                : $"peer is {_peer?.Role.ToString().ToUpperInvariant()}";
            var ended = new DualMasterEnded(now, start, reason);
            Counters.DualMasterTotal += ended.Duration;
            if (ended.Duration > Counters.DualMasterLongest) Counters.DualMasterLongest = ended.Duration;
            _events.Add(ended);
        }
    }

    // Names only: the reason is logged and published each time it changes, so an age in it ("1.2 s ago") would make
    // every heartbeat a new reason. How long ago each path was heard is in status (last_heard_ms).
    private string HeardPaths(TimeSpan now)
    {
        // A loop, not LINQ over the KeyValuePair struct (binary size: toolchain/README.md, "Size options").
        var heard = new List<string>();
        foreach (var (path, last) in _lastHeard)
        {
            if (_heardOn.Contains(path) && now - last < _settings.SilenceWindow) heard.Add(path);
        }
        return string.Join(", ", heard);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
