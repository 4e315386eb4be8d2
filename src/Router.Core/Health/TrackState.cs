namespace Router.Core.Health;

/// <summary>A change of a check's damped state, for logs and events.</summary>
public sealed record TrackChange(string Name, bool Up, string Detail, TimeSpan At);

/// <summary>
/// One check's damped state. The daemon asks <see cref="IsDue"/> on its timer, runs the probe, and feeds the result
/// to <see cref="Complete"/>. Up turns down only after Fall consecutive failures and back up after Rise consecutive
/// successes: flapping is damped by counting results, never by waiting.
/// </summary>
public sealed class TrackState
{
    private long _ticket;
    private long _inFlight;
    private TimeSpan? _startedAt;
    private int _successes;
    private int _failures;

    public TrackState(TrackSettings settings)
    {
        Settings = settings;
        Up = !settings.InitFail;
    }

    public TrackSettings Settings { get; }
    public bool Up { get; private set; }
    public TimeSpan NextRunAt { get; private set; }
    public bool Running => _inFlight != 0;
    public long Runs { get; private set; }
    public long Failures { get; private set; }
    public long Changes { get; private set; }
    public string? LastDetail { get; private set; }
    public TimeSpan? LastDuration { get; private set; }
    public TimeSpan? LastChangeAt { get; private set; }
    /// <summary>Consecutive results agreeing with the latest one (how far towards rise/fall).</summary>
    public int Streak => Math.Max(_successes, _failures);

    /// <summary>Earliest time the daemon needs to look at this check again.</summary>
    public TimeSpan NextDeadline => _inFlight != 0 ? _startedAt!.Value + Settings.Timeout : NextRunAt;

    public bool IsDue(TimeSpan now) => _inFlight == 0 && now >= NextRunAt;

    /// <summary>Starts a run; the returned ticket goes back with the result.</summary>
    public long Begin(TimeSpan now)
    {
        _inFlight = ++_ticket;
        _startedAt = now;
        NextRunAt = now + Settings.Interval;
        return _inFlight;
    }

    /// <summary>The probe's result. A ticket that is not the run in flight (it timed out already) is ignored.</summary>
    public TrackChange? Complete(long ticket, bool ok, string detail, TimeSpan now)
    {
        if (ticket != _inFlight || ticket == 0) return null;
        _inFlight = 0;
        LastDuration = now - _startedAt!.Value;
        return Record(ok, detail, now);
    }

    /// <summary>Call at <see cref="NextDeadline"/>: a run past its timeout counts as a failure (cancel the probe).</summary>
    public TrackChange? CheckTimeout(TimeSpan now, out bool timedOut)
    {
        timedOut = _inFlight != 0 && now >= _startedAt!.Value + Settings.Timeout;
        if (!timedOut) return null;
        _inFlight = 0;
        LastDuration = now - _startedAt!.Value;
        return Record(false, $"no result within {Settings.Timeout.TotalSeconds:0.###} s", now);
    }

    private TrackChange? Record(bool ok, string detail, TimeSpan now)
    {
        Runs++;
        LastDetail = detail;
        if (ok) { _successes++; _failures = 0; }
        else { Failures++; _failures++; _successes = 0; }

        var flip = Up ? _failures >= Settings.Fall : _successes >= Settings.Rise;
        if (!flip) return null;
        Up = !Up;
        Changes++;
        LastChangeAt = now;
        return new TrackChange(Settings.Name, Up, detail, now);
    }
}
