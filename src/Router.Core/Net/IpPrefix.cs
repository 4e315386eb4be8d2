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
