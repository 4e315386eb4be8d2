using System.Globalization;
using System.Net;

namespace Router.LabKit;

/// <summary>One tunnel session as the VPS saw it: which router (by its WAN address), from when to when.</summary>
public sealed record VpsSession(IPAddress Address, DateTimeOffset Start, DateTimeOffset? End)
{
    /// <summary>"A", "B" or "?" (an address that is no router's WAN).</summary>
    public string Router => HaTopology.RouterOfWanAddress(Address) ?? "?";

    public override string ToString() =>
        $"{Router} {Address} {Start:HH:mm:ss.fff} .. {(End is { } e ? e.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) : "open")}";

    /// <summary>
    /// Pairs the hook's lines (`client-connect|client-disconnect SECONDS.NANOS ADDRESS CN`) into sessions. The server
    /// holds at most one session of the single identity, so a disconnect closes the open session from that address.
    /// </summary>
    public static IReadOnlyList<VpsSession> ParseLedger(string text)
    {
        var sessions = new List<VpsSession>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(' ');
            if (f.Length < 3 || !IPAddress.TryParse(f[2], out var address)) continue;
            var at = DateTimeOffset.UnixEpoch.AddTicks((long)(decimal.Parse(f[1], CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond));
            if (f[0] == "client-connect")
                sessions.Add(new VpsSession(address, at, null));
            else if (f[0] == "client-disconnect")
            {
                var open = sessions.FindLastIndex(s => s.End is null && s.Address.Equals(address));
                if (open >= 0) sessions[open] = sessions[open] with { End = at };
            }
        }
        return sessions;
    }
}
