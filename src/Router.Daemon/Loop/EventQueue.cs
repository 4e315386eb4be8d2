namespace Router.Daemon;

/// <summary>
/// The loop's inbox. Producers post from any thread; the loop thread blocks until an event arrives or its
/// next VRRP deadline passes. Waiting with a deadline here, instead of arming a timer that hops through the
/// thread pool into a channel, keeps an idle router to one wake-up per advert (measured: 1.4 % of a core
/// at 100 ms adverts through timer + pool, see README).
/// </summary>
internal sealed class EventQueue
{
    private readonly Queue<LoopEvent> _events = new();
    private readonly object _gate = new();

    public void Post(LoopEvent e)
    {
        lock (_gate)
        {
            _events.Enqueue(e);
            if (_events.Count == 1) Monitor.Pulse(_gate);
        }
    }

    /// <summary>The next event, or null when <paramref name="timeout"/> passed first (infinite: Timeout.InfiniteTimeSpan).</summary>
    public LoopEvent? Take(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_events.Count == 0 && (timeout == TimeSpan.Zero || !Monitor.Wait(_gate, timeout)))
                return null;
            return _events.Count > 0 ? _events.Dequeue() : null;
        }
    }
}
