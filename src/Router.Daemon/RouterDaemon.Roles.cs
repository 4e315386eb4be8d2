using System.Net;
using Router.Core.Config;
using Router.Core.Fencing;
using Router.Core.Roles;
using Router.Core.Vrrp;
using Router.Daemon.Control;
using Router.Integrations.Actions;
using Router.Peers;

namespace Router.Daemon;

/// <summary>
/// What MASTER means beyond the VIP: the role plan (WAN, fence, tunnel, DHCP), and the fence that keeps the
/// tunnel on one router. The router's role follows its first configured instance (put the others in its sync group).
/// </summary>
internal sealed partial class RouterDaemon
{
    private static readonly TimeSpan StopPlanLimit = TimeSpan.FromSeconds(30);
    private PlanRunner? _plan;
    private ActionExecutor? _executor;
    private readonly Dictionary<long, PlanStep> _runningSteps = [];
    private long? _fenceTicket;
    /// <summary>The role the plan runs: the VRRP role, except BACKUP while the fence sees a better live MASTER.</summary>
    private RoleTarget? _role;
    /// <summary>The role instance's VRRP role, as the fence and the peer know it.</summary>
    private RoleTarget _vrrpRole = RoleTarget.Backup;
    /// <summary>The peer is a live MASTER that outranks us (a LAN partition with the peer channel up): VRRP keeps
    /// serving our side of the LAN, but WAN, tunnel and DHCP stay as on a BACKUP.</summary>
    private bool _fenceDemoted;
    private TunnelStatus _tunnel = TunnelStatus.Released;
    private TunnelFence? _fence;
    private PeerChannel? _peer;
    private PeerConfig? _peerConfig;
    private TimeSpan? _fenceRecheck;
    private TimeSpan _nextFenceSend;
    private string? _lastFenceReason;
    private readonly Dictionary<PeerRefusal, (long Count, TimeSpan LastLogged)> _refusals = [];
    private TimeSpan? _stopDeadline;

    /// <summary>Whose state is the router's role: the first instance in the config.</summary>
    private InstanceRuntime? RoleInstance =>
        _config.Instances.Count == 0 ? null : _instances.FirstOrDefault(r => r.Name == _config.Instances[0].Vrrp.Name);

    private void StartRoles()
    {
        if (_config.Actions.Count > 0)
        {
            var env = new ActionEnvironment(new CommandRunner(), _ports.OpenLinkControl);
            _executor = new ActionExecutor(ActionFactory.CreateAll(_config.Actions, env), r => Post(new StepDone(r)));
            _plan = new PlanRunner(_config.Actions.Select(a => a.ToSpec()).ToList());
            // A rebooting former master must not find its WAN or tunnel up: BACKUP state before any election.
            _role = RoleTarget.Backup;
            ExecutePlan(_plan.Boot(Now));
        }
        if (_config.Peers.FirstOrDefault() is { } peer) StartPeer(peer);
        else if (_config.Actions.Any(a => a.Fenced))
            _log.Warn("fenced actions are configured but no 'config peer': the tunnel will start without asking the other router");
    }

    private void StartPeer(PeerConfig peer)
    {
        _peerConfig = peer;
        var first = _config.Instances.FirstOrDefault();
        var address = peer.Paths[0].Local;
        _fence = new TunnelFence(new FenceSettings { Paths = peer.Paths.Select(p => p.Name).ToList(), SilenceWindow = peer.FenceWindow, PeerAliveWindow = peer.DeadInterval },
            (ulong)Random.Shared.NextInt64(), address, first?.Vrrp.Priority ?? 100, Now);
        try
        {
            var secret = peer.SecretFile is { } file ? PeerSecret.FromFile(file) : PeerSecret.FromText(peer.Secret!);
            _peer = new PeerChannel(new PeerChannelOptions
            {
                NodeId = _config.Global.NodeName ?? Environment.MachineName,
                SoftwareVersion = Cli.Version,
                Secret = secret,
                Paths = peer.Paths.Select(p => new PeerPath(p.Name, new IPEndPoint(p.Local, peer.Port),
                    new IPEndPoint(p.Remote, peer.Port), p.Local)).ToList(),
                HeartbeatInterval = peer.HeartbeatInterval,
                DeadInterval = peer.DeadInterval,
            }, e => Post(new PeerInput(e)));
            _peer.Start();
            _log.Info($"peer channel to {peer.Name}: {string.Join(", ", peer.Paths)} port {peer.Port}");
            StartLeaseSync();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException or ArgumentException)
        {
            // The fence still works without the channel: it waits for the silence window, which is the safe side.
            _log.Error($"peer channel to {peer.Name} not started: {e.Message}; the tunnel will wait the full fence window");
            _peer = null;
        }
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
        _vrrpRole = target;
        if (_fence is not null)
        {
            _fence.SetLocal(FenceRoleOf(target), rt.Machine.EffectivePriority, _tunnel, Now);
            // Ask the fence before the plan moves: a MASTER across a LAN cut must not start WAN even for a moment.
            _fenceDemoted = _fence.Evaluate(Now).StepDown;
        }
        UpdateRole(c.Reason);
    }

