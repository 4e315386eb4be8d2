using Router.Integrations.Supervision;

namespace Router.Daemon.Tests.Kit;

/// <summary>The supervisor's end of the watchdog: every notification with the fake clock's time.</summary>
internal sealed class FakeWatchdog(ManualClock clock, TimeSpan? timeout) : IServiceWatchdog
{
    public List<(TimeSpan At, string What)> Calls { get; } = [];

    public IEnumerable<TimeSpan> Pings => Calls.Where(c => c.What == "ping").Select(c => c.At);

    public string Supervisor => "fake";

    public TimeSpan? Timeout => timeout;

    public void Ready() => Calls.Add((clock.Elapsed, "ready"));

    public void Ping(Action<string?> done)
    {
        Calls.Add((clock.Elapsed, "ping"));
        done(null);
    }

    public void Stopping() => Calls.Add((clock.Elapsed, "stopping"));

    public void Dispose() { }
}
