using System.Buffers.Binary;

namespace Router.Core.Tests.Vrrp;

/// <summary>Minimal libpcap (not pcapng) reader for the captured keepalived vectors: Ethernet link type only.</summary>
internal static class CodecPcapReader
{
    private const int GlobalHeaderLength = 24;
    private const int RecordHeaderLength = 16;
    private const int EthernetHeaderLength = 14;
    private const int LinkTypeEthernet = 1;

    public static List<byte[]> ReadFrames(string path)
    {
        var file = File.ReadAllBytes(path);
        Assert.True(file.Length >= GlobalHeaderLength, $"{path}: shorter than a pcap global header");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        var littleEndian = magic switch
        {
            0xA1B2C3D4 or 0xA1B23C4D => true,
            0xD4C3B2A1 or 0x4D3CB2A1 => false,
            _ => throw new InvalidDataException($"{path}: not a pcap file (magic 0x{magic:x8})"),
        };
        uint Read32(int offset) => littleEndian
            ? BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset, 4))
            : BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset, 4));

        Assert.Equal((uint)LinkTypeEthernet, Read32(20));
        var frames = new List<byte[]>();
        var position = GlobalHeaderLength;
        while (position < file.Length)
        {
            Assert.True(position + RecordHeaderLength <= file.Length, $"{path}: truncated record header at {position}");
            var capturedLength = checked((int)Read32(position + 8));
            var originalLength = checked((int)Read32(position + 12));
            Assert.Equal(originalLength, capturedLength); // the vectors are never snapped
            position += RecordHeaderLength;
            Assert.True(position + capturedLength <= file.Length, $"{path}: truncated record at {position}");
            frames.Add(file.AsSpan(position, capturedLength).ToArray());
            position += capturedLength;
        }
        return frames;
    }

    /// <summary>The IPv4 datagram of an Ethernet II frame, or null for other ether types (ARP).</summary>
    public static byte[]? Ipv4Datagram(byte[] frame)
    {
        if (frame.Length < EthernetHeaderLength || BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12, 2)) != 0x0800)
            return null;
        return frame[EthernetHeaderLength..];
    }
}