    /// <summary>Runs the plan for the role this router should play now (VRRP role, demoted by the fence).</summary>
    private void UpdateRole(string reason)
    {
        var target = _vrrpRole == RoleTarget.Master && _fenceDemoted ? RoleTarget.Backup : _vrrpRole;
        if (target == _role) return;
        _role = target;
        if (_plan is not null) ExecutePlan(_plan.Transition(target, reason, Now));
    }

    private static FenceRole FenceRoleOf(RoleTarget t) => t switch
    {
        RoleTarget.Master => FenceRole.Master,
        RoleTarget.Fault => FenceRole.Fault,
        _ => FenceRole.Backup,
    };

    private void ExecutePlan(IReadOnlyList<PlanCommand> commands)
    {
        foreach (var command in commands)
        {
            switch (command)
            {
                case StartStep { Step.Phase: StepPhase.Fence } s:
                    _fenceTicket = s.Ticket; // answered by FenceTick, now or when the gate opens
                    break;
                case StartStep { Step: { Phase: StepPhase.Dhcp, Direction: ActionDirection.Start } } s when HoldDhcpStart(s):
                    break; // lease sync hook: started by LeaseTick once the peer's leases are here
                case StartStep s:
                    RunStep(s);
                    break;
                case CancelStep c:
                    if (_fenceTicket == c.Ticket) _fenceTicket = null;
                    else if (!DropDhcpHold(c.Ticket) && _runningSteps.Remove(c.Ticket, out var step))
                    {
                        _executor?.Cancel(c.Ticket);
                        // A cancelled start may have half-started the tunnel: not Released until a stop says so.
                        if (step.Phase == StepPhase.Tunnel) SetTunnel(TunnelStatus.Stopping);
                    }
                    break;
                case PlanCompleted p:
                    var how = p.Failed.Count == 0 ? "done" : $"done with failures: {string.Join(", ", p.Failed)}";
                    if (p.Failed.Count == 0) _log.Info($"role {RoleNames.Of(p.Target)} plan {how} in {p.Duration.TotalSeconds:0.###} s");
                    else _log.Warn($"role {RoleNames.Of(p.Target)} plan {how} ({p.Duration.TotalSeconds:0.###} s)");
                    PublishEvent("plan", null, $"role {RoleNames.Of(p.Target)} plan {how}", new Dictionary<string, string>
                    {
                        ["target"] = RoleNames.Of(p.Target),
                        ["failed"] = string.Join(",", p.Failed),
                        ["duration_ms"] = p.Duration.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
                    });
                    break;
            }
        }
        _viewDirty = true;
    }

    private void RunStep(StartStep s)
    {
        if (s.Step.Phase == StepPhase.Tunnel)
            SetTunnel(s.Step.Direction == ActionDirection.Start ? TunnelStatus.Starting : TunnelStatus.Stopping);
        _runningSteps[s.Ticket] = s.Step;
        _log.Info($"role {RoleNames.Of(s.Target)}: {s.Step.Name} {s.Step.Direction.ToString().ToLowerInvariant()}" +
                  (s.Attempt > 1 ? $" (attempt {s.Attempt})" : ""));
        _executor!.Start(s);
    }

    private void OnStepDone(StepResult r)
    {
        if (_plan is null) return;
        if (_runningSteps.Remove(r.Ticket, out var step))
        {
            if (step.Phase == StepPhase.Tunnel)
                SetTunnel(step.Direction == ActionDirection.Start
                    ? (r.Ok ? TunnelStatus.Up : TunnelStatus.Starting)
                    : (r.Ok ? TunnelStatus.Released : TunnelStatus.Stopping));
            if (!r.Ok)
            {
                _log.Warn($"action {step.Name} {step.Direction.ToString().ToLowerInvariant()} failed: {r.Error}");
                PublishEvent("action_failed", null, $"{step.Name} {step.Direction.ToString().ToLowerInvariant()} failed: {r.Error}",
                    new Dictionary<string, string> { ["action"] = step.Name, ["error"] = r.Error ?? "" });
            }
        }
        ExecutePlan(_plan.StepFinished(r.Ticket, r.Ok, r.Error, Now));
    }

