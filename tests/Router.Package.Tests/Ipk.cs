using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Router.Package.Tests;

/// <summary>One member of a tar inside the ipk.</summary>
public sealed record IpkEntry(string Name, TarEntryType Type, UnixFileMode Mode, int Uid, int Gid, byte[] Content)
{
    public string Text => Encoding.UTF8.GetString(Content);
    public int Octal => (int)Mode;
}

/// <summary>An ipk read the way opkg reads it: the outer gzip'd tar, then control.tar.gz and data.tar.gz.</summary>
public sealed class Ipk
{
    public IReadOnlyList<IpkEntry> Outer { get; }
    public IReadOnlyList<IpkEntry> Control { get; }
    public IReadOnlyList<IpkEntry> Data { get; }

    private Ipk(List<IpkEntry> outer)
    {
        Outer = outer;
        Control = ReadTarGz(Member("./control.tar.gz").Content);
        Data = ReadTarGz(Member("./data.tar.gz").Content);
    }

    public static Ipk Read(string path) => new(ReadTarGz(File.ReadAllBytes(path)));

    public IpkEntry Member(string name) => Outer.SingleOrDefault(e => e.Name == name) ?? throw new KeyNotFoundException($"ipk has no {name}");

    public IpkEntry ControlFile(string name) => Control.Single(e => e.Name == "./" + name);

    public IpkEntry? DataFile(string path) => Data.SingleOrDefault(e => e.Name == "." + path);

    /// <summary>control's "Field: value" lines (continuation lines belong to the field above).</summary>
    public IReadOnlyDictionary<string, string> Fields()
    {
        var fields = new Dictionary<string, string>();
        string? last = null;
        foreach (var line in ControlFile("control").Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith(' ') && last is not null) { fields[last] += "\n" + line.Trim(); continue; }
            var colon = line.IndexOf(':');
            last = line[..colon];
            fields.Add(last, line[(colon + 1)..].Trim());
        }
        return fields;
    }

    private static List<IpkEntry> ReadTarGz(byte[] bytes)
    {
        var list = new List<IpkEntry>();
        using var reader = new TarReader(new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress));
        while (reader.GetNextEntry() is { } e)
        {
            var content = new MemoryStream();
            e.DataStream?.CopyTo(content);
            list.Add(new IpkEntry(e.Name, e.EntryType, e.Mode, e.Uid, e.Gid, content.ToArray()));
        }
        return list;
    }
}
