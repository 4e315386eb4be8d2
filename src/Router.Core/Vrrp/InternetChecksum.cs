using System.Buffers.Binary;

namespace Router.Core.Vrrp;

/// <summary>
/// RFC 1071 ones'-complement checksum. Sums are accumulated in a 32-bit value so a pseudo-header and
/// the message can be fed in separate pieces; every piece except the last must have even length,
/// because an odd piece would shift the byte pairing of the next one.
/// </summary>
public static class InternetChecksum
{
    public static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i, 2));
            // Fold eagerly so arbitrarily long input can never overflow the accumulator.
            if (sum > 0xFFFF_0000u)
                sum = (sum & 0xFFFF) + (sum >> 16);
        }
        if (i < data.Length)
            sum += (uint)data[i] << 8;
        return sum;
    }

    /// <summary>Folds the carries and complements: the value to put in a checksum field,
    /// or 0 when verifying a message whose checksum field was included in the sum.</summary>
    public static ushort Finish(uint sum)
    {
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));
}
