using System.Runtime.InteropServices;
using Router.Core.Config;
using Router.Core.Fencing;
using Router.Core.Leases;
using Router.Core.Roles;
using Router.Core.Vrrp;
using Router.Daemon.Control;
using Router.Daemon.Health;
using Router.Daemon.Instances;
using Router.Daemon.Leases;
using Router.Daemon.Notify;
using Router.Daemon.Observers;
using Router.Daemon.Peers;
using Router.Daemon.Roles;
using Router.Daemon.Supervision;
using Router.Integrations.Events;
using Router.Integrations.Logging;

namespace Router.Daemon;

/// <summary>
/// The one event loop and the composition of the components it owns. Every input becomes a LoopEvent in one inbox;
/// <see cref="Turn"/> handles one (or none, on a deadline), fires what is due and publishes the view if a reader would
/// see a change. <see cref="Run"/> is Turn in a loop with the wait in between; tests call Turn themselves on a fake clock.
/// </summary>
internal sealed class RouterDaemon
{
    private static readonly TimeSpan StopPlanLimit = TimeSpan.FromSeconds(30);
    /// <summary>How long a stopped daemon waits for the peer to acknowledge its last state (a round trip, normally).</summary>
    private static readonly TimeSpan PeerAckLimit = TimeSpan.FromSeconds(1);
    private readonly EventQueue _events = new();
    private readonly DaemonPorts _ports;
    private readonly Log _log;
    private readonly TimeProvider _clock;
    private readonly long _startTimestamp;
    private readonly CancellationTokenSource _monitorStop = new();
    private readonly ObserverHub _hub;
    private readonly NotifyDispatcher _notify;
    private readonly InstanceSet _instances;
    private readonly LeaseDriver _leases;
    private readonly PeerLink? _peer;
    private readonly RoleDriver _roles;
    private readonly HealthDriver? _health;
    private readonly StatusBuilder _status;
    private readonly WatchdogDriver? _watchdog;
    private RouterConfig _config;
    private bool _stopping;
    private TimeSpan? _stopDeadline;
    private TimeSpan? _ackDeadline;
    private long _publishedVersion = -1;
    private IReadOnlyList<System.Net.IPAddress> _announcedSources = [];

    public RouterDaemon(RouterConfig config, DaemonPorts ports, Log log, TimeProvider clock,
        IReadOnlyList<IRouterObserver>? observers = null, LeaseBook? leases = null)
    {
        _config = config;
        _ports = ports;
        _log = log;
        _clock = clock;
        _startTimestamp = clock.GetTimestamp();
        _hub = new ObserverHub(observers ?? [], log, clock);
        _notify = new NotifyDispatcher(log, config.Global.NotifyTimeout, (job, why) => Post(new NotifyFailed(job, why)));
        _instances = new InstanceSet(ports, log, () => Now, Post, _hub, _notify, OnRoleInstanceChanged, PeerAddresses);
        _leases = new LeaseDriver(leases, config.Leases, log, clock);
        if (config.Peers.FirstOrDefault() is { } peer) _peer = new PeerLink(peer, log, _hub);
        var runner = config.Actions.Count > 0
            ? ports.CreateStepRunner(config.Actions, r => Post(new StepDone(r)), r => Post(new EnforcementDone(r)))
            : null;
        var agentCommand = _peer?.Config.FenceCommand is { } fc ? Router.Integrations.Notify.CommandLine.Split(fc) : null;
        var agent = agentCommand is { Count: > 0 } ? ports.CreateFenceAgent(agentCommand, r => Post(new FenceAgentDone(r))) : null;
        _roles = new RoleDriver(new RoleCoordinator(new RoleCoordinatorSettings
        {
            Actions = config.Actions.Select(a => a.ToSpec()).ToList(),
            FenceResend = _peer?.Config.HeartbeatInterval ?? TimeSpan.FromSeconds(1),
            PeerDeadAfter = _peer is { } p && FastPeerDeath(p.Config) ? p.Config.DeadInterval : null,
            PeerHeartbeat = _peer?.Config.HeartbeatInterval ?? TimeSpan.FromSeconds(1),
            FenceAgentTimeout = agent is null ? null : _peer!.Config.FenceTimeout,
            EnforceInterval = config.Global.EnforceInterval,
            DriftChecked = runner?.DriftChecked ?? [],
        }, _peer is null ? null : NewFence(_peer.Config), RolePriority), runner, _peer, _leases, log, _hub, _instances.OnPeerTakeover, agent);
        if (config.Tracks.Count > 0) _health = new HealthDriver(config.Tracks, ports.Network, log, _hub, Post);
        _status = new StatusBuilder(clock, _startTimestamp);
        if (ports.Watchdog is { } watchdog) _watchdog = new WatchdogDriver(watchdog, log, error => Post(new WatchdogPinged(error)), Now);
    }

