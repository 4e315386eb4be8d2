using System.Net;
using Router.Core.Leases;

namespace Router.Core.Tests.Leases;

internal static class LeaseKit
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static LeaseRecord Lease(string mac, string ip, HybridTimestamp stamp, string origin,
        bool deleted = false, string? host = null, long expires = 0) =>
        new(new LeaseKey(mac, IPAddress.Parse(ip)), expires == 0 ? T0.ToUnixTimeSeconds() + 3600 : expires,
            host, null, "br-lan", stamp, origin, deleted);

    /// <summary>A router's view: its own clock and a key-value map merged with LeaseMerge, as the store does.</summary>
    public sealed class Replica(string node)
    {
        public HybridClock Clock { get; } = new();
        public Dictionary<LeaseKey, LeaseRecord> Rows { get; } = [];
        public string Node => node;

        public LeaseRecord Write(string mac, string ip, DateTimeOffset wallClock, bool deleted = false, string? host = null)
        {
            var key = new LeaseKey(mac, IPAddress.Parse(ip));
            if (Rows.TryGetValue(key, out var cur)) Clock.Observe(cur.Stamp);
            var row = Lease(mac, ip, Clock.Next(wallClock), node, deleted, host);
            Rows[key] = row;
            return row;
        }

        public void Receive(LeaseRecord r)
        {
            Clock.Observe(r.Stamp);
            if (LeaseMerge.Wins(r, Rows.GetValueOrDefault(r.Key))) Rows[r.Key] = r;
        }
    }
}
