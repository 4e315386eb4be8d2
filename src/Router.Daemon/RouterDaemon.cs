using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Router.Core.Config;
using Router.Core.Ports;
using Router.Core.Vrrp;
using Router.Daemon.Control;
using Router.Integrations.Events;
using Router.Integrations.Logging;
using Router.Integrations.Notify;

namespace Router.Daemon;

/// <summary>The kernel-facing pieces the daemon drives, so the loop can be composed with fakes.</summary>
internal sealed record DaemonPorts(
    INetworkControl Network,
    Func<INetlinkMonitor> OpenMonitor,
    IAddressAnnouncer Announcer,
    Func<InterfaceInfo, InstanceConfig, IVrrpSocket> OpenSocket,
    Func<ILinkControl> OpenLinkControl);

/// <summary>
/// The one event loop: every input becomes a LoopEvent in one inbox and is handled here, in order, on one thread.
/// Only this class mutates instance state; VRRP decisions come from the pure VrrpInstance.
/// </summary>
internal sealed partial class RouterDaemon
{
    private readonly EventQueue _events = new();
    private readonly List<InstanceRuntime> _instances = [];
    private readonly Dictionary<string, VrrpState> _groupStates = [];
    private readonly DaemonPorts _ports;
    private readonly Log _log;
    private readonly TimeProvider _clock;
    private readonly long _startTimestamp;
    private readonly DateTimeOffset _startWall;
    private readonly NotifyRunner _notify;
    private readonly CancellationTokenSource _monitorStop = new();
    private RouterConfig _config;
    private readonly IReadOnlyList<IRouterObserver> _observers;
    private bool _stopping;
    private bool _maintenance;
    /// <summary>Something observers can see changed during this loop turn: push a fresh view after it.</summary>
    private bool _viewDirty = true;

    public RouterDaemon(RouterConfig config, DaemonPorts ports, Log log, TimeProvider clock, IReadOnlyList<IRouterObserver>? observers = null)
    {
        _observers = observers ?? [];
        _config = config;
        _ports = ports;
        _log = log;
        _clock = clock;
        _startTimestamp = clock.GetTimestamp();
        _startWall = clock.GetUtcNow();
        _notify = new NotifyRunner(log, config.Global.NotifyTimeout, (job, why) => Post(new NotifyFailed(job, why)));
    }

    private TimeSpan Now => _clock.GetElapsedTime(_startTimestamp);

    private void Post(LoopEvent e) => _events.Post(e);

    /// <summary>Runs the loop on the calling thread until the daemon has stopped; returns the exit code.</summary>
    public int Run()
    {
        using var control = new ControlServer(_config.Global.ControlSocket, request =>
        {
            var reply = new TaskCompletionSource<ControlResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(new ControlArrived(request, reply));
            return reply.Task;
        });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        StartMonitor();

        _log.Info($"routerha {Cli.Version} starting: {_config.Instances.Count} instance(s) from {_config.SourcePath}, control socket {control.Path}");
        StartRoles();
        foreach (var ic in _config.Instances) StartInstance(ic);
        StartHealth();

        while (!_stopping || _instances.Count > 0 || !RolesSettled())
        {
            var e = _events.Take(UntilNextDeadline());
            try
            {
                if (e is not null) Handle(e);
                // Timers are checked after every event too: a steady stream of packets must not starve them.
                FireDueTimers();
                FenceTick();
                if (_viewDirty) PublishView();
            }
            catch (Exception ex)
            {
                // A bug in one handler must not take the router down with VIPs half-moved.
                _log.Error($"internal error handling {e?.GetType().Name ?? "timer"}: {ex}");
            }
        }

        _monitorStop.Cancel();
        _probeStop.Cancel();
        StopRoles();
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        _notify.DrainAsync(drain.Token).GetAwaiter().GetResult();
        _log.Info("routerha stopped");
        return 0;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Post(new SignalArrived(context.Signal));
    }

