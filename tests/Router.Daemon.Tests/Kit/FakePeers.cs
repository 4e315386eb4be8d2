using System.Net;
using Router.Peers;

namespace Router.Daemon.Tests.Kit;

/// <summary>
/// The authenticated peer channel between two routers, in memory, one path per name. A path is up while both ends
/// have started and the test has not cut it; messages cross an up path at once, in order.
/// </summary>
internal sealed class FakePeerNet
{
    private readonly Dictionary<string, FakePeerChannel> _ends = [];
    private readonly HashSet<string> _cutPaths = [];
    private readonly HashSet<string> _blackholed = [];

    public FakePeerChannel Open(string node, PeerChannelOptions options, Action<PeerEvent> onEvent)
    {
        var end = new FakePeerChannel(this, node, options, onEvent);
        _ends[node] = end;
        return end;
    }

    public long Messages { get; private set; }

    internal FakePeerChannel? Other(FakePeerChannel end) => _ends.Values.FirstOrDefault(e => e != end && e.Started);

    internal bool PathUp(string path) => !_cutPaths.Contains(path) && _ends.Values.Count(e => e.Started) == 2;

    /// <summary>The path fails (both ends see it go down), as a dead link or a dead peer daemon would.</summary>
    public void Cut(string path)
    {
        if (!_cutPaths.Add(path)) return;
        foreach (var e in _ends.Values.Where(e => e.Started)) e.Down(path, "cut by the test");
    }

    /// <summary>The path's link died but nobody has noticed yet: it stays up at both ends (until the dead interval,
    /// for a real channel) while everything sent on it is lost.</summary>
    public void Blackhole(string path) => _blackholed.Add(path);

    public void Heal(string path)
    {
        if (!_cutPaths.Remove(path)) return;
        Connect();
    }

    internal void Connect()
    {
        var started = _ends.Values.Where(e => e.Started).ToList();
        if (started.Count != 2) return;
        foreach (var path in started[0].Paths.Where(p => !_cutPaths.Contains(p)))
        {
            started[0].Up(path, started[1].Node);
            started[1].Up(path, started[0].Node);
        }
    }

    internal void Deliver(FakePeerChannel from, string path, ushort type, byte[] payload)
    {
        Messages++;
        if (_blackholed.Contains(path)) return;
        Other(from)?.Receive(path, type, payload);
    }

    internal void Stopped(FakePeerChannel end)
    {
        foreach (var path in end.Paths) Other(end)?.Down(path, "peer stopped");
    }
}

internal sealed class FakePeerChannel(FakePeerNet net, string node, PeerChannelOptions options, Action<PeerEvent> onEvent) : IPeerChannel
{
    private readonly HashSet<string> _up = [];

    public string Node => node;

    public bool Started { get; private set; }

    public IEnumerable<string> Paths => options.Paths.Select(p => p.Name);

    public void Start()
    {
        Started = true;
        net.Connect();
    }

    public PeerSendResult Send(ushort type, ReadOnlySpan<byte> payload)
    {
        foreach (var p in Paths)
            if (_up.Contains(p)) return Send(p, type, payload);
        return PeerSendResult.NotConnected;
    }

    public PeerSendResult Send(string path, ushort type, ReadOnlySpan<byte> payload)
    {
        if (!_up.Contains(path)) return PeerSendResult.NotConnected;
        net.Deliver(this, path, type, payload.ToArray());
        return PeerSendResult.Queued;
    }

    public IReadOnlyList<PeerPathStatus> Status() => Paths.Select(p => new PeerPathStatus(p, _up.Contains(p), null, null, null, false, null, null)).ToList();

    internal void Up(string path, string peerNode)
    {
        if (_up.Add(path)) onEvent(new PeerPathUp(path, peerNode, "test", new IPEndPoint(IPAddress.Loopback, 1), false));
    }

    internal void Down(string path, string why)
    {
        if (_up.Remove(path)) onEvent(new PeerPathDown(path, PeerDownCause.Closed, why));
    }

    internal void Receive(string path, ushort type, byte[] payload)
    {
        if (_up.Contains(path)) onEvent(new PeerMessage(path, type, payload));
    }

    public ValueTask DisposeAsync()
    {
        if (Started) net.Stopped(this);
        Started = false;
        _up.Clear();
        return ValueTask.CompletedTask;
    }
}
