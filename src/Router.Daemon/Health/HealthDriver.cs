using Router.Core.Config;
using Router.Core.Health;
using Router.Core.Ports;
using Router.Daemon.Control;
using Router.Daemon.Observers;
using Router.Integrations.Actions;
using Router.Integrations.Health;
using Router.Integrations.Logging;

namespace Router.Daemon.Health;

/// <summary>Track checks: scheduled from the loop, probed off it; the damping lives in Router.Core.Health.</summary>
internal sealed class HealthDriver
{
    private readonly HealthTracker _tracker;
    private readonly Dictionary<string, HealthProbe> _probes;
    private readonly CancellationTokenSource _stop = new();
    private readonly Log _log;
    private readonly ObserverHub _hub;
    private readonly Action<LoopEvent> _post;

    public HealthDriver(IReadOnlyList<TrackConfig> tracks, INetworkControl network, Log log, ObserverHub hub, Action<LoopEvent> post)
    {
        _tracker = new HealthTracker(tracks.Select(t => t.Settings));
        var runner = new CommandRunner();
        _probes = tracks.ToDictionary(t => t.Settings.Name, t => ProbeFactory.Create(t, network, runner));
        _log = log;
        _hub = hub;
        _post = post;
    }

    public HealthTracker Tracker => _tracker;

    public TimeSpan? NextDeadline => _tracker.NextDeadline;

    /// <summary>Starts the probes that are due; true when a track changed (by a probe that did not answer in time).</summary>
    public bool OnTimer(TimeSpan now)
    {
        var changed = false;
        foreach (var t in _tracker.Tracks)
        {
            if (t.CheckTimeout(now, out var timedOut) is { } change) changed |= Report(change);
            if (timedOut) _log.Debug($"track {t.Settings.Name}: no answer within {t.Settings.Timeout.TotalSeconds:0.###} s");
            if (!t.IsDue(now)) continue;
            var ticket = t.Begin(now);
            var name = t.Settings.Name;
            var probe = _probes[name];
            var timeout = t.Settings.Timeout;
            var stop = _stop.Token;
            _ = Task.Run(async () =>
            {
                var result = await probe.RunAsync(timeout, stop).ConfigureAwait(false);
                _post(new ProbeDone(name, ticket, result));
            });
        }
        return changed;
    }

    /// <summary>True when the answer changed a track (the instances must re-apply health).</summary>
    public bool OnProbeDone(ProbeDone p, TimeSpan now) =>
        _tracker.Find(p.Track) is { } t && t.Complete(p.Ticket, p.Result.Ok, p.Result.Detail, now) is { } change && Report(change);

    public IReadOnlyList<TrackView> View() =>
        _tracker.Tracks.Select(t => new TrackView(t.Settings.Name, t.Up, t.Runs, t.Failures, t.LastDetail)).ToList();

    public void Stop() => _stop.Cancel();

    private bool Report(TrackChange change)
    {
        _log.Info($"track {change.Name}: {(change.Up ? "UP" : "DOWN")} ({change.Detail})");
        _hub.Event("track", null, $"track {change.Name} {(change.Up ? "up" : "down")}: {change.Detail}",
            new Dictionary<string, string> { ["track"] = change.Name, ["up"] = change.Up ? "true" : "false", ["detail"] = change.Detail });
        return true;
    }
}