    private void SetTunnel(TunnelStatus status)
    {
        _tunnel = status;
        _fence?.SetLocal(FenceRoleOf(_vrrpRole), RoleInstance?.Machine.EffectivePriority ?? 100, status, Now);
    }

    /// <summary>Once per loop turn: share our state, apply the fence's verdict to the plan.
    /// StopTunnel needs nothing here: it is only set when we are not MASTER, and leaving MASTER runs the stop plan.</summary>
    private void FenceTick()
    {
        if (_fence is null)
        {
            // No peer configured: nothing to ask, the fence step passes (warned about at start).
            if (_fenceTicket is { } t && _plan is not null)
            {
                _fenceTicket = null;
                ExecutePlan(_plan.StepFinished(t, true, null, Now));
            }
            return;
        }
        SendFenceState();
        var v = _fence.Evaluate(Now);
        _fenceRecheck = v.RecheckAt;
        foreach (var e in _fence.TakeEvents()) OnFenceEvent(e);
        if (v.Reason != _lastFenceReason)
        {
            _lastFenceReason = v.Reason;
            _log.Info($"fence: {v.Gate} ({v.Reason})");
            _viewDirty = true;
        }
        if (_fenceTicket is { } ticket && _plan is not null && v.Gate != TunnelGate.Wait)
        {
            _fenceTicket = null;
            var ok = v.Gate == TunnelGate.Allowed;
            ExecutePlan(_plan.StepFinished(ticket, ok, ok ? null : v.Reason, Now));
        }
        if (v.StepDown != _fenceDemoted)
        {
            // Forcing VRRP down would not hold: across a LAN cut no advert arrives and the master-down timer
            // makes us MASTER again, flapping WAN with it. The plan is what must not run twice, so demote that.
            _fenceDemoted = v.StepDown;
            if (v.StepDown) _log.Warn($"fence: WAN, tunnel and DHCP stay down here ({v.Reason})");
            else _log.Info("fence: no better live MASTER any more");
            UpdateRole(v.StepDown ? $"fencing: {v.Reason}" : "fence: no better live MASTER");
        }
        SendFenceState();
    }

    private void SendFenceState()
    {
        if (_fence is null) return;
        var state = _fence.TakeStateToSend();
        if (state is null && Now >= _nextFenceSend) state = _fence.LocalState; // repairs frames lost on a dropped path
        if (state is null) return;
        _nextFenceSend = Now + (_peerConfig?.HeartbeatInterval ?? TimeSpan.FromSeconds(1));
        _peer?.Send(FenceMessageTypes.State, FenceCodec.Encode(state));
    }

    private void OnFenceEvent(FenceEvent e)
    {
        switch (e)
        {
            case DualMasterStarted d:
                _log.Warn($"dual master: {d.PeerAddress} (priority {d.PeerPriority}) is MASTER too; {(d.WeStepDown ? "we step down" : "it steps down")}");
                PublishEvent("dual_master", null, $"two masters: peer {d.PeerAddress}", new Dictionary<string, string>
                {
                    ["peer"] = d.PeerAddress.ToString(),
                    ["we_step_down"] = d.WeStepDown ? "true" : "false",
                });
                break;
            case DualMasterEnded d:
                _log.Warn($"dual master episode over after {d.Duration.TotalMilliseconds:0} ms ({d.Reason})");
                PublishEvent("dual_master_ended", null, $"two masters for {d.Duration.TotalMilliseconds:0} ms", new Dictionary<string, string>
                {
                    ["duration_ms"] = d.Duration.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
                    ["reason"] = d.Reason,
                });
                break;
        }
    }

