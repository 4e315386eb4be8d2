using System.Net;
using System.Net.Sockets;
using Router.Core.Net;

namespace Router.Core.Ports;

// The I/O edges the daemon drives. Router.Linux implements them with raw sockets and rtnetlink;
// tests can substitute fakes. Core itself never calls them.

/// <summary>One received VRRP message with the IP facts the RFC checks need.</summary>
public sealed record ReceivedVrrp(byte[] Message, IPAddress Source, IPAddress Destination, int Ttl, int InterfaceIndex);

/// <summary>A VRRP endpoint on one interface and address family (IP protocol 112).</summary>
public interface IVrrpSocket : IDisposable
{
    /// <summary>Source address used for sending (the v3 checksum needs it before sending).</summary>
    IPAddress SourceAddress { get; }
    /// <summary>Next packet. For IPv4 the IP header is already stripped (TTL, src, dst extracted);
    /// for IPv6 hop limit and destination come from ancillary data. Malformed IP headers are skipped and counted.</summary>
    ValueTask<ReceivedVrrp> ReceiveAsync(CancellationToken cancellationToken);
    /// <summary>Sends a VRRP message with TTL/hop limit 255 (TOS 0xc0 on IPv4) to destination.</summary>
    void Send(ReadOnlySpan<byte> message, IPAddress destination);
}

public sealed record InterfaceInfo(int Index, string Name, byte[] Mac, bool AdminUp, bool OperUp, int Mtu);

public abstract record NetlinkEvent;
public sealed record LinkChanged(InterfaceInfo Link) : NetlinkEvent;
public sealed record LinkRemoved(int Index, string Name) : NetlinkEvent;
public sealed record AddressAdded(int InterfaceIndex, IpPrefix Address) : NetlinkEvent;
public sealed record AddressRemoved(int InterfaceIndex, IpPrefix Address) : NetlinkEvent;

/// <summary>rtnetlink: interface facts and address changes (no shelling out to ip).</summary>
public interface INetworkControl : IDisposable
{
    InterfaceInfo? GetInterface(string name);
    IReadOnlyList<IpPrefix> GetAddresses(int interfaceIndex, AddressFamily family);
    /// <summary>Idempotent: an existing address is success. IPv6 is added with IFA_F_NODAD.</summary>
    void AddAddress(int interfaceIndex, IpPrefix address);
    /// <summary>Idempotent: a missing address is success.</summary>
    void RemoveAddress(int interfaceIndex, IpPrefix address);
}

/// <summary>Subscribes to RTMGRP_LINK and the IPv4/IPv6 address groups.</summary>
public interface INetlinkMonitor : IDisposable
{
    ValueTask<NetlinkEvent> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>Gratuitous ARP (IPv4) and unsolicited Neighbor Advertisement (IPv6) for a VIP.</summary>
public interface IAddressAnnouncer : IDisposable
{
    void Announce(InterfaceInfo link, IPAddress address);
}
