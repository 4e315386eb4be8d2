namespace Router.Core.Health;

/// <summary>What the checks make of one instance: the priority to advertise, or a fault.</summary>
public sealed record InstanceHealth(byte Priority, string? FaultReason);

/// <summary>All checks of the daemon and their combined effect on each instance (keepalived semantics).</summary>
public sealed class HealthTracker
{
    private readonly List<TrackState> _tracks;

    public HealthTracker(IEnumerable<TrackSettings> tracks) => _tracks = tracks.Select(t => new TrackState(t)).ToList();

    public IReadOnlyList<TrackState> Tracks => _tracks;

    public TrackState? Find(string name) => _tracks.FirstOrDefault(t => t.Settings.Name == name);

    public TimeSpan? NextDeadline => _tracks.Count == 0 ? null : _tracks.Min(t => t.NextDeadline);

    /// <summary>
    /// Configured priority plus the weights of the checks that apply: a positive weight counts while up, a
    /// negative one while down; clamped to 1..254. An address owner (255) keeps 255, as in keepalived.
    /// Any weight-0 check that is down puts the instance in FAULT.
    /// </summary>
    public InstanceHealth Evaluate(string instance, byte configuredPriority)
    {
        var mine = _tracks.Where(t => t.Settings.Affects(instance)).ToList();
        var faulted = mine.Where(t => t.Settings.Weight == 0 && !t.Up).Select(t => t.Settings.Name).ToList();
        var fault = faulted.Count == 0 ? null : $"check {string.Join(", ", faulted)} down";
        if (configuredPriority == 255) return new InstanceHealth(255, fault);
        var sum = (int)configuredPriority;
        foreach (var t in mine)
        {
            var w = t.Settings.Weight;
            if ((w > 0 && t.Up) || (w < 0 && !t.Up)) sum += w;
        }
        return new InstanceHealth((byte)Math.Clamp(sum, 1, 254), fault);
    }
}
