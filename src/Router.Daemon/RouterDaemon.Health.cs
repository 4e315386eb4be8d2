using Router.Core.Health;
using Router.Integrations.Actions;
using Router.Integrations.Health;

namespace Router.Daemon;

/// <summary>Track checks: scheduled from the loop, probed off it, and applied to priorities and FAULT here.</summary>
internal sealed partial class RouterDaemon
{
    private HealthTracker? _health;
    private Dictionary<string, HealthProbe> _probes = [];
    private readonly CancellationTokenSource _probeStop = new();

    private void StartHealth()
    {
        if (_config.Tracks.Count == 0) return;
        _health = new HealthTracker(_config.Tracks.Select(t => t.Settings));
        var runner = new CommandRunner();
        _probes = _config.Tracks.ToDictionary(t => t.Settings.Name, t => ProbeFactory.Create(t, _ports.Network, runner));
    }

    private void FireHealthTimers(TimeSpan now)
    {
        if (_health is null) return;
        foreach (var t in _health.Tracks)
        {
            if (t.CheckTimeout(now, out var timedOut) is { } change) OnTrackChange(change);
            if (timedOut) _log.Debug($"track {t.Settings.Name}: no answer within {t.Settings.Timeout.TotalSeconds:0.###} s");
            if (!t.IsDue(now)) continue;
            var ticket = t.Begin(now);
            var name = t.Settings.Name;
            var probe = _probes[name];
            var timeout = t.Settings.Timeout;
            var stop = _probeStop.Token;
            _ = Task.Run(async () =>
            {
                var result = await probe.RunAsync(timeout, stop).ConfigureAwait(false);
                Post(new ProbeDone(name, ticket, result));
            });
        }
    }

    private void OnProbeDone(ProbeDone p)
    {
        if (_health?.Find(p.Track) is not { } t) return;
        if (t.Complete(p.Ticket, p.Result.Ok, p.Result.Detail, Now) is { } change) OnTrackChange(change);
    }

    private void OnTrackChange(TrackChange change)
    {
        _log.Info($"track {change.Name}: {(change.Up ? "UP" : "DOWN")} ({change.Detail})");
        PublishEvent("track", null, $"track {change.Name} {(change.Up ? "up" : "down")}: {change.Detail}",
            new Dictionary<string, string> { ["track"] = change.Name, ["up"] = change.Up ? "true" : "false", ["detail"] = change.Detail });
        ApplyHealth();
    }

    /// <summary>Weights move priorities (advertised at once); a weight-0 track down means FAULT.</summary>
    private void ApplyHealth()
    {
        if (_health is null) return;
        foreach (var rt in _instances.Where(r => !r.Stopping).ToArray())
        {
            var h = _health.Evaluate(rt.Name, rt.Settings.Priority);
            if (!rt.Settings.IsAddressOwner && h.Priority != rt.Machine.EffectivePriority)
                Execute(rt, rt.Machine.SetPriority(h.Priority, Now));
            rt.HealthFaultReason = h.FaultReason;
            ApplyFault(rt, "health checks recovered");
        }
    }

    /// <summary>The machine has one fault flag; link and health faults are kept apart and combined here.</summary>
    private void ApplyFault(InstanceRuntime rt, string recovered)
    {
        var reason = rt.LinkFaultReason ?? rt.HealthFaultReason;
        if (reason is not null && (!rt.Machine.IsFaulted || rt.Machine.FaultReason != reason))
            Execute(rt, rt.Machine.SetFault(true, reason, Now));
        else if (reason is null && rt.Machine.IsFaulted)
            Execute(rt, rt.Machine.SetFault(false, recovered, Now));
    }
}