    /// <summary>Monotonic time since this daemon was built; every deadline is on this scale.</summary>
    public TimeSpan Now => _clock.GetElapsedTime(_startTimestamp);

    private byte RolePriority => _config.Instances.FirstOrDefault()?.Vrrp.Priority ?? 100;

    private string NodeName => NodeIdentity.Of(_config.Global);

    /// <summary>True once a stop has handed over every instance and the stop plan has run (or its time is up), and the
    /// peer has acknowledged our last fence state (or a short wait is over): the new master's fence needs that word
    /// to start its tunnel before the silence window, and it cannot come once the channel is closed.</summary>
    public bool Finished =>
        _stopping && _instances.All.Count == 0
        && ((_roles.Coordinator.PlanFinished && (_roles.Coordinator.PeerCaughtUp(Now) || _ackDeadline is { } a && Now >= a))
            || _stopDeadline is { } d && Now >= d);

    /// <summary>Fast peer-death detection is opt-in: it is on when the peer's heartbeats are sub-second
    /// (docs/peer-channel.md explains the trade-off).</summary>
    private static bool FastPeerDeath(PeerConfig peer) => peer.HeartbeatInterval < TimeSpan.FromSeconds(1);

    /// <summary>The earliest time something is due without any input; null when only input can change anything.</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            var next = _instances.NextDeadline;
            next = Min(next, _roles.NextDeadline);
            next = Min(next, _leases.NextDeadline);
            next = Min(next, _health?.NextDeadline);
            next = Min(next, _stopping ? _ackDeadline : null);
            // The loop must wake for the watchdog even when nothing else is due, or an idle daemon gets killed.
            next = Min(next, _watchdog?.NextDeadline);
            return Min(next, _stopping ? _stopDeadline : null);
        }
    }

    /// <summary>Posts from any thread; the loop handles it in order.</summary>
    public void Post(LoopEvent e) => _events.Post(e);

    /// <summary>The next posted event without waiting (tests step the loop with it); null when none.</summary>
    public LoopEvent? TakePending() => _events.Take(TimeSpan.Zero);

    /// <summary>For integrations that take commands (MQTT): the request goes through the loop like the control socket's.</summary>
    public RouterCommand Commands => async (command, on) =>
    {
        var r = await Ask(new ControlRequest(command, On: on)).ConfigureAwait(false);
        return (r.Ok, r.Ok ? r.Message ?? "ok" : r.Error ?? "failed");
    };

    public Task<ControlResponse> Ask(ControlRequest request)
    {
        var reply = new TaskCompletionSource<ControlResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new ControlArrived(request, reply));
        return reply.Task;
    }

    /// <summary>Everything before the first turn: roles to BACKUP, the peer channel, the instances, the probes.</summary>
    public void Start()
    {
        StartMonitor();
        _log.Info($"routerha {Cli.Version} starting: {_config.Instances.Count} instance(s) from {_config.SourcePath}, control socket {_config.Global.ControlSocket}");
        // A rebooting former master must not find its WAN or tunnel up: BACKUP state before any election.
        _roles.Boot(Now);
        if (_peer is not null) _peer.Start(_ports, NodeName, e => Post(new PeerInput(e)));
        else if (_config.Actions.Any(a => a.Fenced))
            _log.Warn("fenced actions are configured but no 'config peer': the tunnel and WAN will start without asking the other router");
        _leases.Attach(_peer?.Channel, Now);
        _instances.Start(_config);
        // Checks start up (or down with init_fail) before their first run: a positive weight counts, and a weight-0
        // init_fail check holds FAULT, from the start as in keepalived, not from the first change.
        if (_health is not null) _instances.ApplyHealth(_health.Tracker);
        if (_instances.RoleAddress is { } address) _roles.SetVrrpAddress(address, Now);
        foreach (var warning in FenceBudget.Warnings(_config)) _log.Warn(warning);
        PublishIfChanged();
    }

    /// <summary>One turn: the event (if any), then every due timer (a steady stream of packets must not starve them),
    /// then the view if it changed.</summary>
    public void Turn(LoopEvent? e)
    {
        try
        {
            if (e is not null) Handle(e);
            FireDueTimers();
            AnnounceSources();
            if (_stopping && _instances.All.Count == 0) _stopDeadline ??= Now + StopPlanLimit;
            if (_stopping && _instances.All.Count == 0 && _roles.Coordinator.PlanFinished) _ackDeadline ??= Now + PeerAckLimit;
            PublishIfChanged();
        }
        catch (Exception ex)
        {
            // A bug in one handler must not take the router down with VIPs half-moved.
            _log.Error($"internal error handling {e?.GetType().Name ?? "timer"}: {ex}");
        }
        // Only a turn that got this far feeds the watchdog: a loop stuck in a handler or a wait stops pinging. Ready once
        // the boot plan (every role action released) has finished, or has been overtaken by an elected role.
        _watchdog?.AfterTurn(Now, _roles.Coordinator.PlanFinished);
    }

    /// <summary>Runs the loop on the calling thread until the daemon has stopped; returns the exit code.</summary>
    /// <param name="listening">called once the signal handlers are installed (hands over from <see cref="EarlyHangup"/>)</param>
    public int Run(Action? listening = null)
    {
        using var control = new ControlServer(_config.Global.ControlSocket, Ask);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        listening?.Invoke();
        using var spool = _leases.HasStore
            ? DhcpEventSpool.Open(DhcpEventSpool.PathFor(_config.Global.ControlSocket), _log, e => Post(new LeaseSpooled(e)))
            : null;
        Start();
        while (!Finished) Turn(_events.Take(UntilNextDeadline()));
        // The spool stays open through the stop plan (its DHCP restart brings events); what is still in it is stored
        // now (written when the store closes, sent to the peer after the next start), later events find no spool.
        foreach (var e in spool?.Close() ?? []) OnSpooled(e);
        if (!_roles.Coordinator.PlanFinished)
            _log.Error($"stop plan still running after {StopPlanLimit.TotalSeconds:0} s ({_roles.Coordinator.Plan?.CurrentStep}): exiting anyway");
        Stop();
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        _notify.DrainAsync(drain.Token).GetAwaiter().GetResult();
        _log.Info("routerha stopped");
        return 0;
    }

    /// <summary>Stops what runs off the loop (monitor, probes, actions, peer channel).</summary>
    public void Stop()
    {
        _monitorStop.Cancel();
        _health?.Stop();
        _roles.Stop();
        _peer?.Stop();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Post(new SignalArrived(context.Signal));
    }

    private void StartMonitor()
    {
        var stop = _monitorStop.Token;
        Router.Core.Ports.INetlinkMonitor monitor;
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
        if (NextDeadline is not { } next) return Timeout.InfiniteTimeSpan;
        var due = next - Now;
        // Monitor waits in whole milliseconds: round up, or a sub-millisecond remainder becomes a spin.
        return due <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(due.TotalMilliseconds));
    }

    private void FireDueTimers()
    {
        var now = Now;
        _instances.OnTimer(now);
        _roles.OnTimer(now);
        if (_leases.NextDeadline is { } l && l <= now)
        {
            _leases.OnTimer(now);
            _roles.OnLeaseSync(now);
        }
        if (_health?.NextDeadline is { } h && h <= now && _health.OnTimer(now)) _instances.ApplyHealth(_health.Tracker);
    }

    private void Handle(LoopEvent e)
    {
        switch (e)
        {
            case PacketArrived p:
                _instances.OnPacket(p.Instance, p.Packet);
                break;
            case KernelChanged k:
                _instances.OnKernel(k.Event);
                break;
            case ReceiveFailed f:
                _instances.OnReceiveFailed(f.Instance, f.Error);
                break;
            case KernelMonitorFailed m:
                _log.Error($"kernel monitor stopped: {m.Error.Message}; restarting it");
                StartMonitor();
                _instances.ResyncLinks();
                break;
            case StepDone d:
                _roles.OnStepDone(d.Result, Now);
                break;
            case EnforcementDone d:
                _roles.OnEnforcementDone(d.Result, Now);
                break;
            case FenceAgentDone f:
                _roles.OnFenceAgentDone(f.Result, Now);
                break;
            case ProbeDone p:
                if (_health?.OnProbeDone(p, Now) == true) _instances.ApplyHealth(_health.Tracker);
                break;
            case PeerInput p:
                OnPeer(p.Event);
                break;
            case NotifyFailed n:
                _hub.Event("notify_failed", null, $"notify {n.Job.Argv[0]} failed: {n.Reason}",
                    new Dictionary<string, string> { ["script"] = string.Join(' ', n.Job.Argv), ["error"] = n.Reason });
                break;
            case ControlArrived c:
                c.Reply.TrySetResult(OnControl(c.Request));
                break;
            case LeaseSpooled l:
                OnSpooled(l.Environ);
                break;
            case SignalArrived { Signal: PosixSignal.SIGHUP }:
                var (ok, message) = Reload();
                if (ok) _log.Info(message); else _log.Error(message);
                break;
            case SignalArrived s:
                _log.Info($"{s.Signal} received: handing over and stopping");
                Shutdown();
                break;
            case WatchdogPinged w:
                _watchdog?.OnPinged(w.Error);
                break;
        }
    }

    private void OnPeer(Router.Peers.PeerEvent e)
    {
        if (_peer is null) return;
        var now = Now;
        _peer.OnEvent(e, now);
        _leases.OnPeer(e, _peer.AnyPathUp, now);
        _roles.OnPeer(e, now);
        if (e is not Router.Peers.PeerHeartbeat) _roles.OnLeaseSync(now);
    }

    /// <summary>The addresses the peer is known by, once it has spoken over the authenticated channel since this start: every
    /// configured path's remote end, and the advert sources of the peer's instances it announced (kept after the channel
    /// drops: it was the peer's word). Before that, none: the RFC rule (anyone may be master) applies, because a peer we
    /// cannot talk to (a wrong secret, the other protocol version mid-upgrade, a cable-only channel that is down) may
    /// advertise from an address we cannot know, and ignoring it would make two masters, then two tunnels.</summary>
    private IEnumerable<System.Net.IPAddress> PeerAddresses()
    {
        if (_roles?.Coordinator.Fence?.Peer is not { } state) yield break;
        foreach (var peer in _config.Peers)
            foreach (var path in peer.Paths)
                yield return path.Remote;
        if (state.VrrpAddress is { } announced) yield return announced;
        foreach (var source in state.VrrpSources ?? []) yield return source;
    }

    /// <summary>Tells the peer our instances' advert sources when they changed (a socket opens late, a reload): its
    /// instances trust only those and our path addresses.</summary>
    private void AnnounceSources()
    {
        if (_peer is null) return;
        var sources = _instances.AdvertSources;
        if (sources.SequenceEqual(_announcedSources)) return;
        _announcedSources = sources;
        _roles.SetVrrpSources(sources, Now);
    }

    /// <summary>The role instance changed state: the plan follows, and the fence learns our new role.</summary>
    private void OnRoleInstanceChanged(InstanceRuntime rt, StateChanged c)
    {
        var target = c.To switch
        {
            VrrpState.Master => RoleTarget.Master,
            VrrpState.Backup => RoleTarget.Backup,
            VrrpState.Fault => RoleTarget.Fault,
            _ => RoleTarget.Stopped,
        };
        // The socket (and so the advert source) may have come after the start: the peer must know us by it.
        if (InstanceSet.AdvertSource(rt) is { } address) _roles.SetVrrpAddress(address, Now);
        _roles.OnVrrpRole(target, rt.Machine.EffectivePriority, c.Reason, Now);
    }

    private ControlResponse OnControl(ControlRequest request)
    {
        switch (request.Cmd)
        {
            case "status":
                var status = _status.Build(_config, _instances, _roles, _peer, _leases, _health, _notify, _hub, Now);
                return new ControlResponse(true, Status: status with { Watchdog = _watchdog?.Status(Now) });
            case "switchover":
                return _instances.Switchover(request.Instance);
            case "maintenance" when request.On is { } on:
                _instances.SetMaintenance(on);
                return new ControlResponse(true, Message: on
                    ? "maintenance on: this router stays BACKUP until 'routerha maintenance off'"
                    : "maintenance off: this router takes part in elections again");
            case "maintenance":
                return new ControlResponse(false, "maintenance needs on or off");
            case "reload":
                var (ok, message) = Reload();
                return ok ? new ControlResponse(true, Message: message) : new ControlResponse(false, message);
            case "lease":
                var response = _leases.OnLease(request, Now);
                _roles.OnLeaseSync(Now);
                return response;
            default:
                return new ControlResponse(false, $"unknown command '{request.Cmd}'");
        }
    }

    /// <summary>SIGHUP / `routerha reload`: a bad file changes nothing; unchanged instances keep running untouched.</summary>
    private (bool Ok, string Message) Reload()
    {
        var errors = new List<ConfigError>();
        var fresh = ConfigFile.Load(_config.SourcePath, _ports.Network, errors);
        if (fresh is null)
        {
            foreach (var err in errors) _log.Error(err.ToString());
            return (false, $"reload refused, still running the previous config: {string.Join("; ", errors.Take(5))}");
        }
        if (fresh.Global.ControlSocket != _config.Global.ControlSocket)
            _log.Warn("control_socket changed: takes effect on restart");
        if (Log.TryParseLevel(fresh.Global.LogLevel, out var level)) _log.Minimum = level;
        _config = fresh with { Global = fresh.Global with { ControlSocket = _config.Global.ControlSocket } };
        var summary = _instances.Reload(_config);
        _roles.SetEnforceInterval(_config.Global.EnforceInterval, Now);
        if (_instances.RoleAddress is { } address) _roles.SetVrrpAddress(address, Now);
        return (true, summary);
    }

    private void Shutdown()
    {
        if (!_stopping) _watchdog?.Stopping();
        _stopping = true;
        // The stop plan is the last word: a check queued behind it would only hold up the exit.
        _roles.SetEnforceInterval(TimeSpan.Zero, Now);
        _instances.StopAll("daemon stopping", handover: true);
    }

    /// <summary>A hotplug lease event, stored as `routerha dhcp-script` would have had it stored; no one waits for an answer.</summary>
    private void OnSpooled(byte[] environ)
    {
        var (spooled, error) = HotplugLeaseEvent.Parse(environ, NodeIdentity.KernelHostname());
        if (error is not null) _log.Warn($"dhcp event spool: {error}: dropped");
        if (spooled is null) return;
        var response = _leases.OnLease(new ControlRequest("lease", Args: spooled.Args, Env: spooled.Env), Now);
        _roles.OnLeaseSync(Now);
        if (!response.Ok) _log.Warn($"dhcp event {string.Join(' ', spooled.Args[..3])} not stored: {response.Error}");
    }

    private void PublishIfChanged()
    {
        if (!_hub.Any) return;
        var version = _instances.Version + _roles.Coordinator.Version + (_peer?.Version ?? 0) + _leases.Version;
        if (version == _publishedVersion) return;
        _publishedVersion = version;
        _hub.View(ViewBuilder.Build(NodeName, _instances, _roles, _peer, _leases, Now));
    }

    /// <summary>A random boot id per start: the peer tells a restarted router's states from the old run's.</summary>
    private TunnelFence NewFence(PeerConfig peer) => new(new FenceSettings
    {
        Paths = peer.Paths.Select(p => p.Name).ToList(),
        SilenceWindow = peer.FenceWindow,
        PeerAliveWindow = peer.DeadInterval,
    }, (ulong)Random.Shared.NextInt64(), peer.Paths[0].Local, RolePriority, Now);

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);
}
