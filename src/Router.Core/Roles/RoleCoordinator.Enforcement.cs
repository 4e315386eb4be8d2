using Router.Core.Fencing;

namespace Router.Core.Roles;

/// <summary>The coordinator's side of continuous enforcement: the <see cref="Enforcer"/> decides when to check and
/// correct; the coordinator says which corrections the fence allows and what a drifted fenced action means for the
/// peer.</summary>
public sealed partial class RoleCoordinator
{
    /// <summary>Continuous enforcement as `status` shows it.</summary>
    public EnforcementStatus Enforcement => _enforcer.Status;

    /// <summary>An enforcement check (<paramref name="drift"/>: what differs) or correction ended.</summary>
    public IReadOnlyList<RoleCommand> OnEnforcementResult(long ticket, bool ok, IReadOnlyList<string> drift, string? error, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        if (!_enforcer.OnResult(ticket, ok, drift, error, now, a => CorrectionBlocked(a, now), commands)) return commands;
        FencedFromDrift(now);
        Settle(now, commands);
        return commands;
    }

    /// <summary>A fenced action found running again after the stop plan (OMR's cron restarted the tunnel on a BACKUP)
    /// is not released any more: the peer is told Stopping until a check finds it stopped, so it cannot start its own
    /// beside ours meanwhile.</summary>
    private void FencedFromDrift(TimeSpan now)
    {
        if (_plan is not { Finished: true } || _fencedDirection != ActionDirection.Stop) return;
        foreach (var d in _enforcer.Status.Actions)
        {
            if (!_fenced.TryGetValue(d.Action, out var was)) continue;
            var status = d.State switch
            {
                DriftState.Drifting => TunnelStatus.Stopping,
                DriftState.InState => TunnelStatus.Released,
                _ => was,
            };
            if (status != was) SetFenced(d.Action, status, now);
        }
    }

    /// <summary>A reload's `enforce_interval` (zero: off, which cancels the work in flight).</summary>
    public IReadOnlyList<RoleCommand> SetEnforceInterval(TimeSpan interval, TimeSpan now)
    {
        var commands = new List<RoleCommand>();
        _enforcer.SetInterval(interval, now, commands);
        Settle(now, commands);
        return commands;
    }

    /// <summary>Why a drifted action may not be run again now; null when it may. Stopping is always safe. Starting a
    /// fenced action must not bypass the fence: only a MASTER whose plan started every fenced action (the gate was
    /// open then) and whose gate is still open now may start one again; otherwise the drift is only reported.</summary>
    private string? CorrectionBlocked(ActionSpec action, TimeSpan now)
    {
        if (_plan?.Target != RoleTarget.Master || !action.Fenced) return null;
        if (_role != RoleTarget.Master || _demoted) return "this router is not MASTER for the fence";
        if (_tunnel != TunnelStatus.Up) return $"the plan did not start every fenced action (fenced actions {_tunnel})";
        if (Verdict(now) is { Gate: not TunnelGate.Allowed } v) return $"the fence does not allow it now ({v.Reason})";
        return null;
    }
}
