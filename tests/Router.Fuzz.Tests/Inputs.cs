using System.Net;
using FsCheck;
using FsCheck.Fluent;

namespace Router.Fuzz.Tests;

/// <summary>Generators shared by the decoders' properties: raw bytes, damaged valid encodings, strings, addresses.</summary>
public static class Inputs
{
    public static readonly Gen<byte> Byte = Gen.Choose(0, 255).Select(b => (byte)b);

    /// <summary>Any bytes: mostly short (where headers are parsed), sometimes a few KiB.</summary>
    public static readonly Gen<byte[]> Bytes = Gen.Frequency(
        (4, Gen.Choose(0, 64).SelectMany(n => Gen.ArrayOf(Byte, n))),
        (1, Gen.Choose(65, 4096).SelectMany(n => Gen.ArrayOf(Byte, n))));

    /// <summary>
    /// A valid encoding damaged 1..4 times: a bit flipped, a byte set (length and count fields become any value),
    /// the tail cut, a byte inserted or removed, random bytes appended. Shows what a decoder does with input that
    /// gets past its first checks, which random bytes rarely do.
    /// </summary>
    public static Gen<byte[]> Damaged(Gen<byte[]> valid) =>
        from bytes in valid
        from count in Gen.Choose(1, 4)
        from seeds in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), count * 3)
        select Damage(bytes, seeds);

    private static byte[] Damage(byte[] input, int[] seeds)
    {
        var bytes = new List<byte>(input);
        for (var i = 0; i < seeds.Length; i += 3)
        {
            var (op, at, value) = (seeds[i] % 6, seeds[i + 1], seeds[i + 2]);
            var position = bytes.Count == 0 ? 0 : at % bytes.Count;
            switch (op)
            {
                case 0 when bytes.Count > 0:
                    bytes[position] ^= (byte)(1 << (value % 8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[position] = (byte)value;
                    break;
                case 2:
                    bytes.RemoveRange(position, bytes.Count - position);
                    break;
                case 3:
                    bytes.Insert(position, (byte)value);
                    break;
                case 4 when bytes.Count > 0:
                    bytes.RemoveAt(position);
                    break;
                default:
                    bytes.AddRange(BitConverter.GetBytes(value));
                    break;
            }
        }
        return [.. bytes];
    }

    /// <summary>Both: raw bytes and damaged valid encodings, half each.</summary>
    public static Gen<byte[]> Hostile(Gen<byte[]> valid) => Gen.OneOf(Bytes, Damaged(valid));

    /// <summary>Text with the characters that matter to parsers: quotes, escapes, separators, controls, NUL, non-ASCII.</summary>
    public static readonly Gen<char> Char = Gen.Frequency(
        (6, Gen.Elements("abcdefxyz_019:-.'\"\\#; \t".ToCharArray())),
        (1, Gen.Elements('\0', '\r', '\n', '\u001b', '\u007f', '\u0085', '\u00e9', '\u200b', '\u202e', '\ud83d', '\ude00', '\uffff')),
        (1, Gen.Choose(0, 0xFFFF).Select(c => (char)c)));

    public static Gen<string> Text(int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(n => Gen.ArrayOf(Char, n)).Select(cs => new string(cs));

    /// <summary>Well-formed Unicode (no lone surrogates), as UTF-8 encoders and decoders agree on it.</summary>
    public static Gen<string> ValidText(int maxLength) =>
        Text(maxLength).Select(s => new string(s.Where(c => !char.IsSurrogate(c)).ToArray()));

    /// <summary>One word as dnsmasq's lease file needs it: printable, no blank, not "*".</summary>
    public static Gen<string> Token(int maxLength) =>
        Gen.Choose(1, maxLength).SelectMany(n => Gen.ArrayOf(Gen.Elements("abcxyz019-_.é".ToCharArray()), n)).Select(cs => new string(cs));

    public static readonly Gen<IPAddress> Ipv4 = Gen.ArrayOf(Byte, 4).Select(b => new IPAddress(b));
    public static readonly Gen<IPAddress> Ipv6 = Gen.ArrayOf(Byte, 16).Select(b => new IPAddress(b));
    public static readonly Gen<IPAddress> Address = Gen.OneOf(Ipv4, Ipv6);

    /// <summary>A hardware address as dnsmasq normalises it: lower-case hex pairs, with an optional "TT-" type prefix.</summary>
    public static readonly Gen<string> Mac =
        from length in Gen.Choose(1, 20)
        from bytes in Gen.ArrayOf(Byte, length)
        from typed in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        select (typed ? $"{bytes[0] % 16:x2}-" : "") + string.Join(':', bytes.Select(b => b.ToString("x2")));

    public static readonly Gen<ulong> UInt64 =
        from hi in Gen.Choose(int.MinValue, int.MaxValue)
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        select (ulong)(uint)hi << 32 | (uint)lo;
}
