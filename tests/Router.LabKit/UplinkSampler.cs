using System.Diagnostics;

namespace Router.LabKit;

/// <summary>One look at both routers' uplinks: WAN admin state, tunnel client alive, whose session the VPS holds.</summary>
public sealed record UplinkSample(double AtMs, bool WanA, bool WanB, bool TunnelA, bool TunnelB, string? VpsRouter)
{
    public bool BothWans => WanA && WanB;
    public bool BothTunnels => TunnelA && TunnelB;

    /// <summary>Only this router has WAN and a tunnel client, and the VPS's session is its.</summary>
    public bool Holds(char which) => char.ToUpperInvariant(which) == 'A'
        ? WanA && !WanB && TunnelA && !TunnelB && VpsRouter == "A"
        : WanB && !WanA && TunnelB && !TunnelA && VpsRouter == "B";

    public bool OneHolder => Holds('A') || Holds('B');
}

/// <summary>
/// Samples <see cref="UplinkSample"/> on a 10 ms grid from a thread of its own, for the whole scenario: "seconds with
/// both WANs up" is then the sum of sample intervals where both were up, judged from outside the daemons.
/// </summary>
public sealed class UplinkSampler : IDisposable
{
    private readonly IHaPairLab _lab;
    private readonly TimeSpan _interval;
    private readonly InterfaceFlags _flagsA, _flagsB;
    private readonly List<UplinkSample> _samples = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Thread _thread;
    private volatile bool _stop;
    private volatile UplinkSample? _latest;
    private Exception? _error;

    private UplinkSampler(IHaPairLab lab, TimeSpan interval)
    {
        _lab = lab;
        _interval = interval;
        _flagsA = InterfaceFlags.Open(lab.Topology.RouterA);
        _flagsB = InterfaceFlags.Open(lab.Topology.RouterB);
        _thread = new Thread(Loop) { IsBackground = true, Name = "lab-uplink-sampler" };
    }

    public static UplinkSampler Start(IHaPairLab lab, TimeSpan? interval = null)
    {
        var s = new UplinkSampler(lab, interval ?? TimeSpan.FromMilliseconds(10));
        s._thread.Start();
        return s;
    }

    /// <summary>Milliseconds on the sampler's clock: mark a scenario's events with it.</summary>
    public double NowMs => _clock.Elapsed.TotalMilliseconds;

    /// <summary>The most recent sample, null before the first.</summary>
    public UplinkSample? Latest => _error is null ? _latest : throw new InvalidOperationException("uplink sampler failed", _error);

    private void Loop()
    {
        try
        {
            for (var n = 0L; !_stop; n++)
            {
                var due = _interval * n;
                var wait = due - _clock.Elapsed;
                if (wait > TimeSpan.Zero) Thread.Sleep(wait);
                var s = new UplinkSample(NowMs, _flagsA.IsAdminUp(HaTopology.WanInterface), _flagsB.IsAdminUp(HaTopology.WanInterface),
                    _lab.Tunnel('A').IsRunning, _lab.Tunnel('B').IsRunning, _lab.Vps.Current?.Router);
                lock (_samples) _samples.Add(s);
                _latest = s;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            _error = e;
        }
    }

    /// <summary>Stops sampling and returns every sample taken.</summary>
    public IReadOnlyList<UplinkSample> Stop()
    {
        _stop = true;
        _thread.Join();
        if (_error is not null) throw new InvalidOperationException($"uplink sampler failed: {_error.Message}", _error);
        lock (_samples) return [.. _samples];
    }

    /// <summary>Seconds from <paramref name="fromMs"/> on during which the predicate held (each sample lasts until the next).</summary>
    public static double SecondsWhere(IReadOnlyList<UplinkSample> samples, double fromMs, Func<UplinkSample, bool> predicate)
    {
        var ms = 0.0;
        for (var i = 0; i + 1 < samples.Count; i++)
            if (samples[i].AtMs >= fromMs && predicate(samples[i])) ms += samples[i + 1].AtMs - samples[i].AtMs;
        return ms / 1000;
    }

    /// <summary>Milliseconds after <paramref name="fromMs"/> of the first sample where the predicate held, or null.</summary>
    public static double? FirstAfter(IReadOnlyList<UplinkSample> samples, double fromMs, Func<UplinkSample, bool> predicate) =>
        samples.FirstOrDefault(s => s.AtMs >= fromMs && predicate(s)) is { } hit ? hit.AtMs - fromMs : null;

    public void Dispose()
    {
        _stop = true;
        if (_thread.IsAlive) _thread.Join();
        _flagsA.Dispose();
        _flagsB.Dispose();
    }
}
