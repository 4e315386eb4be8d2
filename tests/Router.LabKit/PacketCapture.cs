using System.Net;
using System.Text.RegularExpressions;

namespace Router.LabKit;

/// <summary>One captured VRRP packet as tcpdump printed it.</summary>
public sealed record CapturedVrrp(IPAddress Source, IPAddress Destination, string Line);

/// <summary>tcpdump -v on the lab switch: which addresses VRRP adverts really travel between, and their fields.</summary>
public static partial class PacketCapture
{
    /// <summary>Captures up to <paramref name="count"/> VRRP packets crossing the bridge, for at most <paramref name="window"/>.</summary>
    public static IReadOnlyList<CapturedVrrp> Vrrp(LabTopology topology, int count, TimeSpan window)
    {
        var r = Shell.Run("ip", ["netns", "exec", topology.Switch.Name, "timeout", ((int)Math.Ceiling(window.TotalSeconds)).ToString(),
            "tcpdump", "-i", "br0", "-nn", "-v", "-l", "-c", count.ToString(), "ip proto 112 or ip6 proto 112"],
            window + TimeSpan.FromSeconds(5));
        var list = new List<CapturedVrrp>();
        foreach (var line in r.StdOut.Split('\n'))
        {
            var m = AddressesRegex().Match(line);
            if (m.Success) list.Add(new CapturedVrrp(IPAddress.Parse(m.Groups[1].Value), IPAddress.Parse(m.Groups[2].Value), line));
        }
        return list;
    }

    [GeneratedRegex(@"([0-9a-fA-F.:]+) > ([0-9a-fA-F.:]+): VRRP")]
    private static partial Regex AddressesRegex();
}
