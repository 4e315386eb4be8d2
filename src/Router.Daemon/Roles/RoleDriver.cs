using Router.Core.Fencing;
using Router.Core.Roles;
using Router.Daemon.Control;
using Router.Daemon.Leases;
using Router.Daemon.Observers;
using Router.Daemon.Peers;
using Router.Integrations.Actions;
using Router.Integrations.Logging;
using Router.Peers;

namespace Router.Daemon.Roles;

/// <summary>
/// Executes what the RoleCoordinator decides: action steps on the step runner, fence states on the peer channel, the
/// lease hand-off before DHCP starts, log lines and alerts; and feeds every result back. It decides nothing itself.
/// </summary>
/// <param name="takeover">Hands a <see cref="PeerYielded"/> or <see cref="PeerDead"/> to the role instance.</param>
internal sealed class RoleDriver(RoleCoordinator coordinator, IStepRunner? runner, PeerLink? peer, LeaseDriver leases, Log log, ObserverHub hub,
    Action<RoleCommand> takeover, IFenceAgentRunner? agent = null)
{
    public RoleCoordinator Coordinator => coordinator;

    public TimeSpan? NextDeadline => coordinator.NextDeadline;

    public void Boot(TimeSpan now) => Execute(coordinator.Boot(now));

    public void OnVrrpRole(RoleTarget target, byte priority, string reason, TimeSpan now) =>
        Execute(coordinator.OnVrrpRole(target, priority, reason, now));

    public void SetVrrpAddress(System.Net.IPAddress? address, TimeSpan now) => Execute(coordinator.SetVrrpAddress(address, now));

    public void SetVrrpSources(IReadOnlyList<System.Net.IPAddress> sources, TimeSpan now) => Execute(coordinator.SetVrrpSources(sources, now));

    public void OnStepDone(StepResult r, TimeSpan now) => Execute(coordinator.OnStepResult(r.Ticket, r.Ok, r.Error, now));

    public void OnEnforcementDone(EnforcementResult r, TimeSpan now) =>
        Execute(coordinator.OnEnforcementResult(r.Ticket, r.Ok, r.Drift, r.Error, now));

    public void SetEnforceInterval(TimeSpan interval, TimeSpan now) => Execute(coordinator.SetEnforceInterval(interval, now));

    public void OnFenceAgentDone(FenceAgentResult r, TimeSpan now) => Execute(coordinator.OnFenceAgentResult(r.Ticket, r.Ok, r.Detail, now));

    public void OnPeer(PeerEvent e, TimeSpan now)
    {
        switch (e)
        {
            case PeerPathUp u:
                Execute(coordinator.OnPathUp(u.Path, now));
                break;
            case PeerPathDown d:
                Execute(coordinator.OnPathDown(d.Path, now, d.Cause == PeerDownCause.PeerStopped));
                break;
            case PeerHeartbeat h:
                Execute(coordinator.OnHeard(h.Path, now));
                break;
            case PeerMessage { Type: FenceMessageTypes.State } m:
                Execute(coordinator.OnFenceMessage(m.Path, m.Payload.Span, now));
                break;
            case PeerMessage m:
                Execute(coordinator.OnHeard(m.Path, now));
                break;
        }
    }

    /// <summary>After anything that may have moved lease replication: a held DHCP start may go now.</summary>
    public void OnLeaseSync(TimeSpan now) => Execute(coordinator.OnLeaseSync(leases.Connected, leases.CaughtUp, now));

    public void OnTimer(TimeSpan now)
    {
        if (coordinator.NextDeadline is { } d && d <= now) Execute(coordinator.OnTimer(now));
    }

    public RoleStatus? Status()
    {
        if (coordinator.Plan is not { } p) return null;
        return new RoleStatus(p.Target is { } t ? RoleNames.Of(t) : null, p.Reason, p.Finished, p.CurrentStep, coordinator.Tunnel.ToString(),
            coordinator.Demoted,
            p.Steps.Select(s => new StepView(s.Name, s.Phase.ToString(), s.Direction.ToString(), RoleNames.Of(s.Outcome), s.Attempts, s.Error)).ToList(),
            p.StaleResults);
    }

    /// <summary>Continuous enforcement; null when no action can be checked.</summary>
    public EnforcementInfo? Enforcement(TimeSpan now, DateTimeOffset startWall)
    {
        var e = coordinator.Enforcement;
        if (e.Actions.Count == 0) return null;
        return new EnforcementInfo(e.Interval.TotalSeconds, e.Active, e.Target is { } t ? RoleNames.Of(t) : null, e.Actions.Select(a =>
            new DriftInfo(a.Action, a.Direction == ActionDirection.Start ? "start" : "stop", DriftNames.Of(a.State),
                a.DriftingSince is { } since ? startWall + since : null,
                a.DriftingSince is { } from ? Math.Round((now - from).TotalSeconds, 3) : null,
                a.Checks, a.Episodes, a.Corrections, a.LastDrift, a.LastError,
                a.LastCheckAt is { } at ? Math.Round((now - at).TotalMilliseconds) : null, a.Held)).ToList());
    }

    public FenceStatus? FenceStatus(TimeSpan now)
    {
        if (coordinator.Fence is not { } fence) return null;
        var v = coordinator.Verdict(now)!; // with the fencing agent's word on the gate
        var c = fence.Counters;
        return new FenceStatus(v.Gate.ToString(), v.Reason, fence.Peer?.Role.ToString(), fence.Peer?.Tunnel.ToString(),
            fence.Peer?.Priority, c.DualMasterEpisodes, c.DualMasterTotal.TotalMilliseconds, c.DualMasterLongest.TotalMilliseconds,
            fence.DualMasterSince is not null, c.PeerStatesReceived, c.PeerStatesDuplicate, c.PeerStatesRejected,
            LastHeardAgoMs(fence.LastHeard, now),
            peer?.Refusals() ?? new Dictionary<string, long>());
    }

    /// <summary>A loop, not LINQ over the KeyValuePair struct (binary size: toolchain/README.md, "Size options").</summary>
    private static Dictionary<string, double> LastHeardAgoMs(IReadOnlyDictionary<string, TimeSpan> lastHeard, TimeSpan now)
    {
        var ago = new Dictionary<string, double>();
        foreach (var (path, heard) in lastHeard) ago[path] = Math.Round((now - heard).TotalMilliseconds);
        return ago;
    }

    public FenceAgentInfo? FenceAgentInfo(TimeSpan now)
    {
        if (coordinator.FenceAgent is not { } a || peer?.Config is not { FenceCommand: { } command } config) return null;
        return new FenceAgentInfo(command, config.FenceTimeout.TotalSeconds, FenceAgentNames.Of(a.Outcome), a.Detail, a.Runs,
            a.StartedAt is { } s ? Math.Round((now - s).TotalMilliseconds) : null,
            a.StartedAt is { } from && a.FinishedAt is { } to ? Math.Round((to - from).TotalMilliseconds) : null);
    }

    /// <summary>Waits (bounded) for a running action to end, so the process does not exit under it.</summary>
    public void Stop()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { runner?.DisposeAsync().AsTask().WaitAsync(limit.Token).GetAwaiter().GetResult(); }
        catch (OperationCanceledException) { log.Warn("an action did not stop within 5 s"); }
        agent?.Dispose();
    }

    /// <summary>What the agent needs to find the peer (ssh to it, or the plug it hangs on).</summary>
    private Dictionary<string, string> FenceAgentEnvironment(RunFenceAgent f)
    {
        var env = new Dictionary<string, string>
        {
            ["ROUTERHA_REASON"] = f.Reason,
            ["ROUTERHA_FENCE_TIMEOUT"] = f.Timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (peer is not null)
        {
            env["ROUTERHA_PEER"] = peer.Config.Name;
            env["ROUTERHA_PEER_ADDRESS"] = peer.Config.Paths[0].Remote.ToString();
            env["ROUTERHA_PEER_ADDRESSES"] = string.Join(' ', peer.Config.Paths.Select(p => p.Remote.ToString()));
        }
        return env;
    }

    private void Execute(IReadOnlyList<RoleCommand> commands)
    {
        foreach (var command in commands)
        {
            switch (command)
            {
                case RunStep r:
                    runner?.Start(r.Start);
                    break;
                case CancelRun c:
                    runner?.Cancel(c.Ticket);
                    break;
                case RunEnforcement e:
                    runner?.Enforce(e.Work);
                    break;
                case CancelEnforcement c:
                    runner?.CancelEnforcement(c.Ticket);
                    break;
                case RunFenceAgent f:
                    agent?.Start(f.Ticket, f.Timeout, FenceAgentEnvironment(f));
                    break;
                case CancelFenceAgent c:
                    agent?.Cancel(c.Ticket);
                    break;
                case PrepareDhcp:
                    leases.HandToDhcp();
                    break;
                case SendFenceState { Path: null } s:
                    peer?.SendAll(FenceMessageTypes.State, s.Payload);
                    break;
                case SendFenceState s:
                    peer?.Channel?.Send(s.Path, FenceMessageTypes.State, s.Payload);
                    break;
                case RoleNote n:
                    log.Write(n.Level switch
                    {
                        NoteLevel.Debug => LogLevel.Debug,
                        NoteLevel.Info => LogLevel.Info,
                        NoteLevel.Warn => LogLevel.Warning,
                        _ => LogLevel.Error,
                    }, n.Text);
                    break;
                case RoleAlert a:
                    hub.Event(a.Kind, null, a.Message, a.Fields);
                    break;
                case PeerYielded or PeerDead:
                    takeover(command);
                    break;
            }
        }
    }
}
