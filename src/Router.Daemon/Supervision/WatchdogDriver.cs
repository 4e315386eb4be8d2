using Router.Core.Supervision;
using Router.Daemon.Control;
using Router.Integrations.Logging;
using Router.Integrations.Supervision;

namespace Router.Daemon.Supervision;

/// <summary>
/// Feeds the service watchdog from the event loop: <see cref="AfterTurn"/> runs at the end of every turn, so only a
/// loop that completes turns pings, and the loop wakes at <see cref="NextDeadline"/> for it. READY=1 waits until the
/// boot plan has released every role action, so "started" means "holds nothing it was not elected for".
/// </summary>
internal sealed class WatchdogDriver
{
    private readonly IServiceWatchdog _watchdog;
    private readonly Log _log;
    private readonly Action<string?> _pinged;
    private readonly WatchdogSchedule? _schedule;
    private long _failures;
    private string? _lastError;

    public WatchdogDriver(IServiceWatchdog watchdog, Log log, Action<string?> pinged, TimeSpan now)
    {
        _watchdog = watchdog;
        _log = log;
        _pinged = pinged;
        if (watchdog.Timeout is { } timeout) _schedule = new WatchdogSchedule(timeout, now);
    }

    public bool Ready { get; private set; }

    public TimeSpan? NextDeadline => _schedule?.NextPing;

    public void AfterTurn(TimeSpan now, bool bootReleased)
    {
        if (!Ready && bootReleased)
        {
            Ready = true;
            _watchdog.Ready();
            _log.Info(_schedule is { } s
                ? $"{_watchdog.Supervisor}: ready; watchdog {s.Timeout.TotalSeconds:0.###} s, pinged every {s.Interval.TotalSeconds:0.###} s from the event loop"
                : $"{_watchdog.Supervisor}: ready (no watchdog pings asked for)");
        }
        if (_schedule?.TakeDue(now) == true) _watchdog.Ping(_pinged);
    }

    /// <summary>A ping's outcome, back on the loop: the first failure and the recovery are logged, not every one.</summary>
    public void OnPinged(string? error)
    {
        if (error is null)
        {
            if (_lastError is not null) _log.Info($"{_watchdog.Supervisor}: watchdog pings go through again");
            _lastError = null;
            return;
        }
        _failures++;
        if (_lastError is null) _log.Warn($"{_watchdog.Supervisor}: watchdog ping failed, the supervisor may restart us: {error}");
        _lastError = error;
    }

    public void Stopping() => _watchdog.Stopping();

    public WatchdogStatus? Status(TimeSpan now) => _schedule is not { } s
        ? null
        : new WatchdogStatus(_watchdog.Supervisor, s.Timeout.TotalSeconds, s.Interval.TotalSeconds, Ready, s.Pings, _failures,
            s.LastPing is { } last ? Math.Round((now - last).TotalMilliseconds) : null, _lastError);
}
