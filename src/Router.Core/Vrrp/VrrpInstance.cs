using System.Globalization;
using System.Net;

namespace Router.Core.Vrrp;

/// <summary>
/// The RFC 5798 state machine of one virtual router, pure: every method takes the current monotonic time
/// and returns the commands to execute. The owner calls OnTimer(now) when now >= NextDeadline.
/// </summary>
/// <remarks>
/// Command order, which the owner executes as given:
/// - Becoming MASTER (any path): AddAddresses, SendAdvertisement(priority), AnnounceAddresses, StateChanged.
///   The VIPs must be on the link before gratuitous ARP claims them, or neighbours learn an address nobody
///   answers for; advert and announce follow RFC 5798 6.4.1/6.4.2.
/// - Leaving MASTER against our will (lost election, fault, ForceState from a sync group, Shutdown without
///   handover): [SendAdvertisement(0)], RemoveAddresses, StateChanged. Losing an election sends no priority 0:
///   the other router is already MASTER.
/// - Leaving MASTER by a handover we chose (TrySwitchover, SetMaintenance(true), Shutdown with handover):
///   SendAdvertisement(0), StateChanged, and the VIPs stay (make-before-break: clients keep an answer while the
///   backup's skew timer runs). RemoveAddresses follows when another router advertises with priority &gt; 0 or at
///   ReleaseAt (4 advert intervals + 10 ms), unless this instance is MASTER again by then.
/// - Start into anything but MASTER: RemoveAddresses first (a crash as MASTER may have left the VIPs behind).
/// - After Shutdown, InstanceReleased is the last command once no VIP hold remains (see Released).
///
/// Gratuitous ARP bursts (GarpRepeat rounds) start on becoming MASTER, at garp_master_delay, at every
/// garp_master_refresh and on Reassert. With GarpInterval 0 a burst is one AnnounceAddresses(GarpRepeat);
/// otherwise AnnounceAddresses(1) now and one more per GarpInterval from OnTimer. A new burst replaces the rest
/// of a running one; leaving MASTER cancels it.
///
/// Preempt delay (keepalived preempt_delay): a lower-priority master is tolerated, i.e. its adverts reset the
/// master-down timer as a better master's would, until the hold ends. The hold starts when the instance enters
/// BACKUP (Start, fault recovery, losing MASTER, ...) and is restarted by the first lower-priority advert that
/// follows an advert of higher priority than ours (a new, worse master appeared). After the hold, lower-priority
/// adverts are ignored and the ordinary master-down expiry takes over, so the takeover happens at
/// (last lower-priority advert received before the hold ended) + Master_Down_Interval.
/// </remarks>
public sealed class VrrpInstance
{
    private const int MaxTransitions = 16;

    private readonly IPAddress _local;
    private readonly List<VrrpTransition> _transitions = new(MaxTransitions);
    private VrrpState _state = VrrpState.Initialize;
    private byte _priority;
    private IPAddress? _masterAddress;
    private byte _masterPriority;
    private TimeSpan _masterAdvertInterval;
    private bool _maintenance;
    private string? _faultReason;

    // BACKUP timers and what armed them (for the takeover reason).
    private TimeSpan? _listenUntil;
    private TimeSpan? _masterDownAt;
    private TimeSpan _silentSince;
    private bool _masterLeft;
    private IPAddress? _lowerMaster;
    private byte _lowerPriority;
    private TimeSpan? _preemptHoldUntil;
    private bool _switchoverHold;

    // MASTER timers.
    private TimeSpan? _advertAt;
    private TimeSpan? _garpDelayAt;
    private TimeSpan? _garpRefreshAt;
    private TimeSpan? _garpRoundAt;
    private int _garpRoundsLeft;

    // Outlive the state: a handover keeps the VIPs into BACKUP/Initialize, and Shutdown ends in Released.
    private TimeSpan? _releaseAt;
    private bool _shutDown;

