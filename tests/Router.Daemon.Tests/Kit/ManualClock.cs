namespace Router.Daemon.Tests.Kit;

/// <summary>A clock that moves only when the test moves it: the daemon's deadlines become exact instants.</summary>
internal sealed class ManualClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public TimeSpan Elapsed => TimeSpan.FromTicks(_ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => Epoch + Elapsed;

    public void AdvanceTo(TimeSpan at)
    {
        if (at.Ticks > _ticks) _ticks = at.Ticks;
    }

    public void Advance(TimeSpan by) => AdvanceTo(Elapsed + by);
}
