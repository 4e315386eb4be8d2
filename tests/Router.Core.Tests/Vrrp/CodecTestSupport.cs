using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Router.Core.Tests.Vrrp;

/// <summary>Test-side helpers written independently of the codec, so the codec is checked against them.</summary>
internal static class CodecTestSupport
{
    public static readonly IPAddress RouterA = IPAddress.Parse("192.168.77.2");
    public static readonly IPAddress Vip = IPAddress.Parse("192.168.77.1");
    public static readonly IPAddress Group4 = IPAddress.Parse("224.0.0.18");
    public static readonly IPAddress Group6 = IPAddress.Parse("ff02::12");

    /// <summary>The VRRP messages keepalived 2.2.7 sent (README.txt of the captures).</summary>
    public const string V3Adv1Hex = "314d960100643c69c0a84d01";
    public const string V3Adv001Hex = "314d960100013cccc0a84d01";
    public const string V3Prio0Hex = "314d00010064d269c0a84d01";
    public const string V2PassHex = "214d96010101cc87c0a84d017365637265743132";

    public static string CaptureDirectory { get; } = Path.Combine(FindRepoRoot(), "tests", "testdata", "vrrp");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Router.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No Router.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>RFC 1071 sum as plain arithmetic on a 64-bit total; 0xFFFF means the data verifies.</summary>
    public static int OnesComplementSum(params byte[][] pieces)
    {
        var all = pieces.SelectMany(p => p).ToList();
        if (all.Count % 2 == 1)
            all.Add(0);
        long total = 0;
        for (var i = 0; i < all.Count; i += 2)
            total += all[i] * 256 + all[i + 1];
        while (total > 0xFFFF)
            total = total % 65536 + total / 65536;
        return (int)total;
    }

    public static byte[] PseudoHeader(IPAddress source, IPAddress destination, int length)
    {
        var s = source.GetAddressBytes();
        var d = destination.GetAddressBytes();
        if (source.AddressFamily == AddressFamily.InterNetwork)
            return [.. s, .. d, 0, 112, (byte)(length >> 8), (byte)length];
        return [.. s, .. d, 0, 0, (byte)(length >> 8), (byte)length, 0, 0, 0, 112];
    }

    /// <summary>Rewrites the checksum field so a crafted message fails only for the reason under test.</summary>
    public static byte[] WithChecksum(byte[] message, IPAddress? source = null, IPAddress? destination = null)
    {
        var copy = (byte[])message.Clone();
        copy[6] = copy[7] = 0;
        var sum = source is null
            ? OnesComplementSum(copy)
            : OnesComplementSum(PseudoHeader(source, destination!, copy.Length), copy);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(6), (ushort)~sum);
        return copy;
    }
}