    public VrrpInstance(VrrpInstanceSettings settings, IPAddress localAddress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(localAddress);
        if (settings.Priority == 0)
            throw new ArgumentException("priority must be 1..255", nameof(settings));
        if (settings.AdvertInterval <= TimeSpan.Zero)
            throw new ArgumentException("advert interval must be positive", nameof(settings));
        if (localAddress.AddressFamily != settings.Family)
            throw new ArgumentException($"local address {localAddress} is not of family {settings.Family}", nameof(localAddress));
        Settings = settings;
        _local = localAddress;
        _priority = settings.Priority;
        _masterAdvertInterval = settings.AdvertInterval;
    }

    public VrrpInstanceSettings Settings { get; }
    public VrrpState State => _state;
    /// <summary>Priority currently advertised (configured, adjusted by SetPriority; 0 never shown here).</summary>
    public byte EffectivePriority => _priority;
    /// <summary>Address of the current master (ours when MASTER), null when unknown.</summary>
    /// <remarks>In BACKUP this is the sender of the last advert, also a lower-priority one being preempted;
    /// after its priority-0 advert MasterPriority is 0 until someone else advertises.</remarks>
    public IPAddress? MasterAddress => _masterAddress;
    public byte MasterPriority => _masterPriority;
    /// <summary>The master's advert interval as learned (v3), else ours.</summary>
    public TimeSpan MasterAdvertInterval => _masterAdvertInterval;
    public TimeSpan MasterDownInterval => VrrpTiming.MasterDownInterval(Settings.Version, _priority, _masterAdvertInterval);
    public TimeSpan SkewTime => VrrpTiming.SkewTime(Settings.Version, _priority, _masterAdvertInterval);
    /// <summary>Absolute time of the next timer (advert, master down, preempt delay, garp delay/refresh, spaced
    /// garp round, startup, VIP hold release), or null.</summary>
    /// <remarks>The preempt delay needs no timer of its own (see the class remarks); it shows up through the
    /// master-down deadline.</remarks>
    public TimeSpan? NextDeadline
        => Min(Min(Min(_listenUntil, _masterDownAt), Min(_advertAt, _garpDelayAt)),
               Min(Min(_garpRefreshAt, _garpRoundAt), _releaseAt));
    public bool Maintenance => _maintenance;
    /// <summary>Own fault (SetFault(true)) as opposed to a FAULT forced by a sync group; null when none.</summary>
    public string? FaultReason => _faultReason;
    /// <summary>True while SetFault(true) is in force; sync groups hold the group in FAULT while any member is.</summary>
    public bool IsFaulted => _faultReason is not null;
    /// <summary>After TrySwitchover: preemption is suspended until this instance next becomes MASTER.</summary>
    public bool SwitchoverHold => _switchoverHold;
    /// <summary>After a handover we chose, when the VIPs still held are removed unless released earlier (a new
    /// master heard) or cancelled (MASTER again); null when no VIPs are held.</summary>
    public TimeSpan? ReleaseAt => _releaseAt;
    /// <summary>True after Shutdown once no VIP hold remains: nothing of this instance is left on the link.
    /// Start clears it.</summary>
    public bool Released => _shutDown && _releaseAt is null;
    public VrrpCounters Counters { get; } = new();
    /// <summary>Last transitions, newest last, bounded (16).</summary>
    public IReadOnlyList<VrrpTransition> Transitions => _transitions.ToArray();

