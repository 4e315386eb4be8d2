using System.Net;
using System.Net.Sockets;
using Router.Core.Net;
using Router.Core.Ports;

namespace Router.Daemon.Tests.Kit;

/// <summary>One LAN segment: every VRRP socket on it hears every multicast advert of the others (unicast: the
/// addressed one). A router can be cut off, as a pulled cable would.</summary>
internal sealed class FakeLan
{
    private readonly List<FakeVrrpSocket> _sockets = [];
    private readonly HashSet<string> _cut = [];

    public long Delivered { get; private set; }

    public void Attach(FakeVrrpSocket socket) => _sockets.Add(socket);

    public void Detach(FakeVrrpSocket socket) => _sockets.Remove(socket);

    public void Cut(string router) => _cut.Add(router);

    public void Heal(string router) => _cut.Remove(router);

    public void Send(FakeVrrpSocket from, byte[] message, IPAddress destination)
    {
        if (_cut.Contains(from.Router)) return;
        var multicast = destination.IsIPv6Multicast || (destination.AddressFamily == AddressFamily.InterNetwork && destination.GetAddressBytes()[0] >= 224);
        foreach (var to in _sockets.ToArray())
        {
            if (to == from || _cut.Contains(to.Router) || to.Family != from.Family) continue;
            if (!multicast && !to.SourceAddress.Equals(destination)) continue;
            Delivered++;
            to.Deliver(new ReceivedVrrp(message, from.SourceAddress, destination, 255, to.InterfaceIndex));
        }
    }
}

/// <summary>A VRRP socket on the fake LAN; what it receives goes straight into its router's inbox.</summary>
internal sealed class FakeVrrpSocket(FakeLan lan, string router, IPAddress source, int interfaceIndex) : IVrrpSocket
{
    private Action<ReceivedVrrp>? _receiver;

    public string Router => router;

    public int InterfaceIndex => interfaceIndex;

    public AddressFamily Family => source.AddressFamily;

    public IPAddress SourceAddress => source;

    public List<(TimeSpan At, byte[] Message)> Sent { get; } = [];

    public ValueTask<ReceivedVrrp> ReceiveAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("the fake LAN pushes packets through StartReceiving");

    public void Send(ReadOnlySpan<byte> message, IPAddress destination) => lan.Send(this, message.ToArray(), destination);

    public IDisposable StartReceiving(Action<ReceivedVrrp> onPacket)
    {
        _receiver = onPacket;
        return new Stopper(this);
    }

    public void Deliver(ReceivedVrrp packet) => _receiver?.Invoke(packet);

    public void Dispose() => lan.Detach(this);

    private sealed class Stopper(FakeVrrpSocket socket) : IDisposable
    {
        public void Dispose() => socket._receiver = null;
    }
}

/// <summary>
/// The kernel of one router as rtnetlink shows it: links and addresses, with the events a change raises. Address
/// changes are reported to <see cref="Events"/> at once (the real kernel does it a moment later).
/// </summary>
internal sealed class FakeKernel : INetworkControl, INetlinkMonitor, IAddressAnnouncer
{
    private readonly Dictionary<string, InterfaceInfo> _links = [];
    private readonly Dictionary<int, List<IpPrefix>> _addresses = [];

    public Action<NetlinkEvent>? Events { get; set; }

    /// <summary>Every gratuitous ARP / NA sent, with whether the address was on the link at that moment.</summary>
    public List<(IPAddress Address, bool OnLink)> Announced { get; } = [];

    public void AddLink(string name, int index, params string[] prefixes)
    {
        _links[name] = new InterfaceInfo(index, name, [0x02, 0, 0, 0, 0, (byte)index], true, true, 1500);
        _addresses[index] = prefixes.Select(Prefix).ToList();
    }

    public void SetLink(string name, bool up)
    {
        var link = _links[name] with { AdminUp = up, OperUp = up };
        _links[name] = link;
        Events?.Invoke(new LinkChanged(link));
    }

    public bool Has(string link, string address) =>
        _addresses[_links[link].Index].Any(p => p.Address.Equals(IPAddress.Parse(address)));

    /// <summary>Someone (an `ip addr del`, netifd) removes an address behind the daemon's back.</summary>
    public void Remove(string link, string prefix) => RemoveAddress(_links[link].Index, Prefix(prefix));

    public InterfaceInfo? GetInterface(string name) => _links.GetValueOrDefault(name);

    public IReadOnlyList<IpPrefix> GetAddresses(int interfaceIndex, AddressFamily family) =>
        _addresses.TryGetValue(interfaceIndex, out var list) ? list.Where(p => p.Family == family).ToList() : [];

    public void AddAddress(int interfaceIndex, IpPrefix address)
    {
        var list = _addresses[interfaceIndex];
        if (list.Any(p => p.Address.Equals(address.Address))) return;
        list.Add(address);
        Events?.Invoke(new AddressAdded(interfaceIndex, address));
    }

    public void RemoveAddress(int interfaceIndex, IpPrefix address)
    {
        if (_addresses[interfaceIndex].RemoveAll(p => p.Address.Equals(address.Address)) > 0)
            Events?.Invoke(new AddressRemoved(interfaceIndex, address));
    }

    public ValueTask<NetlinkEvent> ReadAsync(CancellationToken cancellationToken) =>
        new(Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith<NetlinkEvent>(_ => throw new OperationCanceledException(),
            TaskScheduler.Default));

    public void Announce(InterfaceInfo link, IPAddress address) =>
        Announced.Add((address, _addresses[link.Index].Any(p => p.Address.Equals(address))));

    public void Dispose() { }

    private static IpPrefix Prefix(string s) => IpPrefix.TryParse(s, out var p) ? p : throw new ArgumentException(s);
}
