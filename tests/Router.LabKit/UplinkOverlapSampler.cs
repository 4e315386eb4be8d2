using System.Diagnostics;

namespace Router.LabKit;

/// <summary>
/// Watches both routers of an <see cref="HaLab"/> from outside while a scenario runs: each router's `wan0` admin state
/// and whether its tunnel client process lives, sampled back to back. A stretch between two samples counts as "both
/// up" when either end saw both, so the totals are upper bounds of the sampling interval's resolution.
/// </summary>
/// <remarks>WAN states come from one long-lived `ip -batch` per router (<see cref="LinkSampler"/>, well under a
/// millisecond a read; a new `ip` per read took about 8 ms, and a handover between the two reads of one sample
/// showed as tens of ms of "both up"). B, the router these scenarios hand over to, is read first: B up and then A
/// still up is an overlap that really happened.</remarks>
public sealed class UplinkOverlapSampler : IDisposable
{
    private readonly HaLab _lab;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly object _lock = new();
    private TimeSpan _bothWans, _bothTunnels;
    private long _samples;

    public UplinkOverlapSampler(HaLab lab)
    {
        _lab = lab;
        _loop = Task.Run(Run);
    }

    public TimeSpan BothWans
    {
        get { lock (_lock) return _bothWans; }
    }

    public TimeSpan BothTunnelClients
    {
        get { lock (_lock) return _bothTunnels; }
    }

    public long Samples => Interlocked.Read(ref _samples);

    private (bool Wans, bool Tunnels) Sample(LinkSampler wanA, LinkSampler wanB) =>
        (wanB.IsUp() && wanA.IsUp(), _lab.Tunnel('B').IsRunning && _lab.Tunnel('A').IsRunning);

    private async Task Run()
    {
        using var wanA = new LinkSampler(_lab.Topology.Router('A'), HaTopology.WanInterface);
        using var wanB = new LinkSampler(_lab.Topology.Router('B'), HaTopology.WanInterface);
        var clock = Stopwatch.StartNew();
        var last = Sample(wanA, wanB);
        var lastAt = clock.Elapsed;
        while (!_stop.IsCancellationRequested)
        {
            var now = Sample(wanA, wanB);
            var at = clock.Elapsed;
            lock (_lock)
            {
                if (last.Wans || now.Wans) _bothWans += at - lastAt;
                if (last.Tunnels || now.Tunnels) _bothTunnels += at - lastAt;
            }
            (last, lastAt) = (now, at);
            Interlocked.Increment(ref _samples);
            await Task.Yield();
        }
    }

    /// <summary>Seconds in which the VPS's ledger shows sessions of both routers open at once.</summary>
    public static TimeSpan SessionOverlap(IReadOnlyList<VpsSession> sessions)
    {
        var now = DateTimeOffset.UtcNow;
        var total = TimeSpan.Zero;
        foreach (var a in sessions.Where(s => s.Router == "A"))
            foreach (var b in sessions.Where(s => s.Router == "B"))
            {
                var overlap = Min(a.End ?? now, b.End ?? now) - Max(a.Start, b.Start);
                if (overlap > TimeSpan.Zero) total += overlap;
            }
        return total;
    }

    private static DateTimeOffset Min(DateTimeOffset x, DateTimeOffset y) => x < y ? x : y;
    private static DateTimeOffset Max(DateTimeOffset x, DateTimeOffset y) => x > y ? x : y;

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
