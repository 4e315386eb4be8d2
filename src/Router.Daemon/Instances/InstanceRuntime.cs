using System.Net;
using System.Net.Sockets;
using Router.Core.Config;
using Router.Core.Ports;
using Router.Core.Vrrp;

namespace Router.Daemon.Instances;

/// <summary>
/// One configured instance at run time: its state machine, its socket and the kernel facts it depends on.
/// Owned by the event loop; nothing here is touched from another thread except the receive task,
/// which only posts packets.
/// </summary>
internal sealed class InstanceRuntime : IDisposable
{
    /// <summary>Packets posted to the loop and not yet handled; past this a flood is shed, not queued.</summary>
    public const int MaxPendingPackets = 256;
    private IDisposable? _receiver;
    private int _pendingPackets;
    private long _shedPackets;

    public InstanceRuntime(InstanceConfig config, VrrpInstance machine)
    {
        Config = config;
        Machine = machine;
    }

    public InstanceConfig Config { get; set; }
    public VrrpInstance Machine { get; set; }
    public VrrpInstanceSettings Settings => Config.Vrrp;
    public string Name => Settings.Name;
    public IVrrpSocket? Socket { get; private set; }
    public InterfaceInfo? Link { get; set; }
    public Dictionary<VrrpDropReason, long> Drops { get; } = [];
    public long VipsRestored { get; set; }
    /// <summary>Adverts ignored because their sender is not a trusted source (a LAN host posing as master).</summary>
    public UnknownMasterWatch UnknownMasters { get; } = new();
    public bool AddressMismatchLogged { get; set; }
    /// <summary>Shut down and waiting for its VIPs to be released; then it leaves the loop.</summary>
    public bool Stopping { get; set; }
    /// <summary>The VIPs the kernel has on the link, kept from netlink events (one dump when the link is (re)learnt).</summary>
    public HashSet<IPAddress> PresentVips { get; } = [];
    public bool VipsPresent
    {
        get
        {
            // A loop, not LINQ's All over the IpPrefix struct (binary size: toolchain/README.md, "Size options").
            foreach (var v in Config.VirtualPrefixes)
            {
                if (!PresentVips.Contains(v.Address)) return false;
            }
            return true;
        }
    }
    public string? LastError { get; set; }
    /// <summary>FAULT because of the interface (down or missing), as opposed to maintenance etc.</summary>
    public string? LinkFaultReason { get; set; }
    public bool LinkFault => LinkFaultReason is not null;
    /// <summary>A weight-0 track is down (Router.Core.Health); combined with the link fault by the daemon.</summary>
    public string? HealthFaultReason { get; set; }

    public bool IsMulticast => Settings.UnicastPeers.Count == 0;

    public IPAddress LocalAddress =>
        Socket?.SourceAddress ?? Config.SourceAddress
        ?? (Settings.Family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any);

    public void CountDrop(VrrpDropReason reason)
    {
        Drops.TryGetValue(reason, out var n);
        Drops[reason] = n + 1;
    }

    /// <summary>Opens the socket on the current link and starts posting its packets to the loop; past
    /// MaxPendingPackets unhandled ones a flood is shed, not queued.</summary>
    public void OpenSocket(Func<InterfaceInfo, IVrrpSocket> open, ReceiveStarter startReceiving,
        Action<InstanceRuntime, ReceivedVrrp> onPacket, Action<InstanceRuntime, Exception> onFailure)
    {
        CloseSocket();
        if (Link is null) return;
        var socket = open(Link);
        Socket = socket;
        _receiver = startReceiving(socket, packet =>
        {
            if (Interlocked.Increment(ref _pendingPackets) > MaxPendingPackets)
            {
                Interlocked.Decrement(ref _pendingPackets);
                Interlocked.Increment(ref _shedPackets);
                return;
            }
            onPacket(this, packet);
        }, e => onFailure(this, e));
    }

    /// <summary>The loop took one posted packet off the queue.</summary>
    public void PacketHandled() => Interlocked.Decrement(ref _pendingPackets);

    /// <summary>Packets dropped because the loop was behind (a flood on the LAN).</summary>
    public long ShedPackets => Interlocked.Read(ref _shedPackets);

    public void CloseSocket()
    {
        _receiver?.Dispose();
        _receiver = null;
        Socket?.Dispose();
        Socket = null;
    }

    /// <summary>Destinations of our adverts: the group, or every unicast peer.</summary>
    public IEnumerable<IPAddress> Destinations() =>
        IsMulticast
            ? [Settings.Family == AddressFamily.InterNetwork ? VrrpCodec.MulticastV4 : VrrpCodec.MulticastV6]
            : Settings.UnicastPeers;

    public VrrpAdvertisement Advertisement(byte priority) => new(
        Settings.Version,
        Settings.Vrid,
        priority,
        (ushort)Math.Round(Settings.AdvertInterval.TotalMilliseconds / 10),
        Settings.VirtualAddresses,
        Settings.AuthType,
        Settings.AuthData);

    /// <summary>Identity of the settings that need a restart of the instance when changed (notify scripts do not).</summary>
    public static string Fingerprint(InstanceConfig c)
    {
        var s = c.Vrrp;
        return string.Join('|',
            c.Interface, s.Vrid, s.Version, s.Family, s.Priority, s.AdvertInterval.Ticks, s.Preempt, s.PreemptDelay.Ticks,
            s.Accept, string.Join(',', c.VirtualPrefixes), s.AuthType, s.AuthData is null ? "" : Convert.ToHexString(s.AuthData),
            string.Join(',', s.UnicastPeers), c.SourceAddress, s.GarpRepeat, s.GarpInterval.Ticks, s.GarpMasterDelay.Ticks,
            s.GarpRefresh.Ticks, c.SyncGroup);
    }

    public void Dispose() => CloseSocket();
}
