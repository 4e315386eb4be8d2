using Router.Core.Config;
using Router.Core.Health;
using Router.Core.Ports;
using Router.Core.Vrrp;
using Router.Daemon.Control;
using Router.Daemon.Notify;
using Router.Daemon.Observers;
using Router.Integrations.Logging;

namespace Router.Daemon.Instances;

/// <summary>
/// The VRRP instances at run time: it feeds each VrrpInstance its packets, timers and kernel facts, and executes the
/// commands it returns (VIPs, adverts, announcements, notify), including sync groups and the link and health faults.
/// Decisions stay in VrrpInstance and SyncGroup. Owned by the loop.
/// </summary>
/// <param name="peerAddresses">Every address known to be the peer's (VrrpTrustedSources.For): with a peer channel, an
/// advert from anyone else decides nothing.</param>
internal sealed class InstanceSet(DaemonPorts ports, Log log, Func<TimeSpan> now, Action<LoopEvent> post, ObserverHub hub,
    NotifyDispatcher notify, Action<InstanceRuntime, StateChanged> roleInstanceChanged, Func<IEnumerable<System.Net.IPAddress>> peerAddresses)
{
    private readonly List<InstanceRuntime> _instances = [];
    private readonly InstanceEdge _edge = new(ports, log);
    private long _version;
    private RouterConfig _config = null!;

    public IReadOnlyList<InstanceRuntime> All => _instances;

    public bool Maintenance { get; private set; }

    /// <summary>Grows whenever something the published view shows of an instance has changed.</summary>
    public long Version => _version + _edge.Version;

    public TimeSpan? NextDeadline
    {
        get
        {
            TimeSpan? next = null;
            foreach (var rt in _instances)
                if (rt.Machine.NextDeadline is { } d && (next is null || d < next)) next = d;
            return next;
        }
    }

    public void Start(RouterConfig config)
    {
        _config = config;
        foreach (var ic in config.Instances) Start(ic);
    }

    public void OnTimer(TimeSpan at)
    {
        foreach (var rt in _instances.ToArray())
            if (rt.Machine.NextDeadline is { } d && d <= at)
                Execute(rt, rt.Machine.OnTimer(at));
    }

    /// <summary>Every instance hands over (daemon stop) and leaves the loop once its VIPs are released.</summary>
    public void StopAll(string why, bool handover)
    {
        foreach (var rt in _instances.ToArray()) Stop(rt, why, handover);
    }

    /// <summary>A reload: unchanged instances keep running untouched; changed ones restart without a handover.</summary>
    public string Reload(RouterConfig fresh)
    {
        int kept = 0, added = 0, removed = 0;
        var restarted = new HashSet<string>();
        var byName = fresh.Instances.ToDictionary(i => i.Vrrp.Name);
        foreach (var rt in _instances.Where(r => !r.Stopping).ToArray())
        {
            if (!byName.TryGetValue(rt.Name, out var ic))
            {
                Stop(rt, "removed from config", handover: false);
                removed++;
            }
            else if (InstanceRuntime.Fingerprint(ic) == InstanceRuntime.Fingerprint(rt.Config))
            {
                rt.Config = ic;
                kept++;
            }
            else
            {
                Stop(rt, "changed in config", handover: false);
                restarted.Add(rt.Name);
            }
        }
        _config = fresh;
        foreach (var ic in fresh.Instances)
        {
            if (_instances.Any(r => r.Name == ic.Vrrp.Name && !r.Stopping)) continue;
            Start(ic);
            if (!restarted.Contains(ic.Vrrp.Name)) added++;
        }
        _version++;
        return $"config reloaded: {kept} unchanged, {restarted.Count} restarted, {added} added, {removed} removed";
    }

    public void SetMaintenance(bool on)
    {
        Maintenance = on;
        foreach (var rt in _instances.ToArray()) Execute(rt, rt.Machine.SetMaintenance(on, now()));
        log.Info($"maintenance {(on ? "on: staying BACKUP" : "off: normal election")}");
        _version++;
    }

    public ControlResponse Switchover(string? instance)
    {
        var live = _instances.Where(r => !r.Stopping).ToList();
        var named = live.FirstOrDefault(r => r.Name == instance);
        if (instance is not null && named is null) return new ControlResponse(false, $"no instance named '{instance}'");
        // A sync group moves as one: a member left behind would preempt back and pull the group with it.
        var targets = live.Where(r => named is null || r == named
                                      || (named.Config.SyncGroup is { } g && r.Config.SyncGroup == g)).ToList();
        // Every member takes its no-preempt hold before any state change is executed: executing the first one forces
        // the others to BACKUP through the sync group, which would skip their hold.
        var handed = new List<(InstanceRuntime Instance, IReadOnlyList<VrrpCommand> Commands)>();
        foreach (var rt in targets)
            if (rt.Machine.TrySwitchover(now(), out var commands)) handed.Add((rt, commands));
        foreach (var (rt, commands) in handed) Execute(rt, commands);
        if (handed.Count == 0)
        {
            var masters = string.Join(", ", targets.Select(r => $"{r.Name}: master is {r.Machine.MasterAddress?.ToString() ?? "unknown"}"));
            return new ControlResponse(false, $"this router is not MASTER of any selected instance; run switchover on the master ({masters})");
        }
        var names = string.Join(", ", handed.Select(h => h.Instance.Name));
        log.Info($"switchover: handed over {names}");
        return new ControlResponse(true, Message: $"handed over {names}; this router stays BACKUP until the new master fails");
    }

    /// <summary>The peer yielded MASTER or died (RoleCoordinator's word): the role instance, the first configured
    /// one, decides whether it takes over (VrrpInstance.OnPeerYielded/OnPeerDead); its sync group follows it as on any
    /// transition. Other instances keep RFC timing: their master may be another router.</summary>
    public void OnPeerTakeover(Router.Core.Roles.RoleCommand word)
    {
        var role = _config.Instances.Count > 0 ? _instances.FirstOrDefault(r => r.Name == _config.Instances[0].Vrrp.Name && !r.Stopping) : null;
        if (role is null) return;
        var at = now();
        var commands = word switch
        {
            Router.Core.Roles.PeerYielded y => role.Machine.OnPeerYielded(y.PeerVrrpAddress, y.Reason, at),
            Router.Core.Roles.PeerDead d => role.Machine.OnPeerDead(d.PeerVrrpAddress, d.QuietSince, d.Reason, at),
            _ => [],
        };
        if (commands.Count == 0)
            log.Debug($"{role.Name}: no takeover ({StateNames.Of(role.Machine.State)}, master {role.Machine.MasterAddress?.ToString() ?? "unknown"})");
        Execute(role, commands);
    }

    /// <summary>The source address of the role instance's adverts (what the peer follows us by); null while unknown
    /// (no socket yet), and then the last one known stays in use.</summary>
    public System.Net.IPAddress? RoleAddress =>
        _config?.Instances.Count > 0 && _instances.FirstOrDefault(r => r.Name == _config.Instances[0].Vrrp.Name) is { } rt
            ? AdvertSource(rt)
            : null;

    /// <summary>The advert sources of every instance that has one (the peer's instances trust these).</summary>
    public IReadOnlyList<System.Net.IPAddress> AdvertSources =>
        _instances.Where(r => !r.Stopping).Select(AdvertSource).OfType<System.Net.IPAddress>().Distinct().ToList();

    public static System.Net.IPAddress? AdvertSource(InstanceRuntime rt) =>
        rt.LocalAddress.Equals(System.Net.IPAddress.Any) || rt.LocalAddress.Equals(System.Net.IPAddress.IPv6Any) ? null : rt.LocalAddress;

    /// <summary>Weights move priorities (advertised at once); a weight-0 track down means FAULT.</summary>
    public void ApplyHealth(HealthTracker health)
    {
        foreach (var rt in _instances.Where(r => !r.Stopping).ToArray())
        {
            var h = health.Evaluate(rt.Name, rt.Settings.Priority);
            if (!rt.Settings.IsAddressOwner && h.Priority != rt.Machine.EffectivePriority)
            {
                Execute(rt, rt.Machine.SetPriority(h.Priority, now()));
                _version++;
            }
            rt.HealthFaultReason = h.FaultReason;
            ApplyFault(rt, "health checks recovered");
        }
    }

    public void OnPacket(InstanceRuntime rt, ReceivedVrrp p)
    {
        rt.PacketHandled();
        if (!_instances.Contains(rt)) return;
        var trusted = VrrpTrustedSources.For(rt.Settings, peerAddresses());
        var r = VrrpReceiveClassifier.Classify(p, rt.Settings, rt.Socket?.SourceAddress,
            vrid => _instances.Any(o => o != rt && o.Config.Interface == rt.Config.Interface && o.Settings.Family == rt.Settings.Family && o.Settings.Vrid == vrid),
            trusted);
        if (r.Verdict == VrrpReceiveVerdict.Dropped) rt.CountDrop(r.DropReason);
        if (r.Verdict == VrrpReceiveVerdict.UnknownSource) OnUnknownMaster(rt, r.Advertisement!, p.Source, trusted!);
        if (!r.IsAccepted) return;
        var adv = r.Advertisement;
        if (r.AddressesDiffer && !rt.AddressMismatchLogged)
        {
            // keepalived drops these; we accept them, because ignoring a live master is how two masters happen.
            rt.AddressMismatchLogged = true;
            log.Warn($"{rt.Name}: {p.Source} advertises VIPs {string.Join(' ', adv.Addresses)}, ours are {string.Join(' ', rt.Settings.VirtualAddresses)}: check both configs");
        }
        var master = rt.Machine.MasterAddress;
        Execute(rt, rt.Machine.OnAdvertisement(adv, p.Source, now()));
        if (!Equals(master, rt.Machine.MasterAddress)) _version++;
    }

    /// <summary>An advert the instance never sees (its sender is not a trusted source): counted; the first of an episode
    /// and each new sender in it are logged and published, the rest only counted (a flood must not become a log flood).</summary>
    private void OnUnknownMaster(InstanceRuntime rt, VrrpAdvertisement adv, System.Net.IPAddress source, IReadOnlyList<System.Net.IPAddress> trusted)
    {
        var watch = rt.UnknownMasters;
        var news = watch.Observe(source, now());
        if (news == UnknownMasterNews.None) return;
        var known = rt.IsMulticast
            ? $"the peer's known addresses are {string.Join(", ", trusted)} (peer paths and what the peer announced over the channel)"
            : $"its unicast_peer list is {string.Join(", ", trusted)}";
        var line = $"{rt.Name}: ignoring VRRP adverts from {source} (priority {adv.Priority}; we are {StateNames.Of(rt.Machine.State)}, " +
                   $"master {rt.Machine.MasterAddress?.ToString() ?? "unknown"}): not a known peer, {known}; " +
                   (news == UnknownMasterNews.NewEpisode ? "counted in status as unknown_master_adverts" : $"{watch.EpisodeCount} such adverts in this episode");
        log.Warn(line);
        hub.Event("unknown_master", rt.Name, line, new Dictionary<string, string>
        {
            ["source"] = source.ToString(),
            ["priority"] = adv.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["state"] = StateNames.Of(rt.Machine.State),
            ["adverts"] = watch.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    public void OnReceiveFailed(InstanceRuntime rt, Exception error)
    {
        if (!_instances.Contains(rt)) return;
        rt.LastError = $"receive failed: {error.Message}";
        log.Error($"{rt.Name}: {rt.LastError}; reopening the socket");
        TryOpenSocket(rt);
        if (rt.Socket is null && !rt.LinkFault)
        {
            rt.LinkFaultReason = rt.LastError;
            ApplyFault(rt, "socket reopened");
        }
    }

    public void OnKernel(NetlinkEvent e)
    {
        switch (e)
        {
            case Router.Linux.MonitorOverrun:
                log.Warn("kernel event queue overran: re-reading links and addresses");
                ResyncLinks();
                break;
            case LinkChanged lc:
                foreach (var rt in _instances.Where(r => r.Config.Interface == lc.Link.Name).ToArray())
                    OnLink(rt, lc.Link);
                break;
            case LinkRemoved lr:
                foreach (var rt in _instances.Where(r => r.Config.Interface == lr.Name || r.Link?.Index == lr.Index).ToArray())
                {
                    rt.CloseSocket();
                    rt.Link = null;
                    _edge.SetPresent(rt, []);
                    if (!rt.LinkFault)
                    {
                        rt.LinkFaultReason = $"{rt.Config.Interface} removed";
                        ApplyFault(rt, "");
                    }
                }
                break;
            case AddressAdded aa:
                foreach (var rt in _instances.Where(r => r.Link?.Index == aa.InterfaceIndex).ToArray())
                {
                    _edge.OnAddressAdded(rt, aa.Address.Address);
                    // An IPv6 link-local stays tentative (unusable as a source) for a moment after the link comes
                    // up; opening the socket failed then, and this is the event that says it can work now.
                    if (rt.Socket is null && ports.Network.GetInterface(rt.Config.Interface) is { } link) OnLink(rt, link);
                }
                break;
            case AddressRemoved ar:
                foreach (var rt in _instances.Where(r => r.Link?.Index == ar.InterfaceIndex).ToArray())
                {
                    if (!_edge.OnAddressRemoved(rt, ar.Address.Address)) continue;
                    if (rt.Machine.State != VrrpState.Master) continue;
                    rt.VipsRestored++;
                    log.Warn($"{rt.Name}: {ar.Address} was removed from {rt.Config.Interface} while MASTER; restoring and announcing it");
                    hub.Event("vip_restored", rt.Name, $"{rt.Name}: {ar.Address} removed from {rt.Config.Interface} while MASTER, restored",
                        new Dictionary<string, string> { ["address"] = ar.Address.ToString(), ["interface"] = rt.Config.Interface });
                    Execute(rt, rt.Machine.Reassert(now()));
                }
                break;
        }
    }

    /// <summary>After a monitor overrun or restart we may have missed events: re-read every link.</summary>
    public void ResyncLinks()
    {
        foreach (var rt in _instances.ToArray())
        {
            var link = ports.Network.GetInterface(rt.Config.Interface);
            if (link is not null) OnLink(rt, link);
            else OnKernel(new LinkRemoved(rt.Link?.Index ?? -1, rt.Config.Interface));
            if (link is not null) _edge.LearnPresent(rt);
            if (rt.Machine.State == VrrpState.Master) _edge.ChangeVips(rt, add: true);
        }
    }

    private void Start(InstanceConfig ic)
    {
        var link = ports.Network.GetInterface(ic.Interface);
        var rt = new InstanceRuntime(ic, null!) { Link = link };
        if (link is not null)
        {
            TryOpenSocket(rt);
            _edge.LearnPresent(rt);
        }
        rt.Machine = new VrrpInstance(ic.Vrrp, rt.LocalAddress);
        _instances.Add(rt);
        _version++;

        // Fault and maintenance are set before Start, so a router whose link is down starts in FAULT instead of
        // passing through BACKUP (and its notify script) first.
        var fault = link is null ? $"interface {ic.Interface} not found"
            : rt.Socket is null ? rt.LastError ?? "no VRRP socket"
            : !(link.AdminUp && link.OperUp) ? $"{ic.Interface} is down"
            : null;
        if (fault is not null)
        {
            rt.LinkFaultReason = fault;
            rt.LastError ??= fault;
            ApplyFault(rt, "");
        }
        if (Maintenance) Execute(rt, rt.Machine.SetMaintenance(true, now()));
        Execute(rt, rt.Machine.Start(now(), _config.Global.StartupDelay));
    }

    private void TryOpenSocket(InstanceRuntime rt)
    {
        try
        {
            rt.OpenSocket(link => ports.OpenSocket(link, rt.Config), ports.StartReceiving,
                (r, packet) => post(new PacketArrived(r, packet)),
                (r, error) => post(new ReceiveFailed(r, error)));
            rt.LastError = null;
        }
        catch (Exception ex)
        {
            rt.LastError = $"cannot open VRRP socket on {rt.Config.Interface}: {ex.Message}";
            log.Error($"{rt.Name}: {rt.LastError}");
        }
    }

    /// <summary>handover: keep the VIPs until the backup has taken over (daemon stop); a reload does not wait.</summary>
    private void Stop(InstanceRuntime rt, string why, bool handover)
    {
        rt.Stopping = true;
        log.Info($"{rt.Name}: stopping ({why})");
        _version++;
        Execute(rt, rt.Machine.Shutdown(now(), handover));
    }

    private void OnLink(InstanceRuntime rt, InterfaceInfo link)
    {
        var wasUp = rt.Link is { AdminUp: true, OperUp: true } && !rt.LinkFault;
        var indexChanged = rt.Link?.Index != link.Index;
        rt.Link = link;
        if (indexChanged || rt.Socket is null) TryOpenSocket(rt);
        if (indexChanged) _edge.LearnPresent(rt);
        var up = link.AdminUp && link.OperUp && rt.Socket is not null;
        if (!up && !rt.LinkFault)
        {
            rt.LinkFaultReason = $"{link.Name} is down";
            ApplyFault(rt, "");
        }
        else if (up && rt.LinkFault)
        {
            rt.LinkFaultReason = null;
            ApplyFault(rt, $"{link.Name} is up");
        }
        else if (up && !wasUp && rt.Machine.State == VrrpState.Master)
        {
            // netifd bounces interfaces on reload and the kernel flushes addresses: put ours back.
            Execute(rt, rt.Machine.Reassert(now()));
        }
    }

    /// <summary>The machine has one fault flag; link and health faults are kept apart and combined here.</summary>
    private void ApplyFault(InstanceRuntime rt, string recovered)
    {
        var reason = rt.LinkFaultReason ?? rt.HealthFaultReason;
        if (reason is not null && (!rt.Machine.IsFaulted || rt.Machine.FaultReason != reason))
            Execute(rt, rt.Machine.SetFault(true, reason, now()));
        else if (reason is null && rt.Machine.IsFaulted)
            Execute(rt, rt.Machine.SetFault(false, recovered, now()));
    }

    private void Execute(InstanceRuntime rt, IReadOnlyList<VrrpCommand> commands)
    {
        foreach (var command in commands)
        {
            switch (command)
            {
                case AddAddresses:
                    _edge.ChangeVips(rt, add: true);
                    break;
                case RemoveAddresses:
                    _edge.ChangeVips(rt, add: false);
                    break;
                case SendAdvertisement s:
                    _edge.SendAdvert(rt, s.Priority);
                    break;
                case AnnounceAddresses a:
                    _edge.Announce(rt, a.Rounds);
                    break;
                case StateChanged c:
                    OnStateChanged(rt, c);
                    break;
                case InstanceReleased when rt.Stopping:
                    rt.Dispose();
                    _instances.Remove(rt);
                    _version++;
                    break;
            }
        }
    }

    private void OnStateChanged(InstanceRuntime rt, StateChanged c)
    {
        _version++;
        var line = $"{rt.Name}: {StateNames.Of(c.From)} -> {StateNames.Of(c.To)} ({c.Reason})";
        log.Info(line);
        hub.Event("transition", rt.Name, line, new Dictionary<string, string>
        {
            ["from"] = StateNames.Of(c.From),
            ["to"] = StateNames.Of(c.To),
            ["reason"] = c.Reason,
            ["priority"] = rt.Machine.EffectivePriority.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        notify.Instance(rt, c.To);
        // The router's role follows its first configured instance (the others belong in its sync group).
        if (_config.Instances.Count > 0 && rt.Name == _config.Instances[0].Vrrp.Name) roleInstanceChanged(rt, c);
        if (rt.Config.SyncGroup is not { } group) return;
        var members = _instances.Where(i => i.Config.SyncGroup == group).ToList();
        foreach (var (member, target) in SyncGroup.Follow(members.Select(m => m.Machine).ToList(), rt.Machine, c))
        {
            var other = members.First(m => ReferenceEquals(m.Machine, member));
            Execute(other, member.ForceState(target, $"sync group {group}: {rt.Name} is {StateNames.Of(c.To)}", now()));
        }
        notify.Group(_config.SyncGroups.FirstOrDefault(g => g.Name == group), group, members);
    }

}
