using System.Net;
using Router.Core.Config;
using Router.Core.Text;
using Router.Daemon.Control;
using Router.Daemon.Observers;
using Router.Integrations.Events;
using Router.Integrations.Logging;
using Router.Peers;

namespace Router.Daemon.Peers;

/// <summary>
/// The authenticated channel to the other router: it says what happens on each path (log, alerts, refusal counts);
/// the fence (RoleDriver) and lease replication (LeaseDriver) get the events from the loop.
/// </summary>
internal sealed class PeerLink(PeerConfig config, Log log, ObserverHub hub)
{
    public PeerConfig Config => config;

    /// <summary>Null when the channel could not start; the fence then waits for the silence window.</summary>
    public IPeerChannel? Channel { get; private set; }

    public long Version { get; private set; }

    public bool AnyPathUp => Channel?.Status().Any(p => p.Up) == true;

    /// <summary>Sends on every path that is up, so losing one path never delays a decision (the receiver drops the
    /// copies as duplicates).</summary>
    public void SendAll(ushort type, byte[] payload)
    {
        if (Channel is not { } channel) return;
        foreach (var p in channel.Status())
            if (p.Up) channel.Send(p.Path, type, payload);
    }

    public void Start(DaemonPorts ports, string nodeId, Action<PeerEvent> onEvent)
    {
        try
        {
            var secret = config.SecretFile is { } file ? PeerSecret.FromFile(file) : PeerSecret.FromText(config.Secret!);
            Channel = ports.OpenPeer(new PeerChannelOptions
            {
                NodeId = nodeId,
                SoftwareVersion = Cli.Version,
                Secret = secret,
                Paths = config.Paths.Select(p => new PeerPath(p.Name, new IPEndPoint(p.Local, config.Port),
                    new IPEndPoint(p.Remote, config.Port), p.Local)).ToList(),
                HeartbeatInterval = config.HeartbeatInterval,
                DeadInterval = config.DeadInterval,
            }, onEvent);
            Channel.Start();
            log.Info($"peer channel to {config.Name}: {string.Join(", ", config.Paths)} port {config.Port}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException or ArgumentException)
        {
            // The fence still works without the channel: it waits for the silence window, which is the safe side.
            log.Error($"peer channel to {config.Name} not started: {e.Message}; the tunnel will wait the full fence window");
            Channel = null;
        }
    }

    public void OnEvent(PeerEvent e, TimeSpan now)
    {
        switch (e)
        {
            case PeerPathUp u:
                log.Info($"peer {SafeText.Clean(u.PeerNodeId)} ({SafeText.Clean(u.PeerSoftwareVersion)}) up on path {u.Path} ({u.Remote})");
                hub.Event("peer_found", null, $"peer {SafeText.Clean(u.PeerNodeId)} up on {u.Path}", new Dictionary<string, string> { ["path"] = u.Path });
                Version++;
                break;
            case PeerPathDown d:
                log.Warn($"peer path {d.Path} down: {d.Cause} ({d.Reason})");
                hub.Event("peer_lost", null, $"peer path {d.Path} down: {d.Reason}", new Dictionary<string, string> { ["path"] = d.Path });
                Version++;
                break;
            case PeerRefused r:
                // The channel counts every refusal and raises one per source and period: each raised one is logged.
                // Node id and reason were written partly by whoever connected; the channel cleaned them, this keeps it so.
                log.Warn($"peer on {r.Path} refused ({r.Kind}, {(r.ByPeer ? "by the peer" : "by us")}): {SafeText.Clean(r.Reason)}" +
                         (r.Suppressed > 0 ? $" (+{r.Suppressed} more from {SafeText.Clean((r.Remote as IPEndPoint)?.Address.ToString() ?? "there")} not logged)" : ""));
                break;
        }
    }

    /// <summary>Refusals by kind, summed over the paths (the channel counts them; a refused stranger never reaches the loop).</summary>
    public IReadOnlyDictionary<string, long> Refusals()
    {
        var total = new Dictionary<string, long>();
        foreach (var p in Channel?.Status() ?? [])
            foreach (var (kind, n) in p.Refusals)
                total[kind.ToString()] = total.GetValueOrDefault(kind.ToString()) + n;
        return total;
    }

    public IReadOnlyList<PeerPathView>? PathsStatus() => Channel?.Status().Select(p => new PeerPathView(p.Path, p.Up, SafeText.Clean(p.PeerNodeId),
        p.Remote?.ToString(), p.LastHeardAgo?.TotalMilliseconds, SafeText.Clean(p.LastError),
        ByName(p.Refusals))).ToList();

    /// <summary>A loop, not LINQ over the KeyValuePair struct (binary size: toolchain/README.md, "Size options").</summary>
    private static Dictionary<string, long> ByName(IReadOnlyDictionary<PeerRefusal, long> refusals)
    {
        var named = new Dictionary<string, long>();
        foreach (var (kind, n) in refusals) named[kind.ToString()] = n;
        return named;
    }

    /// <summary>Every configured path, down too when the channel could not start.</summary>
    public List<PeerLinkView> Links()
    {
        var up = Channel?.Status().Where(s => s.Up).Select(s => s.Path).ToHashSet() ?? [];
        return config.Paths.Select(p => new PeerLinkView(p.Name, up.Contains(p.Name))).ToList();
    }

    public void Stop()
    {
        try { Channel?.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(2)).GetAwaiter().GetResult(); }
        catch (TimeoutException) { }
    }
}
