using System.Net;

namespace Router.Core.Leases;

public enum LeaseAction { Add, Old, Del }

/// <summary>What one dnsmasq --dhcp-script invocation asks for.</summary>
public abstract record DhcpScriptCall;

/// <summary>"init": print the stored leases in lease-file format (dnsmasq --leasefile-ro).</summary>
public sealed record DhcpScriptInit : DhcpScriptCall;

/// <summary>add / old / del of one DHCPv4 lease.</summary>
/// <param name="Stamped">the expiry came from dnsmasq (DNSMASQ_LEASE_EXPIRES), so it orders events
/// (<see cref="LeaseEventOrder"/>); false when this process computed it at run time</param>
public sealed record DhcpLeaseEvent(
    LeaseAction Action,
    string Mac,
    IPAddress Address,
    string? Hostname,
    string? ClientId,
    string? Interface,
    long ExpiresUnix,
    bool Stamped = true) : DhcpScriptCall
{
    public LeaseKey Key => new(Mac, Address);

    /// <summary>The row this event leaves in the store; a "del" becomes a tombstone.</summary>
    public LeaseRecord ToRecord(HybridTimestamp stamp, string origin) =>
        new(Key, ExpiresUnix, Hostname, ClientId, Interface, stamp, origin, Deleted: Action == LeaseAction.Del);
}

/// <summary>A call routerha has nothing to do for (tftp, arp, relay-snoop, DHCPv6): succeed quietly.</summary>
public sealed record DhcpScriptIgnored(string Reason) : DhcpScriptCall;

/// <summary>Arguments or environment that are not what dnsmasq sends.</summary>
public sealed record DhcpScriptMalformed(string Error) : DhcpScriptCall;