    /// <summary>Initialize -> Backup (after startupDelay, listening first), or Master at once when address owner.</summary>
    /// <remarks>
    /// Non-owner: BACKUP at once (adverts are processed and the master tracked). With startupDelay = 0 the
    /// master-down timer is armed at now + Master_Down_Interval; with startupDelay &gt; 0 it is armed only when
    /// the delay has passed, so the earliest MASTER is now + startupDelay + Master_Down_Interval whatever is
    /// received meanwhile (a priority-0 advert does not shorten the startup listening).
    /// Owner (priority 255): MASTER at once, startupDelay ignored, unless in maintenance (then BACKUP).
    /// When SetFault(true) is in force the instance starts in FAULT. Throws unless in Initialize.
    /// Anything but MASTER begins with RemoveAddresses, which also ends a VIP hold left by Shutdown.
    /// </remarks>
    public IReadOnlyList<VrrpCommand> Start(TimeSpan now, TimeSpan startupDelay)
    {
        if (_state != VrrpState.Initialize)
            throw new InvalidOperationException($"{Settings.Name}: Start in state {_state}");
        _switchoverHold = false;
        _shutDown = false;
        var cmds = new List<VrrpCommand>();
        if (_faultReason is not null || !Settings.IsAddressOwner || _maintenance)
        {
            // A router that crashed as MASTER may still hold the VIPs; a backup must not answer for them.
            _releaseAt = null;
            cmds.Add(new RemoveAddresses());
        }
        if (_faultReason is not null)
            EnterFault(now, _faultReason, cmds);
        else if (Settings.IsAddressOwner && !_maintenance)
            EnterMaster(now, "address owner (priority 255)", cmds);
        else if (startupDelay > TimeSpan.Zero)
        {
            EnterBackup(now, $"startup (listening {Seconds(startupDelay)} before arming master-down)", cmds);
            _masterDownAt = null;
            _listenUntil = now + startupDelay;
        }
        else
            EnterBackup(now, "startup", cmds);
        return cmds;
    }

    /// <summary>An advertisement that passed VrrpCodec and VrrpReceiveFilter.</summary>
    /// <remarks>Every advert from another router received while MASTER counts in Counters.MasterConflicts.
    /// In any state, including Initialize after Shutdown, an advert with priority &gt; 0 ends a VIP hold
    /// (RemoveAddresses, then InstanceReleased when shut down) before it is processed.</remarks>
    public IReadOnlyList<VrrpCommand> OnAdvertisement(VrrpAdvertisement adv, IPAddress source, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(adv);
        ArgumentNullException.ThrowIfNull(source);
        Counters.AdvertsReceived++;
        if (adv.Priority == 0)
            Counters.PriorityZeroReceived++;
        var cmds = new List<VrrpCommand>();
        // Someone else is master now and answers for the VIPs: the make-before-break is complete.
        if (_releaseAt is not null && adv.Priority > 0)
            EndHold(cmds);
        switch (_state)
        {
            case VrrpState.Backup:
                BackupReceive(adv, source, now);
                break;
            case VrrpState.Master:
                MasterReceive(adv, source, now, cmds);
                break;
        }
        return cmds;
    }

    /// <remarks>Handles every deadline that is due; calling it early (or twice) does nothing. The VIP hold is
    /// checked last, so a master-down expiry due at the same time cancels it instead of removing and re-adding.</remarks>
    public IReadOnlyList<VrrpCommand> OnTimer(TimeSpan now)
    {
        var cmds = new List<VrrpCommand>();
        if (_state == VrrpState.Backup)
        {
            if (_listenUntil <= now)
            {
                _listenUntil = null;
                _masterDownAt = now + MasterDownInterval;
            }
            if (_masterDownAt <= now)
            {
                if (_maintenance)
                    _masterDownAt = null;
                else
                    EnterMaster(now, TakeoverReason(now), cmds);
            }
        }
        else if (_state == VrrpState.Master)
        {
            if (_advertAt is { } due && due <= now)
            {
                Send(_priority, cmds);
                var next = due + Settings.AdvertInterval;
                _advertAt = next > now ? next : now + Settings.AdvertInterval;
            }
            var announce = false;
            if (_garpDelayAt <= now)
            {
                _garpDelayAt = null;
                announce = true;
            }
            if (_garpRefreshAt is { } refresh && refresh <= now)
            {
                var next = refresh + Settings.GarpRefresh;
                _garpRefreshAt = next > now ? next : now + Settings.GarpRefresh;
                announce = true;
            }
            if (announce)
                StartBurst(now, cmds);
            else if (_garpRoundAt is { } round && round <= now)
                NextRound(round, now, cmds);
        }
        if (_releaseAt <= now)
            EndHold(cmds);
        return cmds;
    }