    private void OnPeer(PeerEvent e)
    {
        OnLeasePeerEvent(e);
        if (_fence is null) return;
        var now = Now;
        switch (e)
        {
            case PeerPathUp u:
                _log.Info($"peer {u.PeerNodeId} ({u.PeerSoftwareVersion}) up on path {u.Path} ({u.Remote})");
                _fence.OnPathUp(u.Path, now);
                _peer?.Send(u.Path, FenceMessageTypes.State, FenceCodec.Encode(_fence.LocalState));
                PublishEvent("peer_found", null, $"peer {u.PeerNodeId} up on {u.Path}", new Dictionary<string, string> { ["path"] = u.Path });
                break;
            case PeerPathDown d:
                _log.Warn($"peer path {d.Path} down: {d.Cause} ({d.Reason})");
                _fence.OnPathDown(d.Path, now);
                PublishEvent("peer_lost", null, $"peer path {d.Path} down: {d.Reason}", new Dictionary<string, string> { ["path"] = d.Path });
                break;
            case PeerHeartbeat h:
                _fence.OnHeard(h.Path, now);
                break;
            case PeerMessage m:
                _fence.OnHeard(m.Path, now);
                if (m.Type != FenceMessageTypes.State) break;
                if (FenceCodec.Decode(m.Payload.Span, out var error) is { } state) _fence.OnPeerState(m.Path, state, now);
                else _log.Warn($"peer sent an unreadable fence state on {m.Path}: {error}");
                break;
            case PeerRefused r:
                _refusals.TryGetValue(r.Kind, out var seen);
                // A wrong key repeats on every reconnect: say it once per 5 s, count them all.
                if (seen.Count == 0 || now - seen.LastLogged >= TimeSpan.FromSeconds(5))
                {
                    _log.Warn($"peer on {r.Path} refused ({r.Kind}, {(r.ByPeer ? "by the peer" : "by us")}): {r.Reason}");
                    seen.LastLogged = now;
                }
                _refusals[r.Kind] = (seen.Count + 1, seen.LastLogged);
                break;
        }
    }

    private TimeSpan? NextRoleDeadline()
    {
        TimeSpan? next = _plan?.NextDeadline;
        if (_fenceRecheck is { } r && (next is null || r < next)) next = r;
        if (_fence is not null && (next is null || _nextFenceSend < next)) next = _nextFenceSend;
        if (NextLeaseDeadline() is { } lease && (next is null || lease < next)) next = lease;
        return next;
    }

    private void FireRoleTimers(TimeSpan now)
    {
        if (_plan?.NextDeadline is { } d && d <= now) ExecutePlan(_plan.OnTimer(now));
        LeaseTick();
    }

    /// <summary>Leaving runs the stop plan (tunnel first); the loop waits for it, bounded.</summary>
    private bool RolesSettled()
    {
        if (_plan is null || _plan.Finished) return true;
        _stopDeadline ??= Now + StopPlanLimit;
        if (Now < _stopDeadline) return false;
        _log.Error($"stop plan still running after {StopPlanLimit.TotalSeconds:0} s ({_plan.Status.CurrentStep}): exiting anyway");
        return true;
    }

    private RoleStatus? RoleStatusOf()
    {
        if (_plan is null) return null;
        var p = _plan.Status;
        return new RoleStatus(p.Target is { } t ? RoleNames.Of(t) : null, p.Reason, p.Finished, p.CurrentStep, _tunnel.ToString(), _fenceDemoted,
            p.Steps.Select(s => new StepView(s.Name, s.Phase.ToString(), s.Direction.ToString(), RoleNames.Of(s.Outcome), s.Attempts, s.Error)).ToList(),
            p.StaleResults);
    }

    private FenceStatus? FenceStatusOf()
    {
        if (_fence is null) return null;
        var v = _fence.Evaluate(Now);
        var now = Now;
        var c = _fence.Counters;
        return new FenceStatus(v.Gate.ToString(), v.Reason, _fence.Peer?.Role.ToString(), _fence.Peer?.Tunnel.ToString(),
            _fence.Peer?.Priority, c.DualMasterEpisodes, c.DualMasterTotal.TotalMilliseconds, c.DualMasterLongest.TotalMilliseconds,
            _fence.DualMasterSince is not null,
            _fence.LastHeard.ToDictionary(kv => kv.Key, kv => Math.Round((now - kv.Value).TotalMilliseconds)),
            _refusals.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.Count));
    }

    private void StopRoles()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { _executor?.DisposeAsync().AsTask().WaitAsync(limit.Token).GetAwaiter().GetResult(); }
        catch (OperationCanceledException) { _log.Warn("an action did not stop within 5 s"); }
        try { _peer?.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(2)).GetAwaiter().GetResult(); }
        catch (TimeoutException) { }
    }
}