    private void StartMonitor()
    {
        var stop = _monitorStop.Token;
        INetlinkMonitor monitor;
        try
        {
            monitor = _ports.OpenMonitor();
        }
        catch (Exception e)
        {
            _log.Error($"cannot watch the kernel for link/address changes: {e.Message}");
            return;
        }
        _ = Task.Run(async () =>
        {
            using var _ = monitor;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    Post(new KernelChanged(await monitor.ReadAsync(stop)));
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    Post(new KernelMonitorFailed(e));
                    return;
                }
            }
        });
    }

    private TimeSpan UntilNextDeadline()
    {
        TimeSpan? next = null;
        foreach (var rt in _instances)
        {
            if (rt.Machine.NextDeadline is { } d && (next is null || d < next)) next = d;
            if (rt.ReleaseAt is { } r && (next is null || r < next)) next = r;
        }
        if (NextRoleDeadline() is { } role && (next is null || role < next)) next = role;
        if (_health?.NextDeadline is { } h && (next is null || h < next)) next = h;
        if (_stopping && _stopDeadline is { } stop && (next is null || stop < next)) next = stop;
        if (next is null) return Timeout.InfiniteTimeSpan;
        var due = next.Value - Now;
        // Monitor waits in whole milliseconds: round up, or a sub-millisecond remainder becomes a spin.
        return due <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(due.TotalMilliseconds));
    }

    private void FireDueTimers()
    {
        var now = Now;
        foreach (var rt in _instances.ToArray())
        {
            if (rt.Machine.NextDeadline is { } d && d <= now)
                Execute(rt, rt.Machine.OnTimer(now));
            if (rt.ReleaseAt is { } r && r <= now)
                Release(rt, "no new master heard");
        }
        FireRoleTimers(now);
        FireHealthTimers(now);
    }

    private void Handle(LoopEvent e)
    {
        switch (e)
        {
            case PacketArrived p:
                p.Instance.PacketHandled();
                OnPacket(p.Instance, p.Packet);
                break;
            case AnnounceRound a:
                if (_instances.Contains(a.Instance) && a.Instance.Machine.State == VrrpState.Master)
                    Announce(a.Instance, a.Remaining);
                break;
            case KernelChanged k:
                OnKernel(k.Event);
                break;
            case ReceiveFailed f:
                OnReceiveFailed(f.Instance, f.Error);
                break;
            case KernelMonitorFailed m:
                _log.Error($"kernel monitor stopped: {m.Error.Message}; restarting it");
                StartMonitor();
                ResyncLinks();
                break;
            case StepDone d:
                OnStepDone(d.Result);
                break;
            case ProbeDone p:
                OnProbeDone(p);
                break;
            case PeerInput p:
                OnPeer(p.Event);
                break;
            case NotifyFailed n:
                PublishEvent("notify_failed", null, $"notify {n.Job.Argv[0]} failed: {n.Reason}",
                    new Dictionary<string, string> { ["script"] = string.Join(' ', n.Job.Argv), ["error"] = n.Reason });
                break;
            case ControlArrived c:
                c.Reply.TrySetResult(OnControl(c.Request));
                break;
            case SignalArrived { Signal: PosixSignal.SIGHUP }:
                var (ok, message) = Reload();
                if (ok) _log.Info(message); else _log.Error(message);
                break;
            case SignalArrived s:
                _log.Info($"{s.Signal} received: handing over and stopping");
                Shutdown();
                break;
        }
    }

    // ---- instances ------------------------------------------------------------------------------

    private void StartInstance(InstanceConfig ic)
    {
        var link = _ports.Network.GetInterface(ic.Interface);
        var rt = new InstanceRuntime(ic, null!) { Link = link };
        if (link is not null) TryOpenSocket(rt);
        rt.Machine = new VrrpInstance(ic.Vrrp, rt.LocalAddress);
        _instances.Add(rt);

        // A router that crashed as MASTER may still hold the VIPs; a backup must not answer for them.
        if (!ic.Vrrp.IsAddressOwner && link is not null) RemoveVips(rt);

        // Fault and maintenance are set before Start, so a router whose link is down starts in FAULT
        // instead of passing through BACKUP (and its notify script) first.
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
        if (_maintenance) Execute(rt, rt.Machine.SetMaintenance(true, Now));
        Execute(rt, rt.Machine.Start(Now, _config.Global.StartupDelay));
    }

    private void TryOpenSocket(InstanceRuntime rt)
    {
        try
        {
            rt.OpenSocket(link => _ports.OpenSocket(link, rt.Config),
                (r, packet) => Post(new PacketArrived(r, packet)),
                (r, error) => Post(new ReceiveFailed(r, error)));
            rt.LastError = null;
        }
        catch (Exception ex)
        {
            rt.LastError = $"cannot open VRRP socket on {rt.Config.Interface}: {ex.Message}";
            _log.Error($"{rt.Name}: {rt.LastError}");
        }
    }

    /// <summary>handover: keep the VIPs until the backup has taken over (daemon stop); a reload does not wait.</summary>
    private void StopInstance(InstanceRuntime rt, string why, bool handover)
    {
        rt.Stopping = true;
        rt.HandoverRequested = handover;
        Execute(rt, rt.Machine.Shutdown(Now));
        _log.Info($"{rt.Name}: stopping ({why})");
        if (rt.ReleaseAt is null) Release(rt, why);
    }

    /// <summary>The end of a handover: the VIPs go; a stopping instance leaves the loop.</summary>
    private void Release(InstanceRuntime rt, string why)
    {
        if (rt.ReleaseAt is not null) _log.Info($"{rt.Name}: releasing VIPs ({why})");
        rt.ReleaseAt = null;
        if (rt.Machine.State != VrrpState.Master) RemoveVips(rt);
        if (!rt.Stopping) return;
        rt.Dispose();
        _instances.Remove(rt);
    }

    private void Shutdown()
    {
        foreach (var rt in _instances.ToArray()) StopInstance(rt, "daemon stopping", handover: true);
        _stopping = true;
    }

    // ---- commands from the state machine --------------------------------------------------------

    private void Execute(InstanceRuntime rt, IReadOnlyList<VrrpCommand> commands)
    {
        // The machine emits the announce before the state change; the VIP must be on the link before
        // we claim it by gratuitous ARP, or neighbours learn an address nobody answers for.
        if (commands.Any(c => c is StateChanged { To: VrrpState.Master }))
        {
            rt.ReleaseAt = null;
            AddVips(rt);
        }
        foreach (var command in commands)
        {
            switch (command)
            {
                case SendAdvertisement s:
                    SendAdvert(rt, s.Priority);
                    break;
                case AnnounceAddresses:
                    Announce(rt, Math.Max(1, rt.Settings.GarpRepeat));
                    break;
                case StateChanged c:
                    OnStateChanged(rt, c);
                    break;
            }
        }
    }

    private void SendAdvert(InstanceRuntime rt, byte priority)
    {
        var socket = rt.Socket;
        if (socket is null) return;
        var adv = rt.Advertisement(priority);
        foreach (var destination in rt.Destinations())
        {
            try
            {
                socket.Send(VrrpCodec.Encode(adv, socket.SourceAddress, destination), destination);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                rt.LastError = $"send to {destination} failed: {ex.Message}";
                _log.Debug($"{rt.Name}: {rt.LastError}");
            }
        }
    }

    /// <summary>One round now; the rest spaced by garp_interval (or all at once when it is 0).</summary>
    private void Announce(InstanceRuntime rt, int rounds)
    {
        var link = rt.Link;
        if (link is null) return;
        var interval = rt.Settings.GarpInterval;
        var now = interval <= TimeSpan.Zero ? rounds : 1;
        for (var i = 0; i < now; i++)
            foreach (var vip in rt.Settings.VirtualAddresses)
            {
                try { _ports.Announcer.Announce(link, vip); }
                catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
                {
                    rt.LastError = $"announce {vip} failed: {ex.Message}";
                    _log.Warn($"{rt.Name}: {rt.LastError}");
                }
            }
        var remaining = rounds - now;
        if (remaining > 0)
            _ = Task.Delay(interval, _clock).ContinueWith(_ => Post(new AnnounceRound(rt, remaining)), TaskScheduler.Default);
    }

    private void OnStateChanged(InstanceRuntime rt, StateChanged c)
    {
        _log.Info($"{rt.Name}: {Name(c.From)} -> {Name(c.To)} ({c.Reason})");
        PublishEvent("transition", rt, $"{rt.Name}: {Name(c.From)} -> {Name(c.To)} ({c.Reason})", new Dictionary<string, string>
        {
            ["from"] = Name(c.From),
            ["to"] = Name(c.To),
            ["reason"] = c.Reason,
            ["priority"] = rt.Machine.EffectivePriority.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        if (c.From == VrrpState.Master && c.To != VrrpState.Master)
        {
            if (rt.HandoverRequested)
                rt.ReleaseAt = Now + 4 * rt.Settings.AdvertInterval + TimeSpan.FromMilliseconds(10);
            else
                RemoveVips(rt);
        }
        rt.HandoverRequested = false;
        Notify(rt, c.To);
        if (rt == RoleInstance) OnRoleInstanceChanged(rt, c);
        if (rt.Config.SyncGroup is { } group)
        {
            var members = _instances.Where(i => i.Config.SyncGroup == group).ToList();
            foreach (var (member, target) in SyncGroup.Follow(members.Select(m => m.Machine).ToList(), rt.Machine, c))
            {
                var other = members.First(m => ReferenceEquals(m.Machine, member));
                Execute(other, member.ForceState(target, $"sync group {group}: {rt.Name} is {Name(c.To)}", Now));
            }
            NotifyGroup(group, members);
        }
    }

    /// <summary>Group scripts run once per group state, when every member has arrived in it.</summary>
    private void NotifyGroup(string group, List<InstanceRuntime> members)
    {
        var state = members[0].Machine.State;
        if (members.Any(m => m.Machine.State != state)) return;
        if (_groupStates.TryGetValue(group, out var last) && last == state) return;
        _groupStates[group] = state;
        if (_config.SyncGroups.FirstOrDefault(g => g.Name == group) is not { } config) return;
        var name = state == VrrpState.Initialize ? "STOP" : Name(state);
        var env = new Dictionary<string, string> { ["ROUTERHA_GROUP"] = group, ["ROUTERHA_STATE"] = name };
        EnqueueNotify(config.Notify, state, ["GROUP", group, name], env);
    }

    private void AddVips(InstanceRuntime rt) => ChangeVips(rt, add: true);

    private void RemoveVips(InstanceRuntime rt) => ChangeVips(rt, add: false);

    /// <summary>Both directions are idempotent in the kernel port; a failure is kept for status, never thrown.</summary>
    private void ChangeVips(InstanceRuntime rt, bool add)
    {
        if (rt.Link is not { } link) return;
        foreach (var vip in rt.Config.VirtualPrefixes)
        {
            try
            {
                if (add) _ports.Network.AddAddress(link.Index, vip);
                else _ports.Network.RemoveAddress(link.Index, vip);
            }
            catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException)
            {
                rt.LastError = add ? $"cannot add {vip} to {link.Name}: {ex.Message}" : $"cannot remove {vip} from {link.Name}: {ex.Message}";
                _log.Error($"{rt.Name}: {rt.LastError}");
            }
        }
    }

    private void Notify(InstanceRuntime rt, VrrpState state)
    {
        var name = state == VrrpState.Initialize ? "STOP" : Name(state);
        var priority = rt.Machine.EffectivePriority.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string>
        {
            ["ROUTERHA_INSTANCE"] = rt.Name,
            ["ROUTERHA_STATE"] = name,
            ["ROUTERHA_PRIORITY"] = priority,
            ["ROUTERHA_INTERFACE"] = rt.Config.Interface,
            ["ROUTERHA_VRID"] = rt.Settings.Vrid.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        EnqueueNotify(rt.Config.Notify, state, ["INSTANCE", rt.Name, name, priority], env);
    }

    /// <summary>keepalived order: the state-specific script first, then the generic one with arguments.</summary>
    private void EnqueueNotify(NotifyConfig n, VrrpState state, string[] genericArgs, Dictionary<string, string> env)
    {
        var specific = state switch
        {
            VrrpState.Master => n.NotifyMaster,
            VrrpState.Backup => n.NotifyBackup,
            VrrpState.Fault => n.NotifyFault,
            _ => n.NotifyStop,
        };
        if (specific is not null) Enqueue(CommandLine.Split(specific), env);
        if (n.Notify is not null) Enqueue([.. CommandLine.Split(n.Notify), .. genericArgs], env);
    }

    private void Enqueue(IReadOnlyList<string> argv, Dictionary<string, string> env)
    {
        if (argv.Count > 0) _notify.Enqueue(new NotifyJob(argv, env));
    }

    internal static string Name(VrrpState s) => s switch
    {
        VrrpState.Master => "MASTER",
        VrrpState.Backup => "BACKUP",
        VrrpState.Fault => "FAULT",
        _ => "INIT",
    };
}