    /// <summary>Graceful stop: MASTER sends priority 0; any state -> Initialize.</summary>
    /// <remarks>
    /// handover: a MASTER keeps its VIPs until the new master is heard or ReleaseAt passes (a hold already
    /// running from a switchover is kept too); without it they go at once (RemoveAddresses when MASTER or a hold
    /// was pending). InstanceReleased ends the commands when no hold remains, else it comes later from
    /// OnAdvertisement/OnTimer. Calling it again in Initialize can only shorten a pending hold (handover false);
    /// once Released it returns nothing. Maintenance, the fault flag and the priority survive; Start may be
    /// called again.
    /// </remarks>
    public IReadOnlyList<VrrpCommand> Shutdown(TimeSpan now, bool handover)
    {
        if (Released)
            return [];
        var cmds = new List<VrrpCommand>();
        _shutDown = true;
        if (_state == VrrpState.Initialize)
        {
            if (!handover)
                DropHold(cmds);
        }
        else
        {
            var wasMaster = _state == VrrpState.Master;
            if (wasMaster)
                Send(0, cmds);
            var from = _state;
            ClearRuntime();
            _state = VrrpState.Initialize;
            if (wasMaster)
                LeaveMaster(now, handover, cmds);
            else if (!handover)
                DropHold(cmds);
            Record(from, VrrpState.Initialize, "shutdown", now, cmds);
        }
        if (Released)
            cmds.Add(new InstanceReleased());
        return cmds;
    }

    /// <summary>MASTER: AddAddresses and a fresh announce burst, for when the kernel lost a VIP or the link
    /// bounced (netifd flushes addresses on reload). Nothing in any other state.</summary>
    public IReadOnlyList<VrrpCommand> Reassert(TimeSpan now)
    {
        if (_state != VrrpState.Master)
            return [];
        var cmds = new List<VrrpCommand> { new AddAddresses() };
        StartBurst(now, cmds);
        return cmds;
    }

    /// <summary>Interface down (fault=true) -> Fault; back up -> Backup.</summary>
    /// <remarks>A MASTER sends priority 0 and removes its VIPs before FAULT. Recovery is handled like a startup
    /// without delay: an owner becomes MASTER at once, others BACKUP with a full master-down interval. Before
    /// Start only the flag is recorded. Repeated calls with the same value return nothing.</remarks>
    public IReadOnlyList<VrrpCommand> SetFault(bool fault, string reason, TimeSpan now)
    {
        var cmds = new List<VrrpCommand>();
        if (fault)
        {
            var wasFaulted = _faultReason is not null;
            _faultReason = reason;
            if (!wasFaulted && _state is VrrpState.Backup or VrrpState.Master)
                EnterFault(now, reason, cmds);
        }
        else if (_faultReason is not null)
        {
            _faultReason = null;
            if (_state == VrrpState.Fault)
                Restart(now, reason, cmds);
        }
        return cmds;
    }

    /// <summary>Maintenance on: never MASTER (a MASTER hands over with priority 0, keeping its VIPs until the new
    /// master is heard, see ReleaseAt). Off: normal election.</summary>
    /// <remarks>While on, adverts are still tracked and the master-down timer still runs but its expiry does
    /// nothing. Off in BACKUP: like a startup without delay (owner MASTER at once, others a fresh master-down
    /// interval from now).</remarks>
    public IReadOnlyList<VrrpCommand> SetMaintenance(bool on, TimeSpan now)
    {
        if (on == _maintenance)
            return [];
        _maintenance = on;
        var cmds = new List<VrrpCommand>();
        if (on && _state == VrrpState.Master)
            HandOver(now, "maintenance mode", cmds);
        else if (!on && _state == VrrpState.Backup)
        {
            if (Settings.IsAddressOwner && !_switchoverHold)
                EnterMaster(now, "maintenance mode off, address owner (priority 255)", cmds);
            else if (_listenUntil is null)
                _masterDownAt = now + MasterDownInterval;
        }
        return cmds;
    }

