using System.Net;
using System.Net.Sockets;

namespace Router.Core.Vrrp;

public enum VrrpVersion : byte { V2 = 2, V3 = 3 }

public enum VrrpAuthType : byte { None = 0, Pass = 1, Ah = 2 }

/// <summary>RFC 5798 states; Initialize is also "stopped".</summary>
public enum VrrpState { Initialize, Backup, Master, Fault }

/// <summary>
/// A decoded VRRP advertisement (the VRRP message only, no IP header).
/// AdvertIntervalCs is centiseconds for both versions: v3 carries centiseconds on the wire,
/// v2 carries whole seconds (converted here as seconds * 100).
/// AuthData is v2 only: the 8 octets of the authentication field (NUL padded), or null.
/// </summary>
public sealed record VrrpAdvertisement(
    VrrpVersion Version,
    byte Vrid,
    byte Priority,
    ushort AdvertIntervalCs,
    IReadOnlyList<IPAddress> Addresses,
    VrrpAuthType AuthType = VrrpAuthType.None,
    byte[]? AuthData = null);

/// <summary>Why a received packet was dropped. Every drop is counted per reason (status shows them).</summary>
public enum VrrpDropReason
{
    None = 0,
    TooShort,          // shorter than the fixed header
    BadTtl,            // IPv4 TTL / IPv6 hop limit not 255
    BadVersion,        // not 2 or 3, or not the version this instance runs
    BadType,           // type is not ADVERTISEMENT (1)
    BadChecksum,
    BadLength,         // length does not match count_ip * address size (+ v2 auth)
    BadAddressFamily,  // addresses of the other family than the socket / instance
    UnknownVrid,       // no instance for this VRID on this interface
    AuthTypeMismatch,  // v2: auth type differs from configured
    AuthMismatch,      // v2: password differs
    IntervalMismatch,  // v2: advert interval differs from configured (RFC 3768 7.1)
    BadInterval,       // advert interval 0
    OwnPacket,         // our own advert looped back
}

/// <summary>
/// Runtime settings of one VRRP instance, as the state machine and the receive filter need them.
/// Built from the UCI config by Router.Core.Config.
/// </summary>
public sealed record VrrpInstanceSettings
{
    public required string Name { get; init; }
    public required byte Vrid { get; init; }
    public VrrpVersion Version { get; init; } = VrrpVersion.V3;
    public AddressFamily Family { get; init; } = AddressFamily.InterNetwork;
    /// <summary>Configured priority 1..255; 255 = address owner.</summary>
    public byte Priority { get; init; } = 100;
    /// <summary>v3: multiple of 10 ms, 10 ms .. 40.95 s. v2: whole seconds 1..255.</summary>
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromSeconds(1);
    public bool Preempt { get; init; } = true;
    public TimeSpan PreemptDelay { get; init; } = TimeSpan.Zero;
    public bool Accept { get; init; } = true;
    /// <summary>The VIPs as advertised (order as configured).</summary>
    public IReadOnlyList<IPAddress> VirtualAddresses { get; init; } = [];
    public VrrpAuthType AuthType { get; init; } = VrrpAuthType.None;
    /// <summary>v2 simple password, exactly 8 bytes NUL padded; null when AuthType is None.</summary>
    public byte[]? AuthData { get; init; }
    /// <summary>Empty = multicast (224.0.0.18 / ff02::12).</summary>
    public IReadOnlyList<IPAddress> UnicastPeers { get; init; } = [];
    /// <summary>Gratuitous ARP / unsolicited NA: burst size on takeover, spacing within the burst,
    /// delay of the second burst (0 = none) and periodic refresh while MASTER (0 = none).</summary>
    public int GarpRepeat { get; init; } = 5;
    public TimeSpan GarpInterval { get; init; } = TimeSpan.Zero;
    public TimeSpan GarpMasterDelay { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan GarpRefresh { get; init; } = TimeSpan.Zero;

    public bool IsAddressOwner => Priority == 255;
}
