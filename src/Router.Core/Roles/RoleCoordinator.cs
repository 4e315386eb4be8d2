using System.Globalization;
using Router.Core.Fencing;

namespace Router.Core.Roles;

public sealed record RoleCoordinatorSettings
{
    /// <summary>The configured actions; none means no plan (VRRP and the fence still run).</summary>
    public IReadOnlyList<ActionSpec> Actions { get; init; } = [];

    /// <summary>Our fence state is sent again this often, which repairs a frame lost on a path that dropped.</summary>
    public TimeSpan FenceResend { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A DHCP start waits at most this long for a connected peer's lease catch-up (docs/leases.md).</summary>
    public TimeSpan DhcpHoldLimit { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Fast peer-death detection (opt-in, docs/peer-channel.md): a peer silent on every path this long is
    /// reported as <see cref="PeerDead"/>. Null: off, VRRP's master-down decides alone.</summary>
    public TimeSpan? PeerDeadAfter { get; init; }

    /// <summary>The peer channel's heartbeat interval: how long after its last frame the peer should have spoken again.</summary>
    public TimeSpan PeerHeartbeat { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The fencing agent's timeout when `fence_command` is configured; null = no agent (needs a fence).</summary>
    public TimeSpan? FenceAgentTimeout { get; init; }

    /// <summary>How often a completed plan's drift-checked actions are checked (global `enforce_interval`); zero = never.</summary>
    public TimeSpan EnforceInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Names of the actions whose backend can read its state back (IDriftCheckedAction); only these are enforced.</summary>
    public IReadOnlyCollection<string> DriftChecked { get; init; } = [];
}

/// <summary>
/// What MASTER means beyond the VIP, pure: the role plan (WAN, fence, tunnel, DHCP), the fence gate in front of the
/// tunnel, demotion of a MASTER that sees a better live MASTER, the tunnel status the peer is told, and the hold of a
/// DHCP start until the peer's leases are here. Driven like VrrpInstance: every input takes the monotonic time and
/// returns <see cref="RoleCommand"/>s; the owner calls <see cref="OnTimer"/> at <see cref="NextDeadline"/>.
/// </summary>
/// <remarks>
/// After every input the coordinator settles: it shares a changed fence state, answers a waiting fence step once
/// the gate opens or closes, and demotes or restores the plan's role. So no per-turn tick is needed, and the
/// queries (<see cref="Plan"/>, <see cref="Verdict"/>, ...) change nothing.
/// </remarks>
public sealed partial class RoleCoordinator
{
    private readonly RoleCoordinatorSettings _settings;
    private readonly PlanRunner? _plan;
    private readonly TunnelFence? _fence;
    private readonly Dictionary<long, PlanStep> _running = [];
    private long? _fenceTicket;
    private (StartStep Step, TimeSpan Until)? _dhcpHold;
    private RoleTarget? _role;
    private RoleTarget _vrrpRole = RoleTarget.Backup;
    private byte _priority;
    private bool _demoted;
    private TunnelStatus _tunnel = TunnelStatus.Released;
    private bool _leaseWaiting;
    private TimeSpan _nextFenceSend;
    private TimeSpan? _fenceRecheck;
    private string? _lastFenceReason;
    private readonly HashSet<string> _pathsUp = [];
    private bool _deathReported;
    private readonly FenceAgent? _agent;
    /// <summary>Some peer path has been up since this daemon started. The agent is not run against a peer never
    /// heard: at a cold start of both routers that is a peer still booting, and a power-off agent would keep it
    /// off for good. Such a peer fences itself within the window (it hears nobody either).</summary>
    private bool _peerEverUp;
    private long? _fenceEpisode;
    private readonly Dictionary<string, TunnelStatus> _fenced = [];
    private ActionDirection _fencedDirection = ActionDirection.Stop;
    private readonly Enforcer _enforcer;
    private long _changes;

    /// <param name="fence">Null when no peer is configured: the fence step then passes at once.</param>
    public RoleCoordinator(RoleCoordinatorSettings settings, TunnelFence? fence, byte priority)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _fence = fence;
        _priority = priority;
        if (settings.Actions.Count > 0) _plan = new PlanRunner(settings.Actions);
        foreach (var a in settings.Actions.Where(a => a.Fenced)) _fenced[a.Name] = TunnelStatus.Released;
        if (fence is not null && settings.FenceAgentTimeout is { } agentTimeout) _agent = new FenceAgent(agentTimeout);
        _enforcer = new Enforcer(settings.EnforceInterval, settings.Actions.Where(a => settings.DriftChecked.Contains(a.Name)).ToList());
    }

    /// <summary>Grows whenever something `status` or the published view shows has changed.</summary>
    public long Version => _changes + _enforcer.Version;

    public bool HasPlan => _plan is not null;

    /// <summary>No plan, or the current plan has run every step.</summary>
    public bool PlanFinished => _plan is null || _plan.Finished;

    public PlanStatus? Plan => _plan?.Status;

    /// <summary>What the peer is told about our fenced actions (the tunnel, and the WAN when fenced): Released only
    /// once every one of them has stopped.</summary>
    public TunnelStatus Tunnel => _tunnel;

    /// <summary>The fencing agent's last run; null without `fence_command`.</summary>
    public FenceAgentStatus? FenceAgent => _agent?.Status;

    /// <summary>The VRRP role is MASTER but WAN, tunnel and DHCP stay as on a BACKUP: the peer is a better live MASTER.</summary>
    public bool Demoted => _demoted;

    /// <summary>The fence, for status (its queries change nothing); null without a peer.</summary>
    public TunnelFence? Fence => _fence;

    public FenceVerdict? Verdict(TimeSpan now) => _fence is null ? null : WithAgent(_fence.Verdict(now), now);

    public TimeSpan? NextDeadline
    {
        get
        {
            var next = _plan?.NextDeadline;
            next = Min(next, _fenceRecheck);
            if (_fence is not null) next = Min(next, _nextFenceSend);
            if (_dhcpHold is { } h) next = Min(next, h.Until);
            return Min(Min(Min(next, PeerDeadAt), _agent?.NextDeadline), _enforcer.NextDeadline);
        }
    }

    /// <summary>Before the first election: WAN, tunnel and DHCP into the BACKUP state, so a rebooting former master
    /// does not find them up.</summary>
    public IReadOnlyList<RoleCommand> Boot(TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        if (_plan is not null)
        {
            _role = RoleTarget.Backup;
            // Whatever a former run left up is unknown until the boot plan has stopped it: not Released before that.
            foreach (var name in _fenced.Keys) _fenced[name] = TunnelStatus.Stopping;
            _fencedDirection = ActionDirection.Stop;
            SetTunnel(AggregateFenced(), now);
            Execute(_plan.Boot(now), now, commands);
        }
        Settle(now, commands);
        return commands;
    }

    /// <summary>The role instance changed state (Stopped when it shut down).</summary>
    public IReadOnlyList<RoleCommand> OnVrrpRole(RoleTarget target, byte priority, string reason, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        _vrrpRole = target;
        _priority = priority;
        if (_fence is not null)
        {
            _fence.SetLocal(FenceRoleOf(target), priority, _tunnel, now);
            // Asked before the plan moves: a MASTER across a LAN cut must not start WAN even for a moment.
            _demoted = _fence.Advance(now).StepDown;
        }
        UpdateRole(reason, now, commands);
        Settle(now, commands);
        return commands;
    }

    public IReadOnlyList<RoleCommand> OnStepResult(long ticket, bool ok, string? error, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        if (_plan is null) return commands;
        if (_running.Remove(ticket, out var step))
        {
            if (step.Fenced)
                SetFenced(step.Name, step.Direction == ActionDirection.Start
                    ? (ok ? TunnelStatus.Up : TunnelStatus.Starting)
                    : (ok ? TunnelStatus.Released : TunnelStatus.Stopping), now);
            if (!ok)
            {
                var what = $"{step.Name} {Lower(step.Direction)}";
                commands.Add(new RoleNote(NoteLevel.Warn, $"action {what} failed: {error}"));
                commands.Add(new RoleAlert("action_failed", $"{what} failed: {error}",
                    new Dictionary<string, string> { ["action"] = step.Name, ["error"] = error ?? "" }));
            }
        }
        Execute(_plan.StepFinished(ticket, ok, error, now), now, commands);
        Settle(now, commands);
        return commands;
    }

    /// <summary>A peer-channel path came up: the peer is reachable there and gets our state on it at once.</summary>
    public IReadOnlyList<RoleCommand> OnPathUp(string path, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        if (_fence is null) return commands;
        _pathsUp.Add(path);
        _peerEverUp = true;
        _deathReported = false;
        _fence.OnPathUp(path, now);
        commands.Add(new SendFenceState(FenceCodec.Encode(_fence.LocalState), path));
        Settle(now, commands);
        return commands;
    }

    /// <param name="peerStopping">The peer said goodbye because it is stopping.</param>
    public IReadOnlyList<RoleCommand> OnPathDown(string path, TimeSpan now, bool peerStopping = false)
    {
        var commands = new List<RoleCommand>();
        if (_fence is null) return commands;
        _pathsUp.Remove(path);
        _fence.OnPathDown(path, now, peerStopping);
        Settle(now, commands);
        return commands;
    }

    /// <summary>Any authenticated frame arrived on this path.</summary>
    public IReadOnlyList<RoleCommand> OnHeard(string path, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        if (_fence is null) return commands;
        _fence.OnHeard(path, now);
        Settle(now, commands);
        return commands;
    }

    /// <summary>A fence message (<see cref="FenceMessageTypes.State"/>) arrived on this path.</summary>
    public IReadOnlyList<RoleCommand> OnFenceMessage(string path, ReadOnlySpan<byte> payload, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        if (_fence is null) return commands;
        _fence.OnHeard(path, now);
        var before = _fence.Peer;
        PeerYielded? yielded = null;
        if (FenceCodec.Decode(payload, out var error) is { } state)
        {
            if (_fence.OnPeerState(path, state, now)) yielded = Yield(before, state);
        }
        else commands.Add(new RoleNote(NoteLevel.Warn, $"peer sent an unreadable fence state on {path}: {error}"));
        Settle(now, commands);
        // Last: the instance's takeover re-enters OnVrrpRole, and its state must go out after the one Settle queued.
        if (yielded is not null)
        {
            commands.Add(new RoleNote(NoteLevel.Info, $"handoff: {yielded.Reason}"));
            commands.Add(yielded);
        }
        return commands;
    }

    /// <summary>The peer's role went from MASTER to anything else (a state is only accepted when newer, and each
    /// change is accepted once however many paths carry it). A fresh word from a live peer is the truth about it now,
    /// so no aliveness check is needed; a peer whose VRRP address is unknown (older routerha) gets RFC timing.</summary>
    private PeerYielded? Yield(FenceState? before, FenceState state)
    {
        if (before?.Role != FenceRole.Master || state.Role == FenceRole.Master || (state.VrrpAddress ?? before.VrrpAddress) is not { } vrrp)
            return null;
        if (_vrrpRole != RoleTarget.Backup) return null;
        return new PeerYielded(vrrp, $"peer {vrrp} left MASTER (now {state.Role.ToString().ToUpperInvariant()}, said on the peer channel)");
    }

    /// <summary>Our role instance's advert source address, which the peer's instance follows us by.</summary>
    public IReadOnlyList<RoleCommand> SetVrrpAddress(System.Net.IPAddress? address, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        if (_fence is null) return commands;
        _fence.SetVrrpAddress(address);
        Settle(now, commands);
        return commands;
    }

    /// <summary>The advert sources of all our instances, which the peer's instances trust.</summary>
    public IReadOnlyList<RoleCommand> SetVrrpSources(IReadOnlyList<System.Net.IPAddress> sources, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        if (_fence is null) return commands;
        _fence.SetVrrpSources(sources);
        Settle(now, commands);
        return commands;
    }

    /// <summary>When the peer counts as dead if nothing is heard before: every path down, fast detection on, and
    /// a peer we know the VRRP address of; null otherwise (or once reported, until a path comes back).</summary>
    private TimeSpan? PeerDeadAt =>
        _settings.PeerDeadAfter is { } dead && _fence is not null && _pathsUp.Count == 0 && !_deathReported
        && _fence.Peer?.VrrpAddress is not null
            ? _fence.LastHeard.Values.Max() + dead
            : null;

    /// <summary>True when the peer has acknowledged our latest state, or cannot any more (no live path): a stopping
    /// daemon lingers for this, so the new master's fence does not have to wait out the silence window.</summary>
    public bool PeerCaughtUp(TimeSpan now)
    {
        if (_fence is null || !_fence.PeerAlive(now) || _fence.Peer is not { } peer) return true;
        var ours = _fence.LocalState;
        return peer.SeenBootId == ours.BootId && peer.SeenGeneration >= ours.Generation;
    }

    /// <summary>Lease replication's connection state: a DHCP start waits while the peer is connected and still
    /// sending what we lack.</summary>
    public IReadOnlyList<RoleCommand> OnLeaseSync(bool connected, bool caughtUp, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        _leaseWaiting = connected && !caughtUp;
        ReleaseDhcpHold(now, commands);
        Settle(now, commands);
        return commands;
    }

    /// <summary>The fencing agent run with this ticket ended: exit 0 (ok) or not, with a short detail.</summary>
    public IReadOnlyList<RoleCommand> OnFenceAgentResult(long ticket, bool ok, string detail, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        if (_agent is null || _fence is null || !_agent.IsRunning(ticket)) return commands;
        var opened = _agent.OnResult(ticket, ok, detail, _fenceTicket, _fence.PeerReachable(now), now);
        ReportAgent(opened, commands);
        Settle(now, commands);
        return commands;
    }

    public IReadOnlyList<RoleCommand> OnTimer(TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        if (_plan?.NextDeadline is { } d && d <= now) Execute(_plan.OnTimer(now), now, commands);
        if (_agent?.NextDeadline is { } a && a <= now && _agent.OnTimer(now) is { } timedOut)
        {
            commands.Add(new CancelFenceAgent(timedOut));
            ReportAgent(false, commands);
        }
        ReleaseDhcpHold(now, commands);
        Settle(now, commands);
        _enforcer.OnTimer(now, commands);
        return commands;
    }

    private void UpdateRole(string reason, TimeSpan now, List<RoleCommand> commands)
    {
        var target = _vrrpRole == RoleTarget.Master && _demoted ? RoleTarget.Backup : _vrrpRole;
        if (target == _role) return;
        _role = target;
        if (target != RoleTarget.Master) _fenceEpisode = null;
        if (_plan is not null) Execute(_plan.Transition(target, reason, now), now, commands);
    }

    private void Execute(IReadOnlyList<PlanCommand> plan, TimeSpan now, List<RoleCommand> commands)
    {
        foreach (var command in plan)
        {
            switch (command)
            {
                case StartStep { Step.Phase: StepPhase.Fence } s when _fence is null:
                    // No peer configured: nothing to ask (warned about at start).
                    Execute(_plan!.StepFinished(s.Ticket, true, null, now), now, commands);
                    break;
                case StartStep { Step.Phase: StepPhase.Fence } s:
                    _fenceTicket = s.Ticket; // answered by Settle, now or when the gate opens
                    _fenceEpisode = s.Ticket;
                    break;
                case StartStep { Step: { Phase: StepPhase.Dhcp, Direction: ActionDirection.Start } } s when _leaseWaiting:
                    _dhcpHold = (s, now + _settings.DhcpHoldLimit);
                    commands.Add(new RoleNote(NoteLevel.Info, $"role {RoleNames.Of(s.Target)}: {s.Step.Name} waits for the leases " +
                                                              $"from the peer (at most {Seconds(_settings.DhcpHoldLimit)})"));
                    break;
                case StartStep { Step: { Phase: StepPhase.Dhcp, Direction: ActionDirection.Start } } s:
                    commands.Add(new PrepareDhcp());
                    Run(s, now, commands);
                    break;
                case StartStep s:
                    Run(s, now, commands);
                    break;
                case CancelStep c:
                    Cancel(c.Ticket, now, commands);
                    break;
                case PlanCompleted p:
                    var how = p.Failed.Count == 0 ? "done" : $"done with failures: {string.Join(", ", p.Failed)}";
                    commands.Add(p.Failed.Count == 0
                        ? new RoleNote(NoteLevel.Info, $"role {RoleNames.Of(p.Target)} plan {how} in {Seconds(p.Duration)}")
                        : new RoleNote(NoteLevel.Warn, $"role {RoleNames.Of(p.Target)} plan {how} ({Seconds(p.Duration)})"));
                    commands.Add(new RoleAlert("plan", $"role {RoleNames.Of(p.Target)} plan {how}", new Dictionary<string, string>
                    {
                        ["target"] = RoleNames.Of(p.Target),
                        ["failed"] = string.Join(",", p.Failed),
                        ["duration_ms"] = p.Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture),
                    }));
                    break;
            }
        }
        if (plan.Count > 0) _changes++;
    }

    private void Run(StartStep s, TimeSpan now, List<RoleCommand> commands)
    {
        if (s.Step.Fenced)
        {
            _fencedDirection = s.Step.Direction;
            SetFenced(s.Step.Name, s.Step.Direction == ActionDirection.Start ? TunnelStatus.Starting : TunnelStatus.Stopping, now);
        }
        _running[s.Ticket] = s.Step;
        commands.Add(new RoleNote(NoteLevel.Info, $"role {RoleNames.Of(s.Target)}: {s.Step.Name} {Lower(s.Step.Direction)}" +
                                                  (s.Attempt > 1 ? $" (attempt {s.Attempt})" : "")));
        commands.Add(new RunStep(s));
    }

    private void Cancel(long ticket, TimeSpan now, List<RoleCommand> commands)
    {
        if (_fenceTicket == ticket)
        {
            _fenceTicket = null;
            CancelAgent("the fence wait was superseded", now, commands);
        }
        else if (_dhcpHold?.Step.Ticket == ticket)
            _dhcpHold = null; // never reached the backend
        else if (_running.Remove(ticket, out var step))
        {
            commands.Add(new CancelRun(ticket));
            // A cancelled start may have half-started the tunnel: not Released until a stop says so.
            if (step.Fenced) SetFenced(step.Name, TunnelStatus.Stopping, now);
        }
    }

    private void ReleaseDhcpHold(TimeSpan now, List<RoleCommand> commands)
    {
        if (_dhcpHold is not { } hold) return;
        if (_leaseWaiting && now < hold.Until) return;
        _dhcpHold = null;
        if (_leaseWaiting)
            commands.Add(new RoleNote(NoteLevel.Warn, $"the peer's leases did not all arrive within {Seconds(_settings.DhcpHoldLimit)}: " +
                                                      "starting DHCP with what is here"));
        commands.Add(new PrepareDhcp());
        Run(hold.Step, now, commands);
    }

    private void SetTunnel(TunnelStatus status, TimeSpan now)
    {
        if (status != _tunnel) _changes++;
        _tunnel = status;
        _fence?.SetLocal(FenceRoleOf(_vrrpRole), _priority, status, now);
    }

    /// <summary>Shares our state, applies the fence's verdict to a waiting fence step and to the plan's role.</summary>
    /// <remarks>A tunnel stop needs nothing here: the fence only says StopTunnel when we are not MASTER, and leaving
    /// MASTER runs the stop plan.</remarks>
    private void Settle(TimeSpan now, List<RoleCommand> commands)
    {
        SettleFence(now, commands);
        if (_plan is not null) _enforcer.Follow(_plan.PlanId, _plan.Target, _plan.Finished, now, commands);
    }

    private void SettleFence(TimeSpan now, List<RoleCommand> commands)
    {
        if (_fence is null) return;
        var v = WithAgent(_fence.Advance(now), now);
        _fenceRecheck = v.RecheckAt;
        foreach (var e in _fence.TakeEvents()) Report(e, commands);
        if (v.Reason != _lastFenceReason)
        {
            _lastFenceReason = v.Reason;
            commands.Add(new RoleNote(NoteLevel.Info, $"fence: {v.Gate} ({v.Reason})"));
            _changes++;
        }
        if (_fenceTicket is { } ticket && _plan is not null && v.Gate != TunnelGate.Wait)
        {
            _fenceTicket = null;
            CancelAgent($"not needed any more: {v.Reason}", now, commands);
            var ok = v.Gate == TunnelGate.Allowed;
            Execute(_plan.StepFinished(ticket, ok, ok ? null : v.Reason, now), now, commands);
        }
        else if (_fenceTicket is { } waiting && _peerEverUp && _agent?.MaybeRun(waiting, _fence.PeerReachable(now), now) is { } run)
        {
            var why = $"peer unreachable on every path (last heard {Seconds(now - _fence.LastHeard.Values.Max())} ago)";
            commands.Add(new RunFenceAgent(run, _agent.Timeout, why));
            commands.Add(new RoleNote(NoteLevel.Warn, $"fence: {why}: running fence_command (timeout {Seconds(_agent.Timeout)})"));
            commands.Add(new RoleAlert("fence_agent", $"fencing the peer: {why}", new Dictionary<string, string>
            {
                ["outcome"] = "running",
                ["detail"] = why,
            }));
            _changes++;
        }
        if (v.StepDown != _demoted)
        {
            // Forcing VRRP down would not hold: across a LAN cut no advert arrives and the master-down timer makes
            // us MASTER again, flapping WAN with it. The plan is what must not run twice, so demote that.
            _demoted = v.StepDown;
            _changes++;
            commands.Add(v.StepDown
                ? new RoleNote(NoteLevel.Warn, $"fence: WAN, tunnel and DHCP stay down here ({v.Reason})")
                : new RoleNote(NoteLevel.Info, "fence: no better live MASTER any more"));
            UpdateRole(v.StepDown ? $"fencing: {v.Reason}" : "fence: no better live MASTER", now, commands);
        }
        // Last, so the state sent includes whatever the steps above changed.
        var state = _fence.TakeStateToSend();
        if (state is null && now >= _nextFenceSend) state = _fence.LocalState;
        if (state is not null)
        {
            _nextFenceSend = now + _settings.FenceResend;
            commands.Add(new SendFenceState(FenceCodec.Encode(state), null));
        }
        if (PeerDeadAt is { } deadAt && now >= deadAt)
        {
            _deathReported = true;
            var heard = _fence.LastHeard.Values.Max();
            var ms = (now - heard).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
            var reason = $"peer {_fence.Peer!.VrrpAddress} silent on every peer path for {ms} ms and no advert since";
            commands.Add(new PeerDead(_fence.Peer.VrrpAddress!, heard + _settings.PeerHeartbeat, reason));
        }
    }

    private void SetFenced(string name, TunnelStatus status, TimeSpan now)
    {
        _fenced[name] = status;
        SetTunnel(AggregateFenced(), now);
    }

    /// <summary>One status for all fenced actions, as the peer's gate needs it: Released only when every one has
    /// stopped (the peer must not start its WAN while ours is up), Up only when every one runs.</summary>
    private TunnelStatus AggregateFenced()
    {
        var all = _fenced.Values;
        if (all.All(s => s == TunnelStatus.Released)) return TunnelStatus.Released;
        if (all.All(s => s == TunnelStatus.Up)) return TunnelStatus.Up;
        if (all.Any(s => s == TunnelStatus.Stopping)) return TunnelStatus.Stopping;
        if (all.Any(s => s == TunnelStatus.Starting)) return TunnelStatus.Starting;
        // Some up, some released: part way through a plan, whose direction says which way it is going.
        return _fencedDirection == ActionDirection.Start ? TunnelStatus.Starting : TunnelStatus.Stopping;
    }

    /// <summary>The gate the agent opened stays open while the peer stays silent; once it is alive again, its own
    /// word decides (the fence's verdict as it is).</summary>
    private FenceVerdict WithAgent(FenceVerdict v, TimeSpan now) =>
        v is { Gate: TunnelGate.Wait, StepDown: false } && _fenceEpisode is { } e && _agent is not null && _agent.Fenced(e) && !_fence!.PeerReachable(now)
            ? v with { Gate = TunnelGate.Allowed, Reason = $"peer fenced by fence_command ({_agent.Status.Detail})", RecheckAt = null }
            : v;

    private void CancelAgent(string why, TimeSpan now, List<RoleCommand> commands)
    {
        if (_agent?.Cancel(why, now) is not { } ticket) return;
        commands.Add(new CancelFenceAgent(ticket));
        ReportAgent(false, commands);
    }

    private void ReportAgent(bool opened, List<RoleCommand> commands)
    {
        _changes++;
        var s = _agent!.Status;
        var outcome = s.Outcome switch
        {
            FenceAgentOutcome.Ok => "ok",
            FenceAgentOutcome.TimedOut => "timeout",
            FenceAgentOutcome.Cancelled => "cancelled",
            _ => "failed",
        };
        var ms = ((s.FinishedAt ?? TimeSpan.Zero) - (s.StartedAt ?? TimeSpan.Zero)).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        var text = s.Outcome switch
        {
            FenceAgentOutcome.Ok when opened => $"fence_command succeeded in {ms} ms: the peer is fenced, the fenced actions start without waiting the window",
            FenceAgentOutcome.Ok => $"fence_command succeeded in {ms} ms, but the gate no longer needs it (the peer is alive again or the wait ended)",
            FenceAgentOutcome.Cancelled => $"fence_command cancelled after {ms} ms: {s.Detail}",
            _ => $"fence_command {outcome} after {ms} ms: {s.Detail}; the gate waits for the peer or the silence window (no retry)",
        };
        commands.Add(new RoleNote(s.Outcome is FenceAgentOutcome.Ok or FenceAgentOutcome.Cancelled ? NoteLevel.Info : NoteLevel.Warn, text));
        commands.Add(new RoleAlert("fence_agent", text, new Dictionary<string, string>
        {
            ["outcome"] = outcome,
            ["detail"] = s.Detail ?? "",
            ["duration_ms"] = ms,
            ["opened_gate"] = opened ? "true" : "false",
        }));
    }

    private void Report(FenceEvent e, List<RoleCommand> commands)
    {
        _changes++;
        switch (e)
        {
            case DualMasterStarted d:
                commands.Add(new RoleNote(NoteLevel.Warn, $"dual master: {d.PeerAddress} (priority {d.PeerPriority}) is MASTER too; " +
                                                          (d.WeStepDown ? "we step down" : "it steps down")));
                commands.Add(new RoleAlert("dual_master", $"two masters: peer {d.PeerAddress}", new Dictionary<string, string>
                {
                    ["peer"] = d.PeerAddress.ToString(),
                    ["we_step_down"] = d.WeStepDown ? "true" : "false",
                }));
                break;
            case DualMasterEnded d:
                var ms = d.Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
                commands.Add(new RoleNote(NoteLevel.Warn, $"dual master episode over after {ms} ms ({d.Reason})"));
                commands.Add(new RoleAlert("dual_master_ended", $"two masters for {ms} ms", new Dictionary<string, string>
                {
                    ["duration_ms"] = ms,
                    ["reason"] = d.Reason,
                }));
                break;
        }
    }

    private static FenceRole FenceRoleOf(RoleTarget t) => t switch
    {
        RoleTarget.Master => FenceRole.Master,
        RoleTarget.Fault => FenceRole.Fault,
        _ => FenceRole.Backup,
    };

    private static string Lower(ActionDirection d) => d == ActionDirection.Start ? "start" : "stop";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);
}