    /// <summary>MASTER: hand over (priority 0, VIPs held until the new master is heard, see ReleaseAt) and do
    /// not preempt the new master; only a master-down makes this router MASTER again. Returns false (no
    /// commands) when not MASTER.</summary>
    /// <remarks>The hold is lifted whenever this instance next becomes MASTER (master-down expiry, or a
    /// sync-group ForceState), or by Start after Shutdown.</remarks>
    public bool TrySwitchover(TimeSpan now, out IReadOnlyList<VrrpCommand> commands)
    {
        if (_state != VrrpState.Master)
        {
            commands = [];
            return false;
        }
        var cmds = new List<VrrpCommand>();
        _switchoverHold = true;
        HandOver(now, "switchover requested", cmds);
        commands = cmds;
        return true;
    }

    /// <summary>The peer channel says the router at <paramref name="peer"/> left MASTER on purpose (fault, stop,
    /// switchover, maintenance): in BACKUP, following that very master, take over now instead of waiting out
    /// master-down or skew time. Returns nothing (and changes nothing) otherwise.</summary>
    /// <remarks>Refused in maintenance, during startup listening (we may not know the election yet), when the
    /// master we follow is another router (more than two routers: the one that yielded is not ours to replace),
    /// and in FAULT/MASTER/Initialize. VRRP still arbitrates: a better router that also takes over wins at its
    /// first advert, as after a master-down race.</remarks>
    public IReadOnlyList<VrrpCommand> OnPeerYielded(IPAddress peer, string reason, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!FollowsMaster(peer))
            return [];
        var cmds = new List<VrrpCommand>();
        Counters.PeerTakeovers++;
        EnterMaster(now, reason, cmds);
        return cmds;
    }

    /// <summary>The peer channel has heard nothing from the router at <paramref name="peer"/> on any path for its
    /// dead interval, and should have heard it again by <paramref name="quietSince"/> (its last frame plus one
    /// heartbeat interval): when its adverts stopped too (none accepted after <paramref name="quietSince"/>), it is
    /// dead, and a BACKUP following it takes over now.</summary>
    /// <remarks>An advert accepted after a heartbeat went missing means the peer lives and only the channel is cut:
    /// nothing changes, and master-down stays the judge. An advert between the last frame and the missing heartbeat
    /// is still a dying router's (a process killed right after an advert). Same refusals as
    /// <see cref="OnPeerYielded"/>.</remarks>
    public IReadOnlyList<VrrpCommand> OnPeerDead(IPAddress peer, TimeSpan quietSince, string reason, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!FollowsMaster(peer) || _silentSince > quietSince)
            return [];
        var cmds = new List<VrrpCommand>();
        Counters.PeerTakeovers++;
        EnterMaster(now, reason, cmds);
        return cmds;
    }

    /// <summary>Tracking changed the priority (1..254; owners stay 255). Advertised at once when MASTER.</summary>
    /// <remarks>Owners ignore it (no commands). In BACKUP the new priority decides the next advert received:
    /// with preempt, adverts below it are ignored and master-down takes over (RFC 5798 6.4.2).</remarks>
    public IReadOnlyList<VrrpCommand> SetPriority(byte priority, TimeSpan now)
    {
        if (Settings.IsAddressOwner)
            return [];
        if (priority is 0 or 255)
            throw new ArgumentOutOfRangeException(nameof(priority), priority, "priority must be 1..254");
        if (priority == _priority)
            return [];
        _priority = priority;
        if (_state != VrrpState.Master)
            return [];
        _masterPriority = priority;
        var cmds = new List<VrrpCommand>();
        Send(priority, cmds);
        _advertAt = now + Settings.AdvertInterval;
        return cmds;
    }

    /// <summary>Sync group: another member moved; follow it (Master, Backup or Fault).</summary>
    /// <remarks>
    /// Master: from BACKUP or FAULT as on a master-down expiry (addresses, advert, announce); refused (no
    /// commands) in maintenance, with an own fault, or before Start. Backup: a MASTER sends priority 0 first so
    /// the peer takes over within its skew time, and removes its VIPs at once (the group, not this router, chose
    /// to leave: no hold); from FAULT a fresh master-down interval; refused while an own fault is in force.
    /// Fault: a MASTER sends priority 0 and removes its VIPs; leaving a forced FAULT needs ForceState(Backup/Master).
    /// Forcing the current state returns nothing.
    /// </remarks>
    public IReadOnlyList<VrrpCommand> ForceState(VrrpState target, string reason, TimeSpan now)
    {
        if (target == VrrpState.Initialize)
            throw new ArgumentOutOfRangeException(nameof(target), target, "use Shutdown to stop an instance");
        var cmds = new List<VrrpCommand>();
        if (target == _state || _state == VrrpState.Initialize)
            return cmds;
        switch (target)
        {
            case VrrpState.Master when !_maintenance && _faultReason is null:
                EnterMaster(now, reason, cmds);
                break;
            case VrrpState.Backup when _state == VrrpState.Master:
                Send(0, cmds);
                EnterBackup(now, reason, cmds);
                break;
            case VrrpState.Backup when _faultReason is null:
                EnterBackup(now, reason, cmds);
                break;
            case VrrpState.Fault:
                EnterFault(now, reason, cmds);
                break;
        }
        return cmds;
    }

    private void BackupReceive(VrrpAdvertisement adv, IPAddress source, TimeSpan now)
    {
        _masterAddress = source;
        _masterPriority = adv.Priority;
        if (adv.Priority == 0)
        {
            // RFC 5798 6.4.2: the master is leaving, take over after Skew_Time (not during startup listening).
            if (_listenUntil is null)
            {
                _masterDownAt = now + SkewTime;
                _masterLeft = true;
                _lowerMaster = null;
            }
            return;
        }
        if (adv.Priority > _priority)
            _preemptHoldUntil = null;
        var lower = adv.Priority < _priority;
        // The first lower-priority advert after a better master's (or none since BACKUP) starts the hold.
        if (lower && MayPreempt && Settings.PreemptDelay > TimeSpan.Zero)
            _preemptHoldUntil ??= now + Settings.PreemptDelay;
        if (!lower || !PreemptsNow(now))
        {
            _masterAdvertInterval = LearnedInterval(adv);
            _silentSince = now;
            _masterLeft = false;
            _lowerMaster = null;
            if (_listenUntil is null)
                _masterDownAt = now + MasterDownInterval;
        }
        else
        {
            _lowerMaster = source;
            _lowerPriority = adv.Priority;
        }
    }

    /// <summary>BACKUP, free to become MASTER, and <paramref name="peer"/> is the master whose adverts we follow.</summary>
    private bool FollowsMaster(IPAddress peer) =>
        _state == VrrpState.Backup && !_maintenance && _listenUntil is null && peer.Equals(_masterAddress);

    private bool MayPreempt => !_switchoverHold && (Settings.Preempt || Settings.IsAddressOwner);

    /// <summary>Whether a lower-priority advert received now is ignored (so master-down preempts its sender);
    /// the preempt-delay hold is armed by the receive path, not here.</summary>
    private bool PreemptsNow(TimeSpan now) => MayPreempt && !(now < _preemptHoldUntil);

    private void MasterReceive(VrrpAdvertisement adv, IPAddress source, TimeSpan now, List<VrrpCommand> cmds)
    {
        Counters.MasterConflicts++;
        if (adv.Priority == 0)
        {
            Send(_priority, cmds);
            _advertAt = now + Settings.AdvertInterval;
        }
        else if (VrrpTiming.AdvertWins(adv.Priority, source, _priority, _local))
        {
            var reason = adv.Priority > _priority
                ? $"higher priority master {source} ({adv.Priority}, ours {_priority})"
                : $"master {source} with equal priority ({adv.Priority}) and a higher address";
            EnterBackup(now, reason, cmds, LearnedInterval(adv));
            _masterAddress = source;
            _masterPriority = adv.Priority;
        }
    }

    private void EnterMaster(TimeSpan now, string reason, List<VrrpCommand> cmds)
    {
        var from = _state;
        ClearRuntime();
        _state = VrrpState.Master;
        _switchoverHold = false;
        _releaseAt = null;
        _masterAddress = _local;
        _masterPriority = _priority;
        cmds.Add(new AddAddresses());
        Send(_priority, cmds);
        StartBurst(now, cmds);
        _advertAt = now + Settings.AdvertInterval;
        if (Settings.GarpMasterDelay > TimeSpan.Zero)
            _garpDelayAt = now + Settings.GarpMasterDelay;
        if (Settings.GarpRefresh > TimeSpan.Zero)
            _garpRefreshAt = now + Settings.GarpRefresh;
        Counters.BecameMaster++;
        Record(from, VrrpState.Master, reason, now, cmds);
    }

    /// <summary>RFC 5798 6.4.2/6.4.3: a v3 backup adopts the master's interval; v2 keeps its own (RFC 3768
    /// drops adverts with another interval).</summary>
    private TimeSpan LearnedInterval(VrrpAdvertisement adv)
        => Settings.Version == VrrpVersion.V3 && adv.AdvertIntervalCs > 0
            ? TimeSpan.FromMilliseconds(10 * adv.AdvertIntervalCs)
            : _masterAdvertInterval;

    /// <summary>BACKUP with the master-down timer armed a full interval from now (master unknown).</summary>
    /// <param name="holdAddresses">From MASTER: keep the VIPs (a handover we chose) instead of removing them.</param>
    private void EnterBackup(TimeSpan now, string reason, List<VrrpCommand> cmds, TimeSpan? masterAdvertInterval = null,
        bool holdAddresses = false)
    {
        var from = _state;
        ClearRuntime();
        if (from == VrrpState.Master)
            LeaveMaster(now, holdAddresses, cmds);
        if (masterAdvertInterval is { } learned)
            _masterAdvertInterval = learned;
        _state = VrrpState.Backup;
        _silentSince = now;
        _masterDownAt = now + MasterDownInterval;
        if (Settings.PreemptDelay > TimeSpan.Zero)
            _preemptHoldUntil = now + Settings.PreemptDelay;
        Record(from, VrrpState.Backup, reason, now, cmds);
    }

    private void EnterFault(TimeSpan now, string reason, List<VrrpCommand> cmds)
    {
        if (_state == VrrpState.Master)
            Send(0, cmds);
        var from = _state;
        ClearRuntime();
        if (from == VrrpState.Master)
            LeaveMaster(now, hold: false, cmds);
        _state = VrrpState.Fault;
        Record(from, VrrpState.Fault, reason, now, cmds);
    }

    /// <summary>MASTER -> BACKUP on our own initiative: priority 0 so the peer need not wait 3 intervals, and
    /// the VIPs held until it is heard.</summary>
    private void HandOver(TimeSpan now, string reason, List<VrrpCommand> cmds)
    {
        Send(0, cmds);
        EnterBackup(now, reason, cmds, holdAddresses: true);
    }

    /// <summary>The VIPs when leaving MASTER: removed now, or held until a new master is heard or the
    /// deadline. Four intervals cover the backup's master-down (at most 3 intervals + skew, and a priority-0
    /// advert shortens it to the skew), the 10 ms absorb timer jitter.</summary>
    private void LeaveMaster(TimeSpan now, bool hold, List<VrrpCommand> cmds)
    {
        if (hold)
            _releaseAt = now + 4 * Settings.AdvertInterval + TimeSpan.FromMilliseconds(10);
        else
            cmds.Add(new RemoveAddresses());
    }

    /// <summary>The VIP hold is over: the VIPs go, and a shut-down instance is released.</summary>
    private void EndHold(List<VrrpCommand> cmds)
    {
        _releaseAt = null;
        cmds.Add(new RemoveAddresses());
        if (_shutDown)
            cmds.Add(new InstanceReleased());
    }

    /// <summary>Not MASTER and the VIPs must go now: ends a pending hold without waiting.</summary>
    private void DropHold(List<VrrpCommand> cmds)
    {
        if (_releaseAt is null)
            return;
        _releaseAt = null;
        cmds.Add(new RemoveAddresses());
    }

    /// <summary>A fresh burst of GarpRepeat rounds, replacing what is left of a running one.</summary>
    private void StartBurst(TimeSpan now, List<VrrpCommand> cmds)
    {
        var rounds = Math.Max(1, Settings.GarpRepeat);
        if (Settings.GarpInterval <= TimeSpan.Zero)
        {
            cmds.Add(new AnnounceAddresses(rounds));
            _garpRoundsLeft = 0;
            _garpRoundAt = null;
            return;
        }
        cmds.Add(new AnnounceAddresses(1));
        _garpRoundsLeft = rounds - 1;
        _garpRoundAt = _garpRoundsLeft > 0 ? now + Settings.GarpInterval : null;
    }

    /// <remarks>A late timer sends one round, not the missed ones: catching up would defeat the spacing.</remarks>
    private void NextRound(TimeSpan due, TimeSpan now, List<VrrpCommand> cmds)
    {
        cmds.Add(new AnnounceAddresses(1));
        if (--_garpRoundsLeft <= 0)
        {
            _garpRoundAt = null;
            return;
        }
        var next = due + Settings.GarpInterval;
        _garpRoundAt = next > now ? next : now + Settings.GarpInterval;
    }

    private void Restart(TimeSpan now, string reason, List<VrrpCommand> cmds)
    {
        if (Settings.IsAddressOwner && !_maintenance)
            EnterMaster(now, $"{reason}; address owner (priority 255)", cmds);
        else
            EnterBackup(now, reason, cmds);
    }

    /// <summary>Forgets timers and the master; keeps priority, maintenance, fault flag, switchover hold and the
    /// VIP hold (it outlives MASTER by design).</summary>
    private void ClearRuntime()
    {
        _listenUntil = _masterDownAt = _advertAt = _garpDelayAt = _garpRefreshAt = _garpRoundAt = _preemptHoldUntil = null;
        _garpRoundsLeft = 0;
        _masterAddress = null;
        _masterPriority = 0;
        _masterAdvertInterval = Settings.AdvertInterval;
        _masterLeft = false;
        _lowerMaster = null;
    }

    private string TakeoverReason(TimeSpan now)
    {
        if (_lowerMaster is not null)
            return $"preempting lower priority master {_lowerMaster} ({_lowerPriority})";
        if (_masterLeft)
            return $"master {_masterAddress} left (priority 0 advert), took over after skew time {Seconds(SkewTime)}";
        return $"master down timer expired (no advert for {Seconds(now - _silentSince)})";
    }

    private void Send(byte priority, List<VrrpCommand> cmds)
    {
        cmds.Add(new SendAdvertisement(priority));
        Counters.AdvertsSent++;
        if (priority == 0)
            Counters.PriorityZeroSent++;
    }

    private void Record(VrrpState from, VrrpState to, string reason, TimeSpan now, List<VrrpCommand> cmds)
    {
        cmds.Add(new StateChanged(from, to, reason));
        if (_transitions.Count == MaxTransitions)
            _transitions.RemoveAt(0);
        _transitions.Add(new VrrpTransition(now, from, to, reason));
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);
}
