using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Router.LabKit;
using Router.Peers;

namespace Router.Peers.Tests;

/// <summary>One router's channel in a test: records every event it reports and waits on them with a deadline.</summary>
internal sealed class PeerNode : IAsyncDisposable
{
    public const string Secret = "correct horse battery staple 42 0123456789";
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<PeerEvent> _events = new();

    public PeerNode(string nodeId, IReadOnlyList<PeerPath> paths, string secret = Secret, ushort? schema = null,
        TimeSpan? dead = null, int queueFrames = 1024)
    {
        var options = new PeerChannelOptions
        {
            NodeId = nodeId,
            SoftwareVersion = "test-1.0",
            Secret = PeerSecret.FromText(secret),
            Paths = paths,
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            DeadInterval = dead ?? TimeSpan.FromSeconds(2),
            HandshakeTimeout = TimeSpan.FromSeconds(2),
            ReconnectInitial = TimeSpan.FromMilliseconds(50),
            ReconnectMax = TimeSpan.FromMilliseconds(400),
            SendQueueFrames = queueFrames,
        };
        if (schema is { } s) options = options with { SchemaVersion = s };
        Channel = new PeerChannel(options, _events.Enqueue);
        Channel.Start();
    }

    public PeerChannel Channel { get; }
    public IReadOnlyList<PeerEvent> Events => _events.ToArray();

    public T WaitFor<T>(Func<T, bool>? match = null, string? what = null) where T : PeerEvent =>
        Wait.For(() => _events.OfType<T>().FirstOrDefault(e => match?.Invoke(e) ?? true), found => found is not null,
            Deadline, what ?? typeof(T).Name, _ => EventList())!;

    public void WaitUntil(Func<bool> condition, string what) => Wait.Until(condition, Deadline, what, EventList);

    private string EventList() => $"events: {string.Join("; ", _events)}";

    public PeerMessage WaitForMessage(string text) =>
        WaitFor<PeerMessage>(m => Encoding.UTF8.GetString(m.Payload.Span) == text, $"message '{text}'");

    public PeerSendResult Send(string text, ushort type = 0x0200) => Channel.Send(type, Encoding.UTF8.GetBytes(text));

    public PeerPathStatus Path(string name) => Channel.Status().Single(p => p.Path == name);

    public ValueTask DisposeAsync() => Channel.DisposeAsync();

    /// <summary>A loopback port nobody listens on right now (for configs that must name the other side's port up front).</summary>
    public static IPEndPoint FreeEndPoint()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)s.LocalEndPoint!;
    }
}
