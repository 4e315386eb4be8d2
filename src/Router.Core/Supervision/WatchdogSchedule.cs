namespace Router.Core.Supervision;

/// <summary>
/// When the event loop pings its service watchdog (systemd, procd): at the end of a turn, at most once per half of the
/// supervisor's timeout, so one late ping still leaves half the timeout. Pure: the loop passes the time, and wakes at
/// <see cref="NextPing"/> even when no input arrives. A stuck loop never reaches the end of a turn, so it stops
/// pinging and the supervisor restarts the daemon (a timer thread would keep pinging for a dead loop).
/// </summary>
public sealed class WatchdogSchedule
{
    public WatchdogSchedule(TimeSpan timeout, TimeSpan now)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "the watchdog timeout must be positive");
        Timeout = timeout;
        Interval = timeout / 2;
        NextPing = now;
    }

    /// <summary>The supervisor's timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Half the timeout (sd_watchdog_enabled's advice).</summary>
    public TimeSpan Interval { get; }

    /// <summary>When the next ping is due; the first is due at once.</summary>
    public TimeSpan NextPing { get; private set; }

    public TimeSpan? LastPing { get; private set; }

    public long Pings { get; private set; }

    /// <summary>At the end of a turn: true when a ping is due now (and it is then counted as sent).</summary>
    public bool TakeDue(TimeSpan now)
    {
        if (now < NextPing) return false;
        NextPing = now + Interval;
        LastPing = now;
        Pings++;
        return true;
    }
}
