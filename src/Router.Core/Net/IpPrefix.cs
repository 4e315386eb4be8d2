using System.Net;
using System.Net.Sockets;

namespace Router.Core.Net;

/// <summary>An address with its prefix length, host bits kept (192.168.1.1/24), unlike System.Net.IPNetwork.</summary>
public readonly record struct IpPrefix(IPAddress Address, int PrefixLength)
{
    public AddressFamily Family => Address.AddressFamily;

    public static bool TryParse(string text, out IpPrefix prefix)
    {
        prefix = default;
        var slash = text.IndexOf('/');
        var addrText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addrText, out var addr) || addrText.Contains('%')) return false;
        var max = addr.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var len = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out len) || len < 0 || len > max))
            return false;
        prefix = new IpPrefix(addr, len);
        return true;
    }

    // Loops for what callers would otherwise write with LINQ: every LINQ operator over a struct compiles its own
    // iterator family into the NativeAOT binary (toolchain/README.md, "Size options").

    /// <summary>Whether one of the prefixes carries this address (any prefix length).</summary>
    public static bool AnyWithAddress(IReadOnlyList<IpPrefix> prefixes, IPAddress address)
    {
        foreach (var p in prefixes)
        {
            if (p.Address.Equals(address)) return true;
        }
        return false;
    }

    /// <summary>The addresses of the prefixes, in order.</summary>
    public static List<IPAddress> Addresses(IReadOnlyList<IpPrefix> prefixes)
    {
        var list = new List<IPAddress>(prefixes.Count);
        foreach (var p in prefixes) list.Add(p.Address);
        return list;
    }

    /// <summary>The prefixes as text (ADDR/LEN), in order.</summary>
    public static List<string> Strings(IReadOnlyList<IpPrefix> prefixes)
    {
        var list = new List<string>(prefixes.Count);
        foreach (var p in prefixes) list.Add(p.ToString());
        return list;
    }

    /// <summary>True when <paramref name="other"/> lies in this prefix's network.</summary>
    public bool Contains(IPAddress other)
    {
        if (other.AddressFamily != Address.AddressFamily) return false;
        Span<byte> a = stackalloc byte[16], b = stackalloc byte[16];
        Address.TryWriteBytes(a, out var n);
        other.TryWriteBytes(b, out _);
        var bits = PrefixLength;
        for (var i = 0; i < n && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? (byte)0xff : (byte)(0xff << (8 - bits));
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}
